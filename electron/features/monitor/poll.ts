/** What one monitoring poll is: a function of the open link, and what it hands back. */
import type { ErrorInfo, Lang } from '../../../shared/errors';
import type { MeterIdentity, Reading, TraceEntry } from '../../../shared/types';
import type { Link } from '../../link/types';

export interface PollResult {
  readings: Reading[];
  /** From the end of the first request to the first byte back (ms). */
  reactionMs?: number;
  /** Meter clock − PC clock (s), when the poll read a clock that states it (DLMS). */
  driftS?: number;
  identity?: MeterIdentity;
  /** The error that ended the poll (what was read before it is in `readings`). */
  error?: ErrorInfo;
}

export interface PollContext {
  onTrace?: (entry: TraceEntry) => void;
  lang?: Lang;
}

/**
 * One poll on the open link. `close`, when there, lets go of what the poll keeps between polls
 * (a DLMS association): the monitor calls it before it closes or replaces the link.
 */
export type PollFn = ((link: Link, signal: AbortSignal, ctx?: PollContext) => Promise<PollResult>) & { close?: () => Promise<void> };
