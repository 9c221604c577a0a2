/**
 * The main → renderer push side of the contract, transport-neutral: Electron forwards to the
 * window, the test bridge to the page, the station to its WebSocket clients.
 */
import type { EventChannel, EventOf } from '../../shared/contract';

export type EventListener = <E extends EventChannel>(channel: E, payload: EventOf<E>) => void;

export class EventBus {
  private listeners = new Set<EventListener>();
  emit<E extends EventChannel>(channel: E, payload: EventOf<E>): void {
    for (const l of this.listeners) {
      try {
        l(channel, payload);
      } catch {
        // A broken transport must not break the service that emits.
      }
    }
  }
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
