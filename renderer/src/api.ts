/**
 * The renderer's typed client of the contract. It only knows `window.omr` (put there by the
 * preload, the test bridge or the station's WebSocket client): no Node, no Electron.
 */
import type { EventChannel, EventOf, InvokeChannel, OmrBridge, RequestOf, ResponseOf } from '../../shared/contract';
import type { ErrorInfo } from '../../shared/errors';

declare global {
  interface Window {
    omr?: OmrBridge;
  }
}

/** A failed call, with the code, message and remedy the main side sent. */
export class ApiError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
  }
}

function bridge(): OmrBridge {
  if (!window.omr) throw new ApiError({ code: 'UNAVAILABLE', message: 'The application bridge is missing.', remedy: 'Restart the application.' });
  return window.omr;
}

export async function call<C extends InvokeChannel>(channel: C, request?: RequestOf<C>): Promise<ResponseOf<C>> {
  const env = await bridge().invoke(channel, request);
  if (!env.ok) throw new ApiError(env.error);
  return env.value;
}

export function subscribe<E extends EventChannel>(channel: E, listener: (payload: EventOf<E>) => void): () => void {
  return bridge().on(channel, listener);
}

export function errorOf(e: unknown): ErrorInfo {
  if (e instanceof ApiError) return e.info;
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), remedy: '' };
}
