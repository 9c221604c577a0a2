/**
 * The HDLC parameter negotiation carried by SNRM and UA (IEC 62056-46, 6.4.4.4.3.2):
 *
 *   81 (format id) 80 (group id) len | 05 l max-info-tx | 06 l max-info-rx | 07 l window-tx |
 *   08 l window-rx        (values 1, 2 or 4 bytes, big-endian)
 *
 * In the SNRM the values are the client's (tx = client → server); in the UA they are the
 * server's (its tx is what the client receives). Absent values take the defaults: 128 bytes and
 * a window of 1.
 */
import { OmrError } from '../../../shared/errors';
import { decodeError, Reader } from '../dlms/bytes';

export interface HdlcParameters {
  maxInfoTx: number;
  maxInfoRx: number;
  windowTx: number;
  windowRx: number;
}

export const DEFAULT_PARAMETERS: HdlcParameters = { maxInfoTx: 128, maxInfoRx: 128, windowTx: 1, windowRx: 1 };

const IDS: [keyof HdlcParameters, number][] = [
  ['maxInfoTx', 0x05],
  ['maxInfoRx', 0x06],
  ['windowTx', 0x07],
  ['windowRx', 0x08],
];

function valueBytes(v: number): number[] {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new OmrError('INVALID_REQUEST', `HDLC parameter ${v} out of range`);
  if (v <= 0xff) return [v];
  if (v <= 0xffff) return [v >>> 8, v & 0xff];
  return [Math.floor(v / 0x1000000), (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** The negotiation block for an SNRM; only the parameters given are sent. */
export function encodeParameters(p: Partial<HdlcParameters>): Uint8Array {
  const body: number[] = [];
  for (const [key, id] of IDS) {
    const v = p[key];
    if (v === undefined) continue;
    const b = valueBytes(v);
    body.push(id, b.length, ...b);
  }
  if (body.length === 0) return new Uint8Array(0);
  return Uint8Array.from([0x81, 0x80, body.length, ...body]);
}

/** Parse a negotiation block (SNRM or UA information field). Missing values get the defaults. */
export function decodeParameters(info: Uint8Array): HdlcParameters {
  const out: HdlcParameters = { ...DEFAULT_PARAMETERS };
  if (info.length === 0) return out;
  const r = new Reader(info);
  if (r.u8('format id') !== 0x81) throw decodeError('HDLC parameter block: format identifier is not 0x81');
  if (r.u8('group id') !== 0x80) throw decodeError('HDLC parameter block: group identifier is not 0x80');
  const len = r.u8('group length');
  const body = new Reader(r.bytes(len, 'parameter group'));
  while (!body.done) {
    const id = body.u8('parameter id');
    const l = body.u8('parameter length');
    if (l < 1 || l > 4) throw decodeError(`HDLC parameter 0x${id.toString(16)} with ${l}-byte value`);
    let v = 0;
    for (let i = 0; i < l; i++) v = v * 256 + body.u8('parameter value');
    const entry = IDS.find(([, i]) => i === id);
    if (entry) out[entry[0]] = v;
    // Unknown parameters are skipped (forward compatible).
  }
  return out;
}

/**
 * The parameters the client uses after the UA: it sends at most what the server receives and
 * receives what the server sends (the server's answer is authoritative, never above the proposal).
 */
export function negotiated(proposed: HdlcParameters, ua: HdlcParameters): HdlcParameters {
  return {
    maxInfoTx: Math.min(proposed.maxInfoTx, ua.maxInfoRx),
    maxInfoRx: ua.maxInfoTx,
    windowTx: Math.max(1, Math.min(proposed.windowTx, ua.windowRx)),
    windowRx: Math.max(1, ua.windowTx),
  };
}
