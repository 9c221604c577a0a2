/**
 * Small byte helpers shared by the HDLC, A-XDR, ACSE and xDLMS codecs: a bounds-checked reader
 * that throws only {@link OmrError} (DECODE_ERROR), a growable writer, and hex/concat helpers.
 */
import { OmrError } from '../../../shared/errors';

export function decodeError(detail: string): OmrError {
  return new OmrError('DECODE_ERROR', detail);
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Hex text (spaces, colons and newlines allowed) to bytes; bad text is a DECODE_ERROR. */
export function unhex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw decodeError('not a hex string');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bounds-checked big-endian reader. */
export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) throw decodeError(`truncated ${what} at offset ${this.pos} (need ${n}, have ${this.end - this.pos})`);
  }
  u8(what = 'byte'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }
  peek(what = 'byte'): number {
    this.need(1, what);
    return this.buf[this.pos]!;
  }
  u16(what = 'uint16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(what = 'uint32'): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  rest(): Uint8Array {
    const out = this.buf.slice(this.pos, this.end);
    this.pos = this.end;
    return out;
  }
  /** A-XDR / BER length: one byte below 0x80, else 0x8N followed by N bytes (N ≤ 4). */
  length(what = 'length'): number {
    const first = this.u8(what);
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw decodeError(`unsupported ${what} form 0x${first.toString(16)} at offset ${this.pos - 1}`);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.u8(what);
    return v;
  }
}

/** Growable byte writer. */
export class Writer {
  private buf = new Uint8Array(64);
  private len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u8(Math.floor(v / 0x1000000))
      .u8(v >>> 16)
      .u8(v >>> 8)
      .u8(v);
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  length(n: number): this {
    return this.bytes(encodeLength(n));
  }
  get size(): number {
    return this.len;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** A-XDR / BER definite length. */
export function encodeLength(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new OmrError('INVALID_REQUEST', `length ${n} out of range`);
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  if (n < 0x10000) return Uint8Array.of(0x82, n >>> 8, n & 0xff);
  if (n < 0x1000000) return Uint8Array.of(0x83, n >>> 16, (n >>> 8) & 0xff, n & 0xff);
  return Uint8Array.of(0x84, Math.floor(n / 0x1000000), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Wrap any non-OmrError thrown by decoding code into a DECODE_ERROR (defence in depth). */
export function guardDecode<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OmrError) throw e;
    throw new OmrError('DECODE_ERROR', `${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
}
