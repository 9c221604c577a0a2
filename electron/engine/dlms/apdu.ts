/**
 * What the xDLMS APDUs for logical-name referencing share (IEC 62056-5-3 / Blue Book 9.5): their
 * tags, invoke-id-and-priority, COSEM attribute descriptors with selective access, Get-Data-Result,
 * and the data-access-result codes (mapped to the app's error codes). All A-XDR.
 */
import { OmrError, type ErrorCode } from '../../../shared/errors';
import { encodeData, readData, type DlmsValue } from './axdr';
import { decodeError, Reader, Writer } from './bytes';
import { parseObis, type Obis } from './obis-code';

export const TAG = {
  initiateRequest: 0x01,
  initiateResponse: 0x08,
  confirmedServiceError: 0x0e,
  dataNotification: 0x0f,
  getRequest: 0xc0,
  setRequest: 0xc1,
  eventNotification: 0xc2,
  actionRequest: 0xc3,
  getResponse: 0xc4,
  setResponse: 0xc5,
  actionResponse: 0xc7,
  exceptionResponse: 0xd8,
  generalBlockTransfer: 0xe0,
} as const;

// ----------------------------------------------------------------------- attribute descriptors

export interface AttributeDescriptor {
  classId: number;
  /** OBIS logical name: six bytes, or text `1-0:1.8.0.255`, `1-0:1.8.0*255`, `1.0.1.8.0.255`. */
  obis: Obis | string;
  attribute: number;
}

export type AccessSelection = { selector: number; parameters: DlmsValue };

export interface AttributeRequest extends AttributeDescriptor {
  access?: AccessSelection;
}

/** invoke-id-and-priority: invoke id (0..15), confirmed service, high priority. */
export function invokeIdAndPriority(invokeId: number, highPriority = true): number {
  return (invokeId & 0x0f) | 0x40 | (highPriority ? 0x80 : 0);
}

export function writeDescriptor(w: Writer, d: AttributeDescriptor): void {
  const obis = typeof d.obis === 'string' ? parseObis(d.obis) : d.obis;
  if (!Number.isInteger(d.classId) || d.classId < 0 || d.classId > 0xffff) throw new OmrError('INVALID_REQUEST', `class id ${d.classId}`);
  if (!Number.isInteger(d.attribute) || d.attribute < -128 || d.attribute > 127) throw new OmrError('INVALID_REQUEST', `attribute ${d.attribute}`);
  w.u16(d.classId)
    .bytes(Uint8Array.from(obis))
    .u8(d.attribute & 0xff);
}

export function readDescriptor(r: Reader): AttributeDescriptor {
  const classId = r.u16('class id');
  const obis = Array.from(r.bytes(6, 'logical name')) as Obis;
  const a = r.u8('attribute');
  return { classId, obis, attribute: a >= 0x80 ? a - 0x100 : a };
}

export function writeRequest(w: Writer, q: AttributeRequest): void {
  writeDescriptor(w, q);
  if (q.access) w.u8(1).u8(q.access.selector).bytes(encodeData(q.access.parameters));
  else w.u8(0);
}

export function readRequest(r: Reader): AttributeRequest {
  const d: AttributeRequest = readDescriptor(r);
  if (r.u8('access selection flag')) d.access = { selector: r.u8('access selector'), parameters: readData(r) };
  return d;
}

// ------------------------------------------------------------------------- results and DAR codes

/** One attribute's result: its value, or the data-access-result the server gave. */
export type GetDataResult = { ok: true; value: DlmsValue } | { ok: false; dar: number; name: string };

export function readResult(r: Reader): GetDataResult {
  const choice = r.u8('get-data-result choice');
  if (choice === 0) return { ok: true, value: readData(r) };
  if (choice === 1) {
    const dar = r.u8('data-access-result');
    return { ok: false, dar, name: dataAccessResultName(dar) };
  }
  throw decodeError(`Get-Data-Result choice ${choice}`);
}

export function writeResult(w: Writer, res: GetDataResult): void {
  if (res.ok) w.u8(0).bytes(encodeData(res.value));
  else w.u8(1).u8(res.dar);
}

export const DATA_ACCESS_RESULTS: Record<number, string> = {
  0: 'success',
  1: 'hardware-fault',
  2: 'temporary-failure',
  3: 'read-write-denied',
  4: 'object-undefined',
  9: 'object-class-inconsistent',
  11: 'object-unavailable',
  12: 'type-unmatched',
  13: 'scope-of-access-violated',
  14: 'data-block-unavailable',
  15: 'long-get-aborted',
  16: 'no-long-get-in-progress',
  17: 'long-set-aborted',
  18: 'no-long-set-in-progress',
  19: 'data-block-number-invalid',
  250: 'other-reason',
};

export function dataAccessResultName(code: number): string {
  return DATA_ACCESS_RESULTS[code] ?? `data-access-result ${code}`;
}

/** The app error for a data-access-result: object-undefined and read-write-denied have their own codes. */
export function dataAccessError(code: number, what?: string): OmrError {
  const name = dataAccessResultName(code);
  const errorCode: ErrorCode = code === 4 ? 'OBJECT_UNDEFINED' : code === 3 ? 'READ_DENIED' : 'DLMS_ERROR';
  return new OmrError(errorCode, what ? `${what}: ${name}` : name);
}
