/**
 * ACTION.request and ACTION.response (normal): a method invocation and its result.
 */
import { encodeData, readData, type DlmsValue } from './axdr';
import { decodeError, guardDecode, Reader, Writer } from './bytes';
import type { Obis } from './obis-code';
import { DATA_ACCESS_RESULTS, invokeIdAndPriority, readDescriptor, readResult, TAG, writeDescriptor, writeResult, type GetDataResult } from './apdu';

export interface ActionRequest {
  invokeId: number;
  classId: number;
  obis: Obis | string;
  method: number;
  parameters?: DlmsValue;
}

export function encodeActionRequest(q: ActionRequest): Uint8Array {
  const w = new Writer().u8(TAG.actionRequest).u8(1).u8(invokeIdAndPriority(q.invokeId));
  writeDescriptor(w, { classId: q.classId, obis: q.obis, attribute: q.method });
  if (q.parameters) w.u8(1).bytes(encodeData(q.parameters));
  else w.u8(0);
  return w.finish();
}

export function decodeActionRequest(b: Uint8Array): ActionRequest {
  return guardDecode('ACTION.request', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.actionRequest) throw decodeError('not an ACTION.request');
    if (r.u8('request type') !== 1) throw decodeError('only ACTION.request normal is supported');
    const invokeId = r.u8('invoke id') & 0x0f;
    const d = readDescriptor(r);
    const out: ActionRequest = { invokeId, classId: d.classId, obis: d.obis, method: d.attribute };
    if (r.u8('parameters flag')) out.parameters = readData(r);
    return out;
  });
}

export const ACTION_RESULTS: Record<number, string> = { ...DATA_ACCESS_RESULTS, 15: 'long-action-aborted', 16: 'no-long-action-in-progress' };

export interface ActionResponse {
  invokeId: number;
  result: number;
  resultName: string;
  returnData?: GetDataResult;
}

export function decodeActionResponse(b: Uint8Array): ActionResponse {
  return guardDecode('ACTION.response', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.actionResponse) throw decodeError('not an ACTION.response');
    if (r.u8('response type') !== 1) throw decodeError('only ACTION.response normal is supported');
    const invokeId = r.u8('invoke id') & 0x0f;
    const result = r.u8('action result');
    const out: ActionResponse = { invokeId, result, resultName: ACTION_RESULTS[result] ?? `action-result ${result}` };
    if (!r.done && r.u8('return parameters flag')) out.returnData = readResult(r);
    return out;
  });
}

export function encodeActionResponse(p: { invokeId: number; result: number; returnData?: GetDataResult }): Uint8Array {
  const w = new Writer().u8(TAG.actionResponse).u8(1).u8(invokeIdAndPriority(p.invokeId)).u8(p.result);
  if (p.returnData) {
    w.u8(1);
    writeResult(w, p.returnData);
  } else w.u8(0);
  return w.finish();
}
