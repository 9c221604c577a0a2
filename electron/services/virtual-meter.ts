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
  return startIecSimulator(link, { pace: options.pace ?? true, reactionMs: options.reactionMs ?? 200, faults: options.faults ?? [] });
}
