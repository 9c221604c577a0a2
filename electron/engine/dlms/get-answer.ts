/**
 * What one GET.response means for the GET in flight, decided without trusting the meter:
 *
 * - another invoke-id, another APDU than a GET.response, a data block out of sequence, or data
 *   blocks past the size ceiling end the association (PROTOCOL_VIOLATION, TOO_LARGE);
 * - an answer whose frame is sound but whose data does not decode (trailing bytes, a bad type) is
 *   the object's DECODE_ERROR only; a GET-with-list answer that does not decode, or has another
 *   number of results than requests, is asked again one attribute at a time, so that only the
 *   object at fault fails.
 */
import { OmrError } from '../../../shared/errors';
import { decodeData } from './axdr';
import { concat } from './bytes';
import { dataAccessError, TAG, type GetDataResult } from './apdu';
import { decodeGetListBlocks, decodeGetResponse, type GetResponse } from './get';

/** The GET in flight, as far as its answer is concerned. */
export interface GetInFlight {
  invokeId: number;
  /** Sent as a GET-with-list. */
  list: boolean;
  /** Indexes of the attributes asked for (one result each). */
  chunk: readonly number[];
  nextBlock: number;
  blocks: Uint8Array[];
  size: number;
}

export type GetStep =
  /** One result per attribute asked for. */
  | { kind: 'results'; results: GetDataResult[]; trace?: string }
  /** Every attribute of this GET failed with this error (the association goes on). */
  | { kind: 'error'; error: OmrError }
  /** Ask each attribute of this GET-with-list again on its own. */
  | { kind: 'split'; why: string }
  /** Ask for the next data block. */
  | { kind: 'next'; blockNumber: number }
  /** The association cannot go on. */
  | { kind: 'fatal'; error: OmrError };

/** The header of a GET.response: type and invoke-id, read without decoding the rest. */
function header(plain: Uint8Array): { type: number; invokeId: number } | undefined {
  if (plain[0] !== TAG.getResponse || plain.length < 3) return undefined;
  return { type: plain[1]!, invokeId: plain[2]! & 0x0f };
}

const TYPE_NAMES: Record<number, string> = { 1: 'normal', 2: 'with-datablock', 3: 'with-list' };

function typeError(detail: string): OmrError {
  return new OmrError('DECODE_ERROR', detail);
}

export function stepGetAnswer(plain: Uint8Array, f: GetInFlight, maxAnswerBytes: number): GetStep {
  const count = f.chunk.length;
  const h = header(plain);
  if (!h)
    return {
      kind: 'fatal',
      error: new OmrError('PROTOCOL_VIOLATION', `APDU 0x${(plain[0] ?? 0).toString(16)} of ${plain.length} bytes where a GET.response belongs`),
    };
  if (h.invokeId !== f.invokeId)
    return { kind: 'fatal', error: new OmrError('PROTOCOL_VIOLATION', `GET.response with invoke-id ${h.invokeId} to the GET with invoke-id ${f.invokeId}`) };
  const split = f.list && count > 1;
  let r: GetResponse;
  try {
    r = decodeGetResponse(plain);
  } catch (e) {
    const why = e instanceof OmrError ? (e.detail ?? e.message) : String(e);
    if (h.type === 2) return { kind: 'fatal', error: new OmrError('PROTOCOL_VIOLATION', `data block not decoded: ${why}`) };
    if (split) return { kind: 'split', why };
    return { kind: 'error', error: new OmrError('DECODE_ERROR', `GET.response ${TYPE_NAMES[h.type] ?? `type ${h.type}`}: ${why}`) };
  }
  switch (r.type) {
    case 'normal':
      if (count !== 1 || f.nextBlock !== 1)
        return split
          ? { kind: 'split', why: 'a normal GET.response to a GET-with-list' }
          : { kind: 'error', error: typeError('a normal GET.response where data blocks were under way') };
      return { kind: 'results', results: [r.result] };
    case 'with-list':
      if (!f.list || f.nextBlock !== 1) return { kind: 'error', error: typeError('a GET.response with-list to a GET of one attribute') };
      if (r.results.length !== count)
        return split
          ? { kind: 'split', why: `${r.results.length} results for ${count} requests` }
          : { kind: 'error', error: typeError(`${r.results.length} results for 1 request`) };
      return { kind: 'results', results: r.results };
    case 'with-datablock-error':
      return { kind: 'error', error: dataAccessError(r.dar, `block ${r.blockNumber}`) };
    case 'with-datablock': {
      if (r.blockNumber !== f.nextBlock)
        return { kind: 'fatal', error: new OmrError('PROTOCOL_VIOLATION', `data block ${r.blockNumber} where block ${f.nextBlock} was expected`) };
      if (f.size + r.raw.length > maxAnswerBytes) {
        return {
          kind: 'fatal',
          error: new OmrError('TOO_LARGE', `data blocks past ${maxAnswerBytes} bytes (${f.blocks.length} blocks, ${f.size} bytes, last-block still not set)`),
        };
      }
      f.blocks.push(r.raw);
      f.size += r.raw.length;
      if (!r.lastBlock) {
        f.nextBlock++;
        return { kind: 'next', blockNumber: r.blockNumber };
      }
      const whole = concat(...f.blocks);
      const trace = `block transfer complete: ${f.blocks.length} blocks, ${whole.length} bytes`;
      f.blocks = [];
      try {
        if (!f.list) return { kind: 'results', results: [{ ok: true, value: decodeData(whole) }], trace };
        const results = decodeGetListBlocks(whole);
        if (results.length !== count)
          return split
            ? { kind: 'split', why: `${results.length} results for ${count} requests` }
            : { kind: 'error', error: typeError(`${results.length} results for 1 request`) };
        return { kind: 'results', results, trace };
      } catch (e) {
        const why = e instanceof OmrError ? (e.detail ?? e.message) : String(e);
        if (split) return { kind: 'split', why };
        return { kind: 'error', error: new OmrError('DECODE_ERROR', `data of ${whole.length} bytes: ${why}`) };
      }
    }
  }
}
