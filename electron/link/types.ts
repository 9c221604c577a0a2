/**
 * The link: the only place that does I/O with meters. Serial (serialport), TCP (node:net) and
 * the in-process virtual link to the simulator all implement this one small interface.
 */
import type { OmrError } from '../../shared/errors';

export type Parity = 'none' | 'even' | 'odd';

export interface LineSettings {
  baudRate: number;
  dataBits: 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
}

/** IEC 62056-21 always starts at 300 baud 7E1. */
export const IEC_INITIAL_LINE: LineSettings = { baudRate: 300, dataBits: 7, parity: 'even', stopBits: 1 };
/** Mode E / HDLC runs 8N1. */
export const HDLC_LINE = (baudRate: number): LineSettings => ({ baudRate, dataBits: 8, parity: 'none', stopBits: 1 });

/** Bits on the wire per character for these settings (start + data + parity + stop). */
export function bitsPerChar(l: LineSettings): number {
  return 1 + l.dataBits + (l.parity === 'none' ? 0 : 1) + l.stopBits;
}

export interface Link {
  readonly kind: 'serial' | 'tcp' | 'virtual';
  /** Human description (`/dev/ttyUSB0`, `tcp://127.0.0.1:4061`, `virtual E450`). */
  readonly description: string;
  /** Current line settings (a TCP link keeps them for reference; it cannot change the wire). */
  readonly line: LineSettings;
  /**
   * Whether line settings really change the wire. False for TCP (a raw network head or ser2net
   * fixes the speed and framing): a 7E1 dialogue through such a link arrives 8N1, with the
   * parity bit as bit 7, which the protocol code strips.
   */
  readonly canChangeLine: boolean;
  /**
   * Whether received parity bits can be judged (7E1 in software): `stripped` when the far side
   * removes them before they reach us (ser2net or a head set to 7E1), so no parity error is counted.
   */
  readonly parityCheck?: 'unknown' | 'checked' | 'stripped';
  /** Send bytes; resolves when they have left the host (drained). */
  write(bytes: Uint8Array): Promise<void>;
  /** Change speed or framing mid-session. */
  setLine(settings: Partial<LineSettings>): Promise<void>;
  /**
   * Subscribe to received bytes (parity already checked and stripped when the line is 7E1;
   * `info.parityErrors` counts the characters whose parity was wrong).
   */
  onData(listener: (bytes: Uint8Array, info: { parityErrors: number }) => void): () => void;
  /** Called once when the link ends: with LINK_LOST when it was not closed by us. */
  onClose(listener: (error?: OmrError) => void): () => void;
  close(): Promise<void>;
  readonly isOpen: boolean;
  /**
   * Raise or drop the modem lines (a P1 port sends only while Data Request is raised; some
   * optical heads draw their power from DTR/RTS). Best effort: a line that has none (a pty, a raw
   * socket) ignores it. Absent where there are no modem lines at all.
   */
  setModemLines?(lines: { dtr?: boolean; rts?: boolean }): Promise<void>;
}
