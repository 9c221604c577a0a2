/**
 * The built-in demo meter: the simulator's virtual E450 attached to the meter end of a link.
 */
import type { SimFault } from '../../shared/session';
import type { Link } from '../link/types';
import { startIecSimulator } from '../simulator/iec/runner';

export interface VirtualMeterOptions {
  /** Send at the real speed of the line (default true in the app: the demo feels like a meter). */
  pace?: boolean;
  /** The meter's reaction time (ms). */
  reactionMs?: number;
  faults?: SimFault[];
}

export function startVirtualMeter(link: Link, options: VirtualMeterOptions = {}): { stop(): void } {
  const pace = options.pace ?? true;
  // Unpaced, the meter does not wait for the wire time of what it received: it must then react
  // later than a reader's default baud-switch delay (300 ms after the option select), as a real
  // meter does (200 ms after the 200 ms the option select takes at 300 baud).
  return startIecSimulator(link, { pace, reactionMs: options.reactionMs ?? (pace ? 200 : 450), faults: options.faults ?? [] });
}
