/**
 * Operators' push list layouts as data. Many customer-port lists carry bare values: which value
 * is which, and with what unit and scaler, is written in the operator's document, not in the
 * frame. A layout file names the positions of one such list:
 *
 *   { "name": "kaifa-no-list3-3ph", "operator": "…", "meters": ["Kaifa MA304H3E"],
 *     "source": "https://…", "signature": "vs,vs,vs,u32,…",
 *     "match": { "1": "KFM_001" },                       (optional: text a position must hold)
 *     "positions": [ { "at": 4, "obis": "1-0:1.7.0", "unit": "W", "scaler": 0 },
 *                    { "at": 14, "obis": "0-0:1.0.0", "decode": "datetime" },
 *                    { "at": 3, "obis": "0-0:1.0.0", "decode": "time+date" } … ] }
 *
 * `at` is the 1-based index of the element in the body (as `#n` shows it); `decode` is number
 * (default for integers: value × 10^scaler), text, hex, datetime (12-byte date-time), date (5
 * bytes), time (4 bytes), or time+date (a 4-byte time at `at` and a 5-byte date at `at + 1`, one
 * reading). A layout matches a body whose signature is exactly its `signature` and whose `match`
 * texts hold. Parsing a layout checks every field; a bad file is a clear INVALID_REQUEST error.
 */
import { OmrError } from '../../../shared/errors';
import { parseObis, formatObis } from '../../../shared/obis-code';
import type { DlmsValue } from '../dlms/axdr';
import { decodeDate, decodeTime, formatDate, formatTime } from '../dlms/datetime';
import { octets, valueText } from './lists';

export type Decode = 'number' | 'text' | 'hex' | 'datetime' | 'date' | 'time' | 'time+date';
const DECODES: readonly Decode[] = ['number', 'text', 'hex', 'datetime', 'date', 'time', 'time+date'];

export interface LayoutPosition {
  at: number;
  obis: string;
  unit?: string;
  scaler?: number;
  decode?: Decode;
  /** What the position is, in words (documentation). */
  label?: string;
}

export interface Layout {
  name: string;
  operator: string;
  meters: string[];
  source: string;
  signature: string;
  match?: Record<string, string>;
  positions: LayoutPosition[];
  /** Where the layout came from (file path): shown in errors. */
  origin?: string;
}

const MAX_POSITIONS = 256;

function fail(origin: string, what: string): never {
  throw new OmrError('INVALID_REQUEST', `layout ${origin}: ${what}`);
}

const str = (o: Record<string, unknown>, k: string, origin: string, optional = false): string | undefined => {
  const v = o[k];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.trim() === '') fail(origin, `"${k}" must be a non-empty string`);
  return v;
};

/** Check a parsed layout file; throws INVALID_REQUEST naming the file and the field. */
export function parseLayout(json: unknown, origin: string): Layout {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(origin, 'must be a JSON object');
  const o = json as Record<string, unknown>;
  const known = new Set(['name', 'operator', 'meters', 'source', 'signature', 'match', 'positions', 'notes', 'fixtures']);
  for (const k of Object.keys(o)) if (!known.has(k)) fail(origin, `unknown field "${k}"`);
  const name = str(o, 'name', origin)!;
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) fail(origin, `"name" must be lower-case letters, digits, . _ - (got "${name}")`);
  const meters = o.meters;
  if (!Array.isArray(meters) || meters.some((m) => typeof m !== 'string')) fail(origin, '"meters" must be an array of strings');
  const signature = str(o, 'signature', origin)!;
  if (!/^[a-z0-9(),]+$/.test(signature)) fail(origin, '"signature" must be type codes as omr listen prints them (e.g. "vs,vs,u32")');
  let match: Record<string, string> | undefined;
  if (o.match !== undefined) {
    if (typeof o.match !== 'object' || o.match === null || Array.isArray(o.match)) fail(origin, '"match" must be an object { "position": "text" }');
    match = {};
    for (const [k, v] of Object.entries(o.match as Record<string, unknown>)) {
      if (!/^\d+$/.test(k) || typeof v !== 'string') fail(origin, `"match" entry "${k}" must map a position number to a text`);
      match[k] = v;
    }
  }
  const size = signature.split(',').length;
  if (!Array.isArray(o.positions) || o.positions.length === 0 || o.positions.length > MAX_POSITIONS)
    fail(origin, `"positions" must be an array of 1 to ${MAX_POSITIONS} entries`);
  const seen = new Set<number>();
  const positions = (o.positions as unknown[]).map((p, i) => {
    const where = `positions[${i}]`;
    if (typeof p !== 'object' || p === null) fail(origin, `${where} must be an object`);
    const e = p as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!['at', 'obis', 'unit', 'scaler', 'decode', 'label'].includes(k)) fail(origin, `${where}: unknown field "${k}"`);
    const at = e.at;
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 1) fail(origin, `${where}: "at" must be a position number from 1`);
    if (at > size) fail(origin, `${where}: "at" ${at} is beyond the ${size} elements of the signature`);
    if (seen.has(at)) fail(origin, `${where}: position ${at} named twice`);
    seen.add(at);
    let obis: string;
    try {
      obis = formatObis(parseObis(String(e.obis ?? '')));
    } catch {
      fail(origin, `${where}: "obis" must be an OBIS code such as 1-0:1.8.0 (got ${JSON.stringify(e.obis)})`);
    }
    if (e.unit !== undefined && typeof e.unit !== 'string') fail(origin, `${where}: "unit" must be a string`);
    if (e.scaler !== undefined && (typeof e.scaler !== 'number' || !Number.isInteger(e.scaler) || Math.abs(e.scaler) > 20))
      fail(origin, `${where}: "scaler" must be an integer between -20 and 20`);
    if (e.decode !== undefined && !DECODES.includes(e.decode as Decode)) fail(origin, `${where}: "decode" must be one of ${DECODES.join(', ')}`);
    if (e.decode === 'time+date') {
      if (at + 1 > size) fail(origin, `${where}: time+date needs the date at position ${at + 1}`);
      seen.add(at + 1);
    }
    const out: LayoutPosition = { at, obis };
    if (e.unit !== undefined) out.unit = e.unit as string;
    if (e.scaler !== undefined) out.scaler = e.scaler as number;
    if (e.decode !== undefined) out.decode = e.decode as Decode;
    if (typeof e.label === 'string') out.label = e.label;
    return out;
  });
  const layout: Layout = {
    name,
    operator: str(o, 'operator', origin)!,
    meters: meters as string[],
    source: str(o, 'source', origin)!,
    signature,
    positions,
    origin,
  };
  if (match) layout.match = match;
  return layout;
}

/** The layout whose signature and match texts fit this body, if any. */
export function findLayout(layouts: readonly Layout[], signature: string, items: readonly DlmsValue[]): Layout | undefined {
  return layouts.find(
    (l) =>
      l.signature === signature &&
      Object.entries(l.match ?? {}).every(([at, text]) => items[Number(at) - 1] !== undefined && valueText(items[Number(at) - 1]!) === text),
  );
}

/** A position's value decoded as the layout says: value text and, for numbers, raw text. */
export function decodeAs(p: LayoutPosition, v: DlmsValue, next: DlmsValue | undefined): { value: string; raw?: string } {
  const b = octets(v);
  switch (p.decode) {
    case 'time+date': {
      const nb = octets(next);
      if (!b || b.length !== 4 || !nb || nb.length !== 5)
        throw new OmrError('DECODE_ERROR', `position ${p.at}: time+date wants a 4-byte time then a 5-byte date`);
      const d = decodeDate(nb);
      const t = decodeTime(b);
      const iso = isoOf(d, t);
      return { value: iso ?? `${formatDate(d)} ${formatTime(t)}` };
    }
    case 'time':
      if (!b || b.length !== 4) throw new OmrError('DECODE_ERROR', `position ${p.at}: time wants 4 bytes`);
      return { value: formatTime(decodeTime(b)) };
    case 'date':
      if (!b || b.length !== 5) throw new OmrError('DECODE_ERROR', `position ${p.at}: date wants 5 bytes`);
      return { value: formatDate(decodeDate(b)) };
    case 'hex':
      return { value: b ? (v.type === 'octet-string' ? v.value : '') : valueText(v) };
    case 'text':
    case 'datetime':
      return { value: valueText(v) };
    default:
      return { value: valueText(v) };
  }
}

function isoOf(d: ReturnType<typeof decodeDate>, t: ReturnType<typeof decodeTime>): string | undefined {
  if (d.year === null || d.month === null || d.day === null || t.hour === null || t.minute === null) return undefined;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${d.year}-${p2(d.month)}-${p2(d.day)}T${p2(t.hour)}:${p2(t.minute)}:${p2(t.second ?? 0)}`;
}
