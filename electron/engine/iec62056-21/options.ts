/** The IEC 62056-21 client's options, their defaults, and the wire-time arithmetic it waits by. */
import { OmrError } from '../../../shared/errors';
import { IEC_TIMING, type TimingOverrides } from './timing';

export type IecPurpose = 'identify' | 'readout' | 'programming' | 'modeE';

export interface IecClientOptions {
  /** Device address for `/?address!` (a shared bus); empty or absent: any meter. */
  address?: string;
  purpose: IecPurpose;
  /** Highest baud rate the host (head) may use. */
  maxBaud: number;
  /** Smart probe: it does the baud switch itself, the host line never changes speed. */
  fixedBaud?: boolean;
  /** Programming-mode password (P1). A secret: redacted in traces. */
  password?: string;
  /** Programming mode: addresses to read with R1 (`1.8.0`, `C.1.0` …). */
  reads?: string[];
  /** Longest wait for the first byte of an answer, after our message has left (ms). */
  reactionTimeoutMs?: number;
  /** Longest gap between two characters of a message (ms). */
  interCharTimeoutMs?: number;
  /** After the option select is handed to send, the line changes no earlier than this (ms). */
  baudSwitchDelayMs?: number;
  /**
   * Timing per meter family (manufacturer flag → figures), applied once the identification names
   * the family, over the three figures above (see timing.ts).
   */
  timings?: Readonly<Record<string, TimingOverrides>>;
  /** How many requests are sent before giving up (2: a meter that wakes on the first). */
  requestAttempts?: number;
  /** How many NAKs (either way) before NAK_LIMIT. */
  maxNak?: number;
  /** The line is 8N1 but carries 7E1: add and strip the parity bit here. */
  parityInSoftware?: boolean;
  /** Upper bound for one message (bytes); more is treated as garbage. */
  maxMessageBytes?: number;
}

const DEFAULTS = {
  reactionTimeoutMs: IEC_TIMING.reactionMaxMs,
  interCharTimeoutMs: IEC_TIMING.interCharMaxMs,
  baudSwitchDelayMs: IEC_TIMING.baudSwitchMs,
  requestAttempts: 2,
  maxNak: 3,
  maxMessageBytes: 4 * 1024 * 1024,
};

/** The options with every limit filled in. */
export type ResolvedOptions = IecClientOptions & typeof DEFAULTS;

/** Fill in the defaults (an explicit `undefined` gets the default too) and check the bounds. */
export function resolveOptions(options: IecClientOptions): ResolvedOptions {
  const o = { ...DEFAULTS, ...options };
  for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    if ((options as unknown as Record<string, unknown>)[k] === undefined) (o as Record<string, unknown>)[k] = DEFAULTS[k];
  }
  if (!Number.isFinite(o.maxBaud) || o.maxBaud < 300) throw new OmrError('INVALID_REQUEST', `maxBaud ${o.maxBaud} is below 300`);
  if (o.requestAttempts < 1) throw new OmrError('INVALID_REQUEST', 'requestAttempts must be at least 1');
  return o;
}

/** Garbage bytes at the new speed (no STX among them) that prove the switch failed. */
export const GARBAGE_AFTER_SWITCH = 8;
/** Longest wait for a meter that keeps talking at the old speed after a failed switch. */
export const DRAIN_CAP_MS = 10 * 60_000;
/** Longest identification line kept; a longer one is noise. */
export const MAX_IDENT_BYTES = 128;
const BITS_PER_CHAR = 10; // 7E1 and 8N1 alike: start + 8 + stop

/** How long `chars` characters take on the wire at `baud` (ms, rounded up). */
export function wireTimeMs(chars: number, baud: number): number {
  return Math.ceil((chars * BITS_PER_CHAR * 1000) / baud);
}
