/**
 * xDLMS InitiateRequest and InitiateResponse (the user-information of AARQ/AARE): DLMS version,
 * proposed and negotiated conformance block, max PDU size, dedicated key when ciphered.
 */
import { decodeError, guardDecode, Reader, Writer } from './bytes';
import { TAG } from './apdu';

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
  w.u8(0x5f)
    .u8(0x1f)
    .u8(0x04)
    .u8(0x00)
    .u8(c >>> 16)
    .u8(c >>> 8)
    .u8(c);
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
    return qos === undefined
      ? { dlmsVersion, conformance, maxReceivePduSize, vaaName }
      : { qualityOfService: qos, dlmsVersion, conformance, maxReceivePduSize, vaaName };
  });
}
