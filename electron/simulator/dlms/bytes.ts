/**
 * Lazily produced A-XDR bytes for the simulator's DLMS server: a large attribute (a 90-day load
 * profile is ~250 kB) is encoded piece by piece, as the block transfer asks for it, instead of
 * being built as one value in memory.
 */
import { encodeData, type DlmsValue } from '../../engine/dlms/axdr';
import { concat, encodeLength } from '../../engine/dlms/bytes';

/** A pull source of bytes over an iterable of chunks. */
export class ByteSource {
  private readonly parts: Iterator<Uint8Array>;
  private buf: Uint8Array = new Uint8Array(0);
  private ended = false;

  constructor(parts: Iterable<Uint8Array>) {
    this.parts = parts[Symbol.iterator]();
  }

  static of(...bytes: Uint8Array[]): ByteSource {
    return new ByteSource(bytes);
  }

  /** Pull chunks until at least `n` bytes are buffered or the source has ended; the buffered count. */
  fill(n: number): number {
    if (this.buf.length >= n || this.ended) return this.buf.length;
    const chunks: Uint8Array[] = [this.buf];
    let size = this.buf.length;
    while (size < n) {
      const r = this.parts.next();
      if (r.done) {
        this.ended = true;
        break;
      }
      chunks.push(r.value);
      size += r.value.length;
    }
    this.buf = concat(...chunks);
    return size;
  }

  /** Up to `n` bytes (fewer only at the end). */
  take(n: number): Uint8Array {
    this.fill(n);
    const out = this.buf.slice(0, n);
    this.buf = this.buf.slice(n);
    return out;
  }

  /** True when every byte has been taken. */
  get exhausted(): boolean {
    return this.fill(1) === 0;
  }
}

/** The A-XDR encoding of an array of `count` elements, each encoded only when pulled. */
export function* lazyArray(count: number, element: (i: number) => DlmsValue): Generator<Uint8Array> {
  yield concat(Uint8Array.of(0x01), encodeLength(count));
  for (let i = 0; i < count; i++) yield encodeData(element(i));
}

/** Chain several chunk sources into one. */
export function* chain(...sources: Iterable<Uint8Array>[]): Generator<Uint8Array> {
  for (const s of sources) yield* s;
}
