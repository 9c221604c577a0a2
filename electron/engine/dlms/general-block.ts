/**
 * general-block-transfer (GBT): one block of a long APDU, and the assembler that joins them.
 */
import { OmrError } from '../../../shared/errors';
import { concat, decodeError, guardDecode, Reader, Writer } from './bytes';
import { TAG } from './apdu';

export interface GeneralBlock {
  lastBlock: boolean;
  streaming: boolean;
  window: number;
  blockNumber: number;
  blockNumberAck: number;
  data: Uint8Array;
}

export function decodeGeneralBlock(b: Uint8Array): GeneralBlock {
  return guardDecode('general-block-transfer', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.generalBlockTransfer) throw decodeError('not a general-block-transfer');
    const bc = r.u8('block-control');
    const blockNumber = r.u16('block-number');
    const blockNumberAck = r.u16('block-number-ack');
    const data = r.bytes(r.length('block-data length'), 'block-data');
    return { lastBlock: (bc & 0x80) !== 0, streaming: (bc & 0x40) !== 0, window: bc & 0x3f, blockNumber, blockNumberAck, data };
  });
}

export function encodeGeneralBlock(g: GeneralBlock): Uint8Array {
  return new Writer()
    .u8(TAG.generalBlockTransfer)
    .u8((g.lastBlock ? 0x80 : 0) | (g.streaming ? 0x40 : 0) | (g.window & 0x3f))
    .u16(g.blockNumber)
    .u16(g.blockNumberAck)
    .length(g.data.length)
    .bytes(g.data)
    .finish();
}

/** Default ceiling of one APDU joined from general-block-transfer blocks (bytes). */
export const DEFAULT_MAX_GBT_BYTES = 4 * 1024 * 1024;

/**
 * Joins general-block-transfer blocks (E0 …) in order until the last block, then gives the
 * whole APDU. Blocks out of sequence restart the collection with a DECODE_ERROR; blocks past
 * `maxBytes` in all drop the collection with TOO_LARGE.
 */
export class GeneralBlockAssembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  private expected = 1;

  constructor(private readonly maxBytes = DEFAULT_MAX_GBT_BYTES) {}

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.expected = 1;
  }

  push(apdu: Uint8Array): Uint8Array | undefined {
    const g = decodeGeneralBlock(apdu);
    if (g.blockNumber !== this.expected) {
      const expected = this.expected;
      this.reset();
      if (g.blockNumber !== 1) throw decodeError(`general-block-transfer block ${g.blockNumber} where ${expected} was expected`);
    }
    if (this.size + g.data.length > this.maxBytes) {
      const blocks = this.parts.length;
      this.reset();
      throw new OmrError('TOO_LARGE', `general-block-transfer past ${this.maxBytes} bytes after ${blocks} blocks without the last`);
    }
    this.parts.push(g.data);
    this.size += g.data.length;
    this.expected = g.blockNumber + 1;
    if (!g.lastBlock) return undefined;
    const whole = concat(...this.parts);
    this.reset();
    return whole;
  }
}
