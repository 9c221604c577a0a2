/**
 * xDLMS APDUs for logical-name referencing (IEC 62056-5-3 / Blue Book 9.5): InitiateRequest and
 * InitiateResponse, GET.request/response (normal, next, with-list, with-datablock), ACTION
 * request/response (normal), exception-response, confirmed-service-error, data-notification and
 * general-block-transfer. All A-XDR. Data-access-result codes map to the app's error codes.
 */
import { OmrError, type ErrorCode } from '../../../shared/errors';
import { encodeData, readData, type DlmsValue } from './axdr';
import { concat, decodeError, guardDecode, hex, Reader, Writer } from './bytes';
import { decodeDateTime, encodeDateTime, type CosemDateTime } from './datetime';
import { parseObis, type Obis } from './obis-code';
import { Clock, CLOCK_LN, PROFILE_SELECTOR } from '../cosem/registry';

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

// ------------------------------------------------------------------------------------- initiate

export interface InitiateRequest {
  /** Dedicated key (ded-ciphering), only inside a ciphered InitiateRequest. */
  dedicatedKey?: Uint8Array;
  responseAllowed?: boolean;
  qualityOfService?: number;
  dlmsVersion?: number;
  conformance: number;
  maxReceivePduSize: number;
}

function writeConformance(w: Writer, c: number): void {
  w.u8(0x5f).u8(0x1f).u8(0x04).u8(0x00).u8(c >>> 16).u8(c >>> 8).u8(c);
}

function readConformance(r: Reader): number {
  if (r.u8('conformance tag') !== 0x5f || r.u8('conformance tag') !== 0x1f) throw decodeError('conformance block tag is not 5F 1F');
  const len = r.u8('conformance length');
  if (len !== 4) throw decodeError(`conformance block of length ${len}`);
  r.u8('conformance unused bits');
  return ((r.u8() << 16) | (r.u8() << 8) | r.u8()) >>> 0;
}

export function encodeInitiateRequest(q: InitiateRequest): Uint8Array {
  const w = new Writer().u8(TAG.initiateRequest);
  if (q.dedicatedKey) w.u8(1).length(q.dedicatedKey.length).bytes(q.dedicatedKey);
  else w.u8(0);
  if (q.responseAllowed === false) w.u8(1).u8(0);
  else w.u8(0); // DEFAULT TRUE: not encoded
  if (q.qualityOfService !== undefined) w.u8(1).u8(q.qualityOfService);
  else w.u8(0);
  w.u8(q.dlmsVersion ?? 6);
  writeConformance(w, q.conformance);
  w.u16(q.maxReceivePduSize);
  return w.finish();
}

export function decodeInitiateRequest(b: Uint8Array): InitiateRequest {
  return guardDecode('InitiateRequest', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.initiateRequest) throw decodeError('not an InitiateRequest');
    const out: InitiateRequest = { conformance: 0, maxReceivePduSize: 0 };
    if (r.u8('dedicated key flag')) out.dedicatedKey = r.bytes(r.length('dedicated key length'), 'dedicated key');
    if (r.u8('response-allowed flag')) out.responseAllowed = r.u8('response-allowed') !== 0;
    if (r.u8('quality of service flag')) out.qualityOfService = r.u8('quality of service');
    out.dlmsVersion = r.u8('dlms version');
    out.conformance = readConformance(r);
    out.maxReceivePduSize = r.u16('max receive pdu size');
    return out;
  });
}

export interface InitiateResponse {
  qualityOfService?: number;
  dlmsVersion: number;
  conformance: number;
  /** 0 means "no limit" in the standard; kept as sent. */
  maxReceivePduSize: number;
  /** 0x0007 for logical-name referencing. */
  vaaName: number;
}

export function encodeInitiateResponse(p: InitiateResponse): Uint8Array {
  const w = new Writer().u8(TAG.initiateResponse);
  if (p.qualityOfService !== undefined) w.u8(1).u8(p.qualityOfService);
  else w.u8(0);
  w.u8(p.dlmsVersion);
  writeConformance(w, p.conformance);
  w.u16(p.maxReceivePduSize).u16(p.vaaName);
  return w.finish();
}

export function decodeInitiateResponse(b: Uint8Array): InitiateResponse {
  return guardDecode('InitiateResponse', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.initiateResponse) throw decodeError('not an InitiateResponse');
    const qos = r.u8('quality of service flag') ? r.u8('quality of service') : undefined;
    const dlmsVersion = r.u8('dlms version');
    const conformance = readConformance(r);
    const maxReceivePduSize = r.u16('max receive pdu size');
    const vaaName = r.u16('vaa name');
    return qos === undefined ? { dlmsVersion, conformance, maxReceivePduSize, vaaName } : { qualityOfService: qos, dlmsVersion, conformance, maxReceivePduSize, vaaName };
  });
}

// ------------------------------------------------------------------------- errors and result codes

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

const STATE_ERRORS: Record<number, string> = { 1: 'service-not-allowed', 2: 'service-unknown' };
const EXCEPTION_SERVICE_ERRORS: Record<number, string> = {
  1: 'operation-not-possible',
  2: 'service-not-supported',
  3: 'other-reason',
  4: 'pdu-too-long',
  5: 'deciphering-error',
  6: 'invocation-counter-error',
};

export interface ExceptionResponse {
  stateError: number;
  serviceError: number;
  /** For invocation-counter-error: the counter the server expects. */
  invocationCounter?: number;
  text: string;
}

export function decodeExceptionResponse(b: Uint8Array): ExceptionResponse {
  return guardDecode('exception-response', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.exceptionResponse) throw decodeError('not an exception-response');
    const stateError = r.u8('state-error');
    const serviceError = r.u8('service-error');
    const out: ExceptionResponse = {
      stateError,
      serviceError,
      text: `exception-response: ${STATE_ERRORS[stateError] ?? `state-error ${stateError}`}, ${EXCEPTION_SERVICE_ERRORS[serviceError] ?? `service-error ${serviceError}`}`,
    };
    if (serviceError === 6 && r.remaining >= 4) {
      out.invocationCounter = r.u32('invocation counter');
      out.text += ` (server expects ${out.invocationCounter})`;
    }
    return out;
  });
}

export function encodeExceptionResponse(stateError: number, serviceError: number, invocationCounter?: number): Uint8Array {
  const w = new Writer().u8(TAG.exceptionResponse).u8(stateError).u8(serviceError);
  if (invocationCounter !== undefined) w.u32(invocationCounter);
  return w.finish();
}

const CONFIRMED_SERVICES: Record<number, string> = {
  1: 'initiateError',
  2: 'getStatus',
  3: 'getNameList',
  4: 'getVariableAttribute',
  5: 'read',
  6: 'write',
  7: 'getDataSetAttribute',
  8: 'getTIAttribute',
  9: 'changeScope',
  10: 'start',
  11: 'stop',
  12: 'resume',
  13: 'makeUsable',
  14: 'initiateLoad',
  15: 'loadSegment',
  16: 'terminateLoad',
  17: 'initiateUpLoad',
  18: 'upLoadSegment',
  19: 'terminateUpLoad',
};

const SERVICE_ERROR_CLASSES: Record<number, [string, Record<number, string>]> = {
  0: ['application-reference', { 0: 'other', 1: 'time-elapsed', 2: 'application-unreachable', 3: 'application-reference-invalid', 4: 'application-context-unsupported', 5: 'provider-communication-error', 6: 'deciphering-error' }],
  1: ['hardware-resource', { 0: 'other', 1: 'memory-unavailable', 2: 'processor-resource-unavailable', 3: 'mass-storage-unavailable', 4: 'other-resource-unavailable' }],
  2: ['vde-state-error', { 0: 'other', 1: 'no-dlms-context', 2: 'loading-data-set', 3: 'status-nochange', 4: 'status-inoperable' }],
  3: ['service', { 0: 'other', 1: 'pdu-size', 2: 'service-unsupported' }],
  4: ['definition', { 0: 'other', 1: 'object-undefined', 2: 'object-class-inconsistent', 3: 'object-attribute-inconsistent' }],
  5: ['access', { 0: 'other', 1: 'scope-of-access-violated', 2: 'object-access-violated', 3: 'hardware-fault', 4: 'object-unavailable' }],
  6: ['initiate', { 0: 'other', 1: 'dlms-version-too-low', 2: 'incompatible-conformance', 3: 'pdu-size-too-short', 4: 'refused-by-the-VDE-Handler' }],
  7: ['load-data-set', { 0: 'other' }],
  8: ['change-scope', { 0: 'other' }],
  9: ['task', { 0: 'other' }],
  10: ['other', { 0: 'other' }],
};

export interface ConfirmedServiceError {
  service: number;
  errorClass: number;
  error: number;
  text: string;
}

export function decodeConfirmedServiceError(b: Uint8Array): ConfirmedServiceError {
  return guardDecode('confirmed-service-error', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.confirmedServiceError) throw decodeError('not a confirmed-service-error');
    const service = r.u8('service');
    const errorClass = r.u8('service error class');
    const error = r.u8('service error');
    const cls = SERVICE_ERROR_CLASSES[errorClass];
    const text = `confirmed-service-error: ${CONFIRMED_SERVICES[service] ?? `service ${service}`}, ${cls ? `${cls[0]}: ${cls[1][error] ?? error}` : `class ${errorClass} error ${error}`}`;
    return { service, errorClass, error, text };
  });
}

export function encodeConfirmedServiceError(service: number, errorClass: number, error: number): Uint8Array {
  return Uint8Array.of(TAG.confirmedServiceError, service, errorClass, error);
}

// -------------------------------------------------------------------------------------- GET / ACTION

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

function writeDescriptor(w: Writer, d: AttributeDescriptor): void {
  const obis = typeof d.obis === 'string' ? parseObis(d.obis) : d.obis;
  if (!Number.isInteger(d.classId) || d.classId < 0 || d.classId > 0xffff) throw new OmrError('INVALID_REQUEST', `class id ${d.classId}`);
  if (!Number.isInteger(d.attribute) || d.attribute < -128 || d.attribute > 127) throw new OmrError('INVALID_REQUEST', `attribute ${d.attribute}`);
  w.u16(d.classId).bytes(Uint8Array.from(obis)).u8(d.attribute & 0xff);
}

function readDescriptor(r: Reader): AttributeDescriptor {
  const classId = r.u16('class id');
  const obis = Array.from(r.bytes(6, 'logical name')) as Obis;
  const a = r.u8('attribute');
  return { classId, obis, attribute: a >= 0x80 ? a - 0x100 : a };
}

function writeRequest(w: Writer, q: AttributeRequest): void {
  writeDescriptor(w, q);
  if (q.access) w.u8(1).u8(q.access.selector).bytes(encodeData(q.access.parameters));
  else w.u8(0);
}

function readRequest(r: Reader): AttributeRequest {
  const d: AttributeRequest = readDescriptor(r);
  if (r.u8('access selection flag')) d.access = { selector: r.u8('access selector'), parameters: readData(r) };
  return d;
}

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

/** One attribute's result: its value, or the data-access-result the server gave. */
export type GetDataResult = { ok: true; value: DlmsValue } | { ok: false; dar: number; name: string };

export type GetResponse =
  | { type: 'normal'; invokeId: number; result: GetDataResult }
  | { type: 'with-datablock'; invokeId: number; lastBlock: boolean; blockNumber: number; raw: Uint8Array }
  | { type: 'with-datablock-error'; invokeId: number; lastBlock: boolean; blockNumber: number; dar: number; name: string }
  | { type: 'with-list'; invokeId: number; results: GetDataResult[] };

function readResult(r: Reader): GetDataResult {
  const choice = r.u8('get-data-result choice');
  if (choice === 0) return { ok: true, value: readData(r) };
  if (choice === 1) {
    const dar = r.u8('data-access-result');
    return { ok: false, dar, name: dataAccessResultName(dar) };
  }
  throw decodeError(`Get-Data-Result choice ${choice}`);
}

function writeResult(w: Writer, res: GetDataResult): void {
  if (res.ok) w.u8(0).bytes(encodeData(res.value));
  else w.u8(1).u8(res.dar);
}

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
      w.u8(2).u8(iip).u8(p.lastBlock ? 1 : 0).u32(p.blockNumber).u8(0).length(p.raw.length).bytes(p.raw);
      break;
    case 'with-datablock-error':
      w.u8(2).u8(iip).u8(p.lastBlock ? 1 : 0).u32(p.blockNumber).u8(1).u8(p.dar);
      break;
    case 'with-list':
      w.u8(3).u8(iip).length(p.results.length);
      for (const res of p.results) writeResult(w, res);
      break;
  }
  return w.finish();
}

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

// --------------------------------------------------------------------------- selective access

export const CLOCK_OBIS: Obis = CLOCK_LN;

export interface RangeDescriptor {
  /** The restricting object; by default the clock's time attribute (class 8, 0-0:1.0.0*255, attr 2). */
  restricting?: { classId: number; obis: Obis | string; attribute: number; dataIndex?: number };
  from: CosemDateTime;
  to: CosemDateTime;
  /** Columns to return (empty = all). */
  columns?: { classId: number; obis: Obis | string; attribute: number; dataIndex?: number }[];
}

function captureObjectDefinition(o: { classId: number; obis: Obis | string; attribute: number; dataIndex?: number }): DlmsValue {
  const obis = typeof o.obis === 'string' ? parseObis(o.obis) : o.obis;
  return {
    type: 'structure',
    value: [
      { type: 'long-unsigned', value: o.classId },
      { type: 'octet-string', value: hex(Uint8Array.from(obis)) },
      { type: 'integer', value: o.attribute },
      { type: 'long-unsigned', value: o.dataIndex ?? 0 },
    ],
  };
}

/**
 * Selective access by range (selector 1). The bounds travel as 12-byte octet strings; leave the
 * deviation and clock status "not specified" (the default of {@link cosemDateTime}) unless the
 * meter needs them: some meters answer nothing otherwise.
 */
export function rangeAccess(d: RangeDescriptor): AccessSelection {
  const restricting = d.restricting ?? { classId: Clock.id, obis: CLOCK_OBIS, attribute: Clock.attr.time, dataIndex: 0 };
  return {
    selector: PROFILE_SELECTOR.range,
    parameters: {
      type: 'structure',
      value: [
        captureObjectDefinition(restricting),
        { type: 'octet-string', value: hex(encodeDateTime(d.from)) },
        { type: 'octet-string', value: hex(encodeDateTime(d.to)) },
        { type: 'array', value: (d.columns ?? []).map(captureObjectDefinition) },
      ],
    },
  };
}

/** Selective access by entry (selector 2): entries and columns are 1-based, 0 "to" = the last. */
export function entryAccess(fromEntry: number, toEntry = 0, fromColumn = 1, toColumn = 0): AccessSelection {
  return {
    selector: PROFILE_SELECTOR.entry,
    parameters: {
      type: 'structure',
      value: [
        { type: 'double-long-unsigned', value: fromEntry },
        { type: 'double-long-unsigned', value: toEntry },
        { type: 'long-unsigned', value: fromColumn },
        { type: 'long-unsigned', value: toColumn },
      ],
    },
  };
}

// ----------------------------------------------------------------------- data notification, GBT

export interface DataNotification {
  longInvokeId: number;
  /** The date-time field when present (12 bytes); undefined when empty. */
  dateTime?: CosemDateTime;
  body: DlmsValue;
}

export function decodeDataNotification(b: Uint8Array): DataNotification {
  return guardDecode('data-notification', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.dataNotification) throw decodeError('not a data-notification');
    const longInvokeId = r.u32('long-invoke-id-and-priority');
    // date-time OCTET STRING OPTIONAL: 00 = absent; 0C + 12 bytes; some meters send 09 0C ….
    let dateTime: CosemDateTime | undefined;
    const first = r.u8('date-time');
    if (first === 0x09) {
      const n = r.length('date-time length');
      const dtBytes = r.bytes(n, 'date-time');
      if (n === 12) dateTime = decodeDateTime(dtBytes);
    } else if (first === 0x0c) dateTime = decodeDateTime(r.bytes(12, 'date-time'));
    else if (first !== 0x00) throw decodeError(`data-notification date-time field 0x${first.toString(16)}`);
    const body = readData(r);
    return dateTime ? { longInvokeId, dateTime, body } : { longInvokeId, body };
  });
}

export function encodeDataNotification(n: DataNotification): Uint8Array {
  const w = new Writer().u8(TAG.dataNotification).u32(n.longInvokeId);
  if (n.dateTime) w.u8(0x0c).bytes(encodeDateTime(n.dateTime));
  else w.u8(0);
  w.bytes(encodeData(n.body));
  return w.finish();
}

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

/**
 * Joins general-block-transfer blocks (E0 …) in order until the last block, then gives the
 * whole APDU. Blocks out of sequence restart the collection with a DECODE_ERROR.
 */
export class GeneralBlockAssembler {
  private parts: Uint8Array[] = [];
  private expected = 1;

  push(apdu: Uint8Array): Uint8Array | undefined {
    const g = decodeGeneralBlock(apdu);
    if (g.blockNumber !== this.expected) {
      const expected = this.expected;
      this.parts = [];
      this.expected = 1;
      if (g.blockNumber !== 1) throw decodeError(`general-block-transfer block ${g.blockNumber} where ${expected} was expected`);
    }
    this.parts.push(g.data);
    this.expected = g.blockNumber + 1;
    if (!g.lastBlock) return undefined;
    const whole = concat(...this.parts);
    this.parts = [];
    this.expected = 1;
    return whole;
  }
}
