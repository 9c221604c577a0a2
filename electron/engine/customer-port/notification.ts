/**
 * A data-notification read with care for what meters really send: the A-XDR body as usual; the
 * descriptor-entry form `structure{enum, array of structure{class-id u16, obis 6, attribute i8
 * (untagged), value}}` (EG.D, Sagemcom XT211); and a top-level structure cut short (fewer elements
 * than its count says), whose elements read so far are kept and the shortfall reported.
 */
import { OmrError } from '../../../shared/errors';
import { formatObis } from '../../../shared/obis-code';
import { readData, type DlmsValue } from '../dlms/axdr';
import { Reader } from '../dlms/bytes';
import { decodeDateTime, type CosemDateTime } from '../dlms/datetime';
import type { Position } from './lists';

export interface Notification {
  longInvokeId: number;
  dateTime?: CosemDateTime;
  body: DlmsValue;
  /** Descriptor-entry form: the positions, named by the entries. */
  entries?: Position[];
  /** Set when the body was shorter than its count: what is missing. */
  truncated?: string;
}

function header(b: Uint8Array): { r: Reader; longInvokeId: number; dateTime?: CosemDateTime } {
  const r = new Reader(b);
  if (r.u8('tag') !== 0x0f) throw new OmrError('DECODE_ERROR', 'not a data-notification');
  const longInvokeId = r.u32('long-invoke-id-and-priority');
  const first = r.u8('date-time');
  let dateTime: CosemDateTime | undefined;
  if (first === 0x09) {
    const n = r.length('date-time length');
    const dt = r.bytes(n, 'date-time');
    if (n === 12) dateTime = decodeDateTime(dt);
  } else if (first === 0x0c) dateTime = decodeDateTime(r.bytes(12, 'date-time'));
  else if (first !== 0x00) throw new OmrError('DECODE_ERROR', `data-notification date-time field 0x${first.toString(16)}`);
  return dateTime ? { r, longInvokeId, dateTime } : { r, longInvokeId };
}

const MAX_ELEMENTS = 1024;

export function decodeNotification(b: Uint8Array): Notification {
  const h = header(b);
  const start = h.r.pos;
  const base = { longInvokeId: h.longInvokeId, ...(h.dateTime ? { dateTime: h.dateTime } : {}) };
  try {
    const body = readData(h.r);
    return { ...base, body };
  } catch (e) {
    const entries = descriptorEntries(b, start);
    if (entries) return { ...base, body: { type: 'structure', value: entries.map((p) => p.value) }, entries };
    const partial = partialStructure(b, start);
    if (partial) return { ...base, ...partial };
    throw e instanceof OmrError ? e : new OmrError('DECODE_ERROR', String(e));
  }
}

/** Where a descriptor-entry body starting at `start` ends, or undefined (not that form, or cut). */
export function descriptorEntriesEnd(b: Uint8Array, start: number): number | 'more' | undefined {
  const r = descriptorEntriesRead(b, start, false);
  return r === 'more' ? 'more' : r?.end;
}

/** `02 02 16 xx 01 N (02 02 <u16 class> <6 obis> <i8 attr> <Data>)×N` → positions, or undefined. */
function descriptorEntries(b: Uint8Array, start: number): Position[] | undefined {
  const r = descriptorEntriesRead(b, start, true);
  return r === 'more' ? undefined : r?.positions;
}

function descriptorEntriesRead(b: Uint8Array, start: number, whole: boolean): { positions: Position[]; end: number } | 'more' | undefined {
  try {
    const r = new Reader(b, start);
    if (r.u8('tag') !== 0x02 || r.u8('count') !== 0x02) return undefined;
    readData(r); // the list's kind (enum)
    if (r.u8('array') !== 0x01) return undefined;
    const n = r.length('entries');
    if (n > MAX_ELEMENTS) return undefined;
    const out: Position[] = [];
    for (let i = 0; i < n; i++) {
      if (r.u8('entry') !== 0x02 || r.u8('entry count') !== 0x02) return undefined;
      r.u16('class-id');
      const obis = formatObis(r.bytes(6, 'obis'));
      const attribute = r.u8('attribute');
      out.push({ at: i + 1, value: readData(r), obis, attribute });
    }
    return !whole || r.done ? { positions: out, end: r.pos } : undefined;
  } catch (e) {
    return /truncated/.test(String((e as Error).message)) ? 'more' : undefined;
  }
}

/** A top-level structure or array with fewer elements than announced: keep what is there. */
function partialStructure(b: Uint8Array, start: number): { body: DlmsValue; truncated: string } | undefined {
  const r = new Reader(b, start);
  const tag = r.u8('tag');
  if (tag !== 0x01 && tag !== 0x02) return undefined;
  const n = r.length('count');
  const value: DlmsValue[] = [];
  for (let i = 0; i < n && i < MAX_ELEMENTS; i++) {
    const at = r.pos;
    try {
      value.push(readData(r));
    } catch {
      r.pos = at;
      break;
    }
  }
  if (value.length === 0 || value.length >= n) return undefined;
  return {
    body: { type: tag === 0x01 ? 'array' : 'structure', value },
    truncated: `the body announces ${n} elements and holds ${value.length} whole ones (${r.remaining} byte(s) left over)`,
  };
}
