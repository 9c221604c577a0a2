/**
 * IEC 62056-21 ("flag" protocol) codec: pure functions that turn the messages of the optical
 * port into bytes and back. No I/O, no time. Every decoder throws only {@link OmrError}.
 *
 * Messages (IEC 62056-21:2002 §6.3):
 * - request            `/ ? [address] ! CR LF`
 * - identification     `/ XXX Z [\W] ident CR LF`
 * - ack/option select  `ACK V Z Y CR LF`
 * - data message       `STX data ETX BCC`
 * - programming mode   `SOH C D STX data ETX BCC` (P0 P1 P2 W1 R1 R5 E2 …), `SOH B0 ETX BCC`,
 *                      ACK, NAK, error messages `STX (ERxx) ETX BCC`.
 * The BCC is the XOR of every byte after the first SOH or STX up to and including ETX (or EOT).
 */
import { OmrError } from '../../../shared/errors';
import type { MeterIdentity } from '../../../shared/types';

export const SOH = 0x01;
export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
export const CR = 0x0d;
export const LF = 0x0a;

/** Mode C (and E) baud characters `0`..`6`. */
export const MODE_C_BAUD: Readonly<Record<string, number>> = { '0': 300, '1': 600, '2': 1200, '3': 2400, '4': 4800, '5': 9600, '6': 19200 };
/** Mode B baud characters `A`..`F` (`G`, `H`, `I` are reserved by the standard). */
export const MODE_B_BAUD: Readonly<Record<string, number>> = { A: 600, B: 1200, C: 2400, D: 4800, E: 9600, F: 19200 };

// --- text helpers ---------------------------------------------------------------------------------

/** Bytes → string, one char per byte (latin1). Never fails. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** String → bytes, one byte per char (chars above 0xFF are replaced by `?`). */
export function fromLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c > 0xff ? 0x3f : c;
  }
  return out;
}

/** Printable form of bytes for traces: control characters as `<STX>`, `<CR>` … */
export function visible(bytes: Uint8Array | string): string {
  const names: Record<number, string> = { 1: 'SOH', 2: 'STX', 3: 'ETX', 4: 'EOT', 6: 'ACK', 0x0d: 'CR', 0x0a: 'LF', 0x15: 'NAK' };
  const s = typeof bytes === 'string' ? bytes : latin1(bytes);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) out += s[i];
    else out += `<${names[c] ?? c.toString(16).padStart(2, '0')}>`;
  }
  return out;
}

// --- BCC and parity ----------------------------------------------------------------------------------

/** XOR of `bytes[start..end)`. */
export function bcc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i]!;
  return x;
}

function parityOf(b: number): number {
  let x = b & 0x7f;
  x ^= x >> 4;
  x ^= x >> 2;
  x ^= x >> 1;
  return x & 1;
}

/**
 * A 7E1 character read through an 8N1 path arrives with its parity bit as bit 7 (`/` = 0x2F is
 * seen as 0xAF, CR as 0x8D, as reported in pwitab/iec62056-21 issue 16). Strip bit 7 and count the
 * characters whose even parity is wrong.
 */
export function strip7E1(bytes: Uint8Array): { bytes: Uint8Array; parityErrors: number } {
  const out = new Uint8Array(bytes.length);
  let parityErrors = 0;
  for (let i = 0; i < bytes.length; i++) {
    const raw = bytes[i]!;
    if (raw >> 7 !== parityOf(raw)) parityErrors++;
    out[i] = raw & 0x7f;
  }
  return { bytes: out, parityErrors };
}

/** The 8N1 bytes that carry these characters as 7E1 (bit 7 = even parity bit). */
export function add7E1(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]! & 0x7f;
    out[i] = b | (parityOf(b) << 7);
  }
  return out;
}

// --- request ---------------------------------------------------------------------------------------

/** Device address characters allowed by the standard: printable, not `/ ? !` nor parentheses. */
const ADDRESS_RE = /^[\x20-\x7e]{0,32}$/;

export function encodeRequest(address = ''): Uint8Array {
  if (!ADDRESS_RE.test(address) || /[/!?()]/.test(address))
    throw new OmrError('INVALID_REQUEST', `device address "${address}" is not valid (at most 32 printable characters, no / ? ! ( ))`);
  return fromLatin1(`/?${address}!\r\n`);
}

/** Parse a request line `/?address!` (without or with CR LF). Returns the address, or undefined. */
export function parseRequest(line: string): { address: string } | undefined {
  const m = /^\/\?([^!]{0,32})!(\r\n)?$/.exec(line);
  return m ? { address: m[1]! } : undefined;
}

// --- identification ------------------------------------------------------------------------------

export interface BaudInfo {
  mode: 'A' | 'B' | 'C';
  /** Highest baud rate the character offers; 300 when no switch. */
  maxBaud: number;
}

/** What a baud character of the identification means. */
export function baudFromChar(c: string): BaudInfo {
  const c5 = MODE_C_BAUD[c];
  if (c5 !== undefined) return { mode: 'C', maxBaud: c5 };
  if (c.length === 1 && c >= 'A' && c <= 'I') return { mode: 'B', maxBaud: MODE_B_BAUD[c] ?? 300 };
  return { mode: 'A', maxBaud: 300 };
}

/** Mode C baud character for a baud rate (the highest standard rate not above `baud`). */
export function modeCCharFor(baud: number): string {
  let best = '0';
  for (const [c, b] of Object.entries(MODE_C_BAUD)) if (b <= baud && b >= MODE_C_BAUD[best]!) best = c;
  return best;
}

/**
 * Parse an identification line `/XXXZ[\W]Ident` (latin1 text or bytes, with or without CR LF).
 * Throws GARBLED when the line is not an identification.
 */
export function parseIdentification(line: string | Uint8Array): MeterIdentity {
  let raw = typeof line === 'string' ? line : latin1(line);
  if (raw.endsWith('\r\n')) raw = raw.slice(0, -2);
  else if (raw.endsWith('\n') || raw.endsWith('\r')) raw = raw.slice(0, -1);
  // `/`, three letters (the third may be lower case), the baud character, then printable text.
  const m = /^\/([A-Za-z]{3})([\x21-\x7e])((?:\\[\x20-\x7e])?)([\x20-\x7e]*)$/.exec(raw);
  if (!m || m[2] === '\\') throw new OmrError('GARBLED', `not an identification: ${visible(raw).slice(0, 60)}`);
  const manufacturer = m[1]!;
  const baudChar = m[2]!;
  const enhanced = m[3] ? m[3].slice(1) : undefined;
  const ident = m[4]!;
  if (ident.length === 0 || ident.startsWith('\\')) throw new OmrError('GARBLED', `identification without a meter type: ${visible(raw)}`);
  const { mode, maxBaud } = baudFromChar(baudChar);
  const third = manufacturer[2]!;
  const identity: MeterIdentity = {
    manufacturer,
    baudChar,
    maxBaud,
    mode,
    modeE: enhanced === '2',
    reducedReactionTime: third >= 'a' && third <= 'z',
    ident,
    raw,
  };
  if (enhanced !== undefined) identity.enhanced = enhanced;
  return identity;
}

export function encodeIdentification(p: { manufacturer: string; baudChar: string; enhanced?: string; ident: string }): Uint8Array {
  return fromLatin1(`/${p.manufacturer}${p.baudChar}${p.enhanced !== undefined ? `\\${p.enhanced}` : ''}${p.ident}\r\n`);
}

// --- acknowledgement / option select ---------------------------------------------------------------

export type ProtocolControl = '0' | '1' | '2';
/** `0` data readout, `1` programming mode, `2` binary (HDLC, mode E). Others are manufacturer specific. */
export type ModeControl = string;

export interface OptionSelect {
  /** V: `0` normal protocol, `1` secondary, `2` HDLC (mode E). */
  protocol: string;
  /** Z: the baud character to switch to. */
  baudChar: string;
  /** Y: `0` readout, `1` programming, `2` binary / HDLC. */
  mode: ModeControl;
}

export function encodeOptionSelect(o: OptionSelect): Uint8Array {
  for (const c of [o.protocol, o.baudChar, o.mode]) {
    if (c.length !== 1 || c < '\x20' || c > '\x7e') throw new OmrError('INVALID_REQUEST', `option select character "${c}" is not valid`);
  }
  return fromLatin1(`\x06${o.protocol}${o.baudChar}${o.mode}\r\n`);
}

/** Parse `ACK V Z Y CR LF` (bytes or text, CR LF optional). Undefined when it is not one. */
export function parseOptionSelect(msg: Uint8Array | string): OptionSelect | undefined {
  const s = typeof msg === 'string' ? msg : latin1(msg);
  if (s.charCodeAt(0) !== ACK || !(s.length === 4 || (s.length === 6 && s.endsWith('\r\n')))) return undefined;
  const chars = s.slice(1, 4);
  if (!/^[ -~]{3}$/.test(chars)) return undefined;
  return { protocol: chars[0]!, baudChar: chars[1]!, mode: chars[2]! };
}

// --- data messages and programming commands --------------------------------------------------------

/** `STX text ETX BCC` */
export function encodeDataMessage(text: string, end: number = ETX): Uint8Array {
  const body = fromLatin1(text);
  const out = new Uint8Array(body.length + 3);
  out[0] = STX;
  out.set(body, 1);
  out[body.length + 1] = end;
  out[body.length + 2] = bcc(out, 1, body.length + 2);
  return out;
}

function checkBcc(msg: Uint8Array, endIndex: number): void {
  const expected = bcc(msg, 1, endIndex + 1);
  const got = msg[endIndex + 1];
  if (got === undefined) throw new OmrError('DECODE_ERROR', 'message ends before its BCC');
  if (got !== expected) throw new OmrError('BCC_MISMATCH', `BCC ${hex2(got)} received, ${hex2(expected)} computed`);
}

const hex2 = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

export interface DataMessage {
  text: string;
  /** ETX, or EOT for a partial block (more blocks follow). */
  end: typeof ETX | typeof EOT;
}

/**
 * Decode `STX text ETX|EOT BCC` (exactly one message: nothing before STX, one byte after ETX).
 * Throws DECODE_ERROR on structure, BCC_MISMATCH on a wrong BCC.
 */
export function decodeDataMessage(msg: Uint8Array): DataMessage {
  if (msg[0] !== STX) throw new OmrError('DECODE_ERROR', 'a data message starts with STX');
  const endIndex = msg.length - 2;
  const end = msg[endIndex];
  if (msg.length < 3 || (end !== ETX && end !== EOT)) throw new OmrError('DECODE_ERROR', 'a data message ends with ETX (or EOT) and the BCC');
  for (let i = 1; i < endIndex; i++) {
    const b = msg[i]!;
    if (b === ETX || b === EOT || b === STX || b === SOH) throw new OmrError('DECODE_ERROR', `control character ${hex2(b)} inside the data block at ${i}`);
  }
  checkBcc(msg, endIndex);
  return { text: latin1(msg, 1, endIndex), end: end as typeof ETX | typeof EOT };
}

/** Command message identifiers (C) of the programming mode. */
export type CommandId = 'P' | 'W' | 'R' | 'E' | 'B';

export interface CommandMessage {
  command: CommandId;
  /** D: the command type digit (`P1`, `R5`, `B0` …). */
  type: string;
  /** The data set text between STX and ETX (absent for B0). */
  data?: string;
  end: typeof ETX | typeof EOT;
}

/**
 * `SOH C D STX data ETX BCC`, or `SOH B 0 ETX BCC` without data. Also returns where the data bytes
 * sit in the message, so a caller can mark a password as secret.
 */
export function encodeCommandWithSpan(c: { command: CommandId; type: string; data?: string; end?: number }): {
  bytes: Uint8Array;
  dataStart: number;
  dataEnd: number;
} {
  if (c.type.length !== 1) throw new OmrError('INVALID_REQUEST', `command type "${c.type}" must be one character`);
  const data = c.data === undefined ? undefined : fromLatin1(c.data);
  for (const b of data ?? []) {
    if (b === STX || b === ETX || b === SOH || b === EOT) throw new OmrError('INVALID_REQUEST', 'command data may not contain control characters');
  }
  const len = 3 + (data ? 1 + data.length : 0) + 2;
  const out = new Uint8Array(len);
  out[0] = SOH;
  out[1] = c.command.charCodeAt(0);
  out[2] = c.type.charCodeAt(0);
  let i = 3;
  let dataStart = i;
  if (data) {
    out[i++] = STX;
    dataStart = i;
    out.set(data, i);
    i += data.length;
  }
  const dataEnd = i;
  out[i++] = c.end ?? ETX;
  out[i] = bcc(out, 1, i);
  return { bytes: out, dataStart, dataEnd };
}

export function encodeCommand(c: { command: CommandId; type: string; data?: string; end?: number }): Uint8Array {
  return encodeCommandWithSpan(c).bytes;
}

/** Decode one programming command message. Throws DECODE_ERROR / BCC_MISMATCH. */
export function decodeCommand(msg: Uint8Array): CommandMessage {
  if (msg[0] !== SOH || msg.length < 5) throw new OmrError('DECODE_ERROR', 'a command message starts with SOH and has at least 5 bytes');
  const command = String.fromCharCode(msg[1]!);
  if (!'PWREB'.includes(command)) throw new OmrError('DECODE_ERROR', `unknown command ${visible(command)}`);
  const type = String.fromCharCode(msg[2]!);
  const endIndex = msg.length - 2;
  const end = msg[endIndex];
  if (end !== ETX && end !== EOT) throw new OmrError('DECODE_ERROR', 'a command message ends with ETX (or EOT) and the BCC');
  let data: string | undefined;
  if (msg[3] === STX) {
    for (let i = 4; i < endIndex; i++) {
      const b = msg[i]!;
      if (b === ETX || b === EOT || b === STX || b === SOH) throw new OmrError('DECODE_ERROR', `control character ${hex2(b)} inside the command data`);
    }
    data = latin1(msg, 4, endIndex);
  } else if (endIndex !== 3) throw new OmrError('DECODE_ERROR', 'command data must follow STX');
  checkBcc(msg, endIndex);
  const out: CommandMessage = { command: command as CommandId, type, end: end as typeof ETX | typeof EOT };
  if (data !== undefined) out.data = data;
  return out;
}

/** The `(ERxx)` error answer of a meter, or undefined. `1.8.0(ER05)` is accepted too. */
export function parseErrorAnswer(text: string): string | undefined {
  const m = /^\s*[^()]*\(\s*(ER[0-9A-Za-z]{0,6})\s*\)\s*(\r\n)?$/.exec(text);
  return m ? m[1] : undefined;
}

// --- a streaming scanner ----------------------------------------------------------------------------

export type Scanned =
  | { kind: 'ack'; length: 1 }
  | { kind: 'nak'; length: 1 }
  /** STX … ETX|EOT BCC */
  | { kind: 'data'; length: number }
  /** SOH … ETX|EOT BCC (B0 has no STX) */
  | { kind: 'command'; length: number }
  /** `/` … CR LF */
  | { kind: 'line'; length: number }
  /** One byte that starts no message (noise). */
  | { kind: 'noise'; length: 1 };

/**
 * Find the first complete message at the start of `buf`. Undefined when more bytes are needed.
 * The byte after ETX/EOT is the BCC, whatever its value (it may be LF, or a letter).
 */
export function scanMessage(buf: Uint8Array, start = 0, maxLine = 256): Scanned | undefined {
  const b = buf[start];
  if (b === undefined) return undefined;
  if (b === ACK) return { kind: 'ack', length: 1 };
  if (b === NAK) return { kind: 'nak', length: 1 };
  if (b === STX || b === SOH) {
    for (let i = start + 1; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === ETX || c === EOT) return i + 1 < buf.length ? { kind: b === STX ? 'data' : 'command', length: i + 2 - start } : undefined;
    }
    return undefined;
  }
  if (b === 0x2f) {
    for (let i = start + 1; i < buf.length && i - start < maxLine; i++) {
      if (buf[i] === LF) return { kind: 'line', length: i + 1 - start };
    }
    return buf.length - start >= maxLine ? { kind: 'noise', length: 1 } : undefined;
  }
  return { kind: 'noise', length: 1 };
}
