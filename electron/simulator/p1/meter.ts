/**
 * The virtual P1 meter on a link: a telegram every `intervalMs` (1 s by default, as DSMR 5),
 * with moving values and the chosen faults. Stops with stop() or when the link closes.
 */
import { HDLC_LINE, type Link } from '../../link/types';
import { newP1State, p1Bytes, p1Telegram, type P1Fault, type P1State } from './telegram';

export interface P1MeterOptions {
  intervalMs?: number;
  faults?: readonly P1Fault[];
  /** Shared registers (one meter for several connections). */
  state?: P1State;
  now?: () => number;
}

export function startP1Meter(link: Link, o: P1MeterOptions = {}): { stop(): void } {
  const state = o.state ?? newP1State();
  const now = o.now ?? Date.now;
  let n = 0;
  let stopped = false;
  const send = (): void => {
    if (stopped || !link.isOpen) return;
    const bytes = p1Bytes(p1Telegram(state, now()), n++, o.faults ?? []);
    link.write(bytes).catch(() => stop());
  };
  // The telegram bytes are sent as they are (8N1): the 7e1 fault sets the parity bits itself.
  const ready = link.line.dataBits === 8 && link.line.parity === 'none' ? Promise.resolve() : link.setLine(HDLC_LINE(link.line.baudRate));
  const timer = setInterval(() => void ready.then(send, stop), o.intervalMs ?? 1000);
  void ready.then(send, stop);
  function stop(): void {
    stopped = true;
    clearInterval(timer);
  }
  link.onClose(() => stop());
  return { stop };
}
