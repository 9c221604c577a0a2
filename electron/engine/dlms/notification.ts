/**
 * data-notification: what a meter pushes unsolicited (long invoke id, optional date-time, body).
 */
import { encodeData, readData, type DlmsValue } from './axdr';
import { decodeError, guardDecode, Reader, Writer } from './bytes';
import { decodeDateTime, encodeDateTime, type CosemDateTime } from './datetime';
import { TAG } from './apdu';

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
