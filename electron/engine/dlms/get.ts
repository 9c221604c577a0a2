/**
 * GET.request and GET.response (normal, next, with-list, with-datablock); how a list of
 * attributes is cut into GETs that fit the server's PDU size, and the results of a GET-with-list
 * that came by block transfer.
 */
import { encodeData, readData } from './axdr';
import { decodeError, guardDecode, Reader, Writer } from './bytes';
import {
  dataAccessResultName,
  invokeIdAndPriority,
  readRequest,
  readResult,
  TAG,
  writeRequest,
  writeResult,
  type AttributeRequest,
  type GetDataResult,
} from './apdu';

export type GetRequest =
  | { type: 'normal'; invokeId: number; request: AttributeRequest }
  | { type: 'next'; invokeId: number; blockNumber: number }
  | { type: 'with-list'; invokeId: number; requests: AttributeRequest[] };

export function encodeGetRequest(q: GetRequest): Uint8Array {
  const w = new Writer().u8(TAG.getRequest);
  const iip = invokeIdAndPriority(q.invokeId);
  switch (q.type) {
    case 'normal':
      w.u8(1).u8(iip);
      writeRequest(w, q.request);
      break;
    case 'next':
      w.u8(2).u8(iip).u32(q.blockNumber);
      break;
    case 'with-list':
      w.u8(3).u8(iip).length(q.requests.length);
      for (const item of q.requests) writeRequest(w, item);
      break;
  }
  return w.finish();
}

export function decodeGetRequest(b: Uint8Array): GetRequest {
  return guardDecode('GET.request', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.getRequest) throw decodeError('not a GET.request');
    const type = r.u8('request type');
    const invokeId = r.u8('invoke id') & 0x0f;
    let out: GetRequest;
    if (type === 1) out = { type: 'normal', invokeId, request: readRequest(r) };
    else if (type === 2) out = { type: 'next', invokeId, blockNumber: r.u32('block number') };
    else if (type === 3) {
      const n = r.length('list count');
      if (n > r.remaining) throw decodeError('GET.request list longer than the PDU');
      const requests: AttributeRequest[] = [];
      for (let i = 0; i < n; i++) requests.push(readRequest(r));
      out = { type: 'with-list', invokeId, requests };
    } else throw decodeError(`GET.request type ${type}`);
    if (!r.done) throw decodeError('bytes after the GET.request');
    return out;
  });
}

export type GetResponse =
  | { type: 'normal'; invokeId: number; result: GetDataResult }
  | { type: 'with-datablock'; invokeId: number; lastBlock: boolean; blockNumber: number; raw: Uint8Array }
  | { type: 'with-datablock-error'; invokeId: number; lastBlock: boolean; blockNumber: number; dar: number; name: string }
  | { type: 'with-list'; invokeId: number; results: GetDataResult[] };

export function decodeGetResponse(b: Uint8Array): GetResponse {
  return guardDecode('GET.response', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.getResponse) throw decodeError('not a GET.response');
    const type = r.u8('response type');
    const invokeId = r.u8('invoke id') & 0x0f;
    let out: GetResponse;
    if (type === 1) out = { type: 'normal', invokeId, result: readResult(r) };
    else if (type === 2) {
      const lastBlock = r.u8('last-block') !== 0;
      const blockNumber = r.u32('block number');
      const choice = r.u8('datablock result choice');
      if (choice === 0) out = { type: 'with-datablock', invokeId, lastBlock, blockNumber, raw: r.bytes(r.length('raw-data length'), 'raw-data') };
      else if (choice === 1) {
        const dar = r.u8('data-access-result');
        out = { type: 'with-datablock-error', invokeId, lastBlock, blockNumber, dar, name: dataAccessResultName(dar) };
      } else throw decodeError(`DataBlock-G result choice ${choice}`);
    } else if (type === 3) {
      const n = r.length('list count');
      if (n > r.remaining) throw decodeError('GET.response list longer than the PDU');
      const results: GetDataResult[] = [];
      for (let i = 0; i < n; i++) results.push(readResult(r));
      out = { type: 'with-list', invokeId, results };
    } else throw decodeError(`GET.response type ${type}`);
    if (!r.done) throw decodeError(`${r.remaining} byte(s) after the GET.response`);
    return out;
  });
}

export function encodeGetResponse(p: GetResponse): Uint8Array {
  const w = new Writer().u8(TAG.getResponse);
  const iip = invokeIdAndPriority(p.invokeId);
  switch (p.type) {
    case 'normal':
      w.u8(1).u8(iip);
      writeResult(w, p.result);
      break;
    case 'with-datablock':
      w.u8(2)
        .u8(iip)
        .u8(p.lastBlock ? 1 : 0)
        .u32(p.blockNumber)
        .u8(0)
        .length(p.raw.length)
        .bytes(p.raw);
      break;
    case 'with-datablock-error':
      w.u8(2)
        .u8(iip)
        .u8(p.lastBlock ? 1 : 0)
        .u32(p.blockNumber)
        .u8(1)
        .u8(p.dar);
      break;
    case 'with-list':
      w.u8(3).u8(iip).length(p.results.length);
      for (const res of p.results) writeResult(w, res);
      break;
  }
  return w.finish();
}

/**
 * Split requests into GETs (indexes into `requests`, one array per GET): one attribute per GET
 * without multiple-references, else lists that stay within the server's max PDU size (0 = no
 * limit; ciphering adds its header and tag).
 */
export function planGetRequests(requests: readonly AttributeRequest[], o: { withList: boolean; serverMaxPdu: number; ciphered: boolean }): number[][] {
  if (!o.withList || requests.length <= 1) return requests.map((_, i) => [i]);
  const limit = Math.max(64, o.serverMaxPdu === 0 ? 0xffff : o.serverMaxPdu) - (o.ciphered ? 5 + 12 + 4 : 0);
  const chunks: number[][] = [];
  let cur: number[] = [];
  let size = 3 + 3; // tag, type, invoke id, list length
  requests.forEach((r, i) => {
    const itemSize = 2 + 6 + 1 + 1 + (r.access ? 1 + encodeData(r.access.parameters).length : 0);
    if (cur.length && size + itemSize > limit) {
      chunks.push(cur);
      cur = [];
      size = 6;
    }
    cur.push(i);
    size += itemSize;
  });
  if (cur.length) chunks.push(cur);
  return chunks;
}

/** The raw data of a GET-with-list answered by block transfer: a count, then one Get-Data-Result each. */
export function decodeGetListBlocks(whole: Uint8Array): GetDataResult[] {
  const rd = new Reader(whole);
  const n = rd.length('list count');
  if (n > rd.remaining) throw decodeError(`list of ${n} results in ${rd.remaining} bytes`);
  const results: GetDataResult[] = [];
  for (let i = 0; i < n; i++) {
    const choice = rd.u8('result choice');
    if (choice === 0) results.push({ ok: true, value: readData(rd) });
    else {
      const dar = rd.u8('data-access-result');
      results.push({ ok: false, dar, name: dataAccessResultName(dar) });
    }
  }
  if (!rd.done) throw decodeError(`${rd.remaining} byte(s) after the list of results`);
  return results;
}
