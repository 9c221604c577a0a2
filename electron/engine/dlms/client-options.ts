/**
 * What a {@link DlmsClient} is given (transport, authentication, keys and the invocation
 * counter) and what it reports (association, results per attribute, counters used, release).
 */
import type { ErrorInfo } from '../../../shared/errors';
import type { Mechanism } from './acse';
import type { DlmsValue } from './axdr';
import { formatValue, type FormatOptions } from './value-format';
import type { Keys } from './security';
import type { DlmsTransport } from './transport';

export type Authentication = { mechanism: 'none' } | { mechanism: 'lls'; password: Uint8Array } | { mechanism: 'hls-gmac' };

export interface ClientSecurity {
  /** The client system title (8 bytes). */
  systemTitle: Uint8Array;
  keys: Keys;
  /** The next invocation counter to use (read beforehand from 0-0:43.1.x with the public client). */
  invocationCounter: number;
  /** Security control for ciphered APDUs (default 0x30). */
  securityControl?: number;
  /** Accept 0x30 responses without checking the tag when no authentication key is known (default false). */
  allowUnverified?: boolean;
}

export interface DlmsClientOptions {
  transport: DlmsTransport;
  authentication: Authentication;
  /** Present → ciphered context (ln-ciphering, glo-ciphering of the xDLMS APDUs). Required for HLS-GMAC. */
  security?: ClientSecurity;
  /** Proposed conformance (default: GET with block transfer, multiple references, selective access, action). */
  conformance?: number;
  /** Proposed client max receive PDU size (default 1024). */
  maxReceivePduSize?: number;
  /** Client to server challenge length for HLS (default 16 bytes). */
  challengeLength?: number;
  /** Source of randomness for the HLS challenge (tests inject a fixed one). */
  random?: (n: number) => Uint8Array;
  /**
   * Ceiling of one answer joined from GET data blocks (bytes, default 4 MiB): past it the transfer
   * is abandoned with TOO_LARGE and the association ends (the meter is still in its transfer).
   */
  maxAnswerBytes?: number;
  /**
   * The longest one exchange may take, from a request to the whole answer APDU (ms, default
   * 60 000), whatever the link layer does meanwhile; then OPERATION_DEADLINE. Each data block of a
   * block transfer is an exchange of its own.
   */
  exchangeTimeoutMs?: number;
}

export const DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024;
export const DEFAULT_EXCHANGE_TIMEOUT_MS = 60_000;

export type ResultItem = { ok: true; value: DlmsValue } | { ok: false; error: ErrorInfo };

export type DlmsClientEvent =
  | { type: 'associated'; conformance: number; serverMaxPduSize: number; serverSystemTitle?: string; mechanism: Mechanism }
  | { type: 'result'; id: number; results: ResultItem[] }
  | { type: 'invocationCounter'; used: number }
  | { type: 'unverified'; note: string }
  | { type: 'released' };

/** Trace helper for results (used by services); `format` says where the value holds logical names. */
export function describeResult(r: ResultItem, format?: FormatOptions): string {
  return r.ok ? formatValue(r.value, format) : `${r.error.code}${r.error.detail ? ` (${r.error.detail})` : ''}`;
}
