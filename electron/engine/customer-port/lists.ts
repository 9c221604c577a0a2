/**
 * The body of a pushed data-notification as numbered positions, each with the OBIS code the
 * payload itself gives (or none). Shapes met on real meters:
 * - IDIS push: the first element is the capture-object list `{class, obis, attribute, …}`, the
 *   values follow in that order (its first entry may be the push setup, class 40, without value);
 * - self-describing structures `{obis, value[, {scaler, unit}]}`;
 * - flat labelled runs `obis, value[, {scaler, unit}]` (at least two such runs, or beside
 *   self-describing structures: a single 6-byte octet string before a value is a value, not a label);
 * - descriptor entries `{class-id, obis, attribute (untagged), value}` (EG.D, Sagemcom XT211);
 * - bare values, which only a layout can name.
 * Nothing here invents an OBIS code: a position the payload does not name stays unnamed.
 */
import { formatObis } from '../../../shared/obis-code';
import { bcdText, integerText, type DlmsValue } from '../dlms/axdr';
import { decodeDateTime, toIsoOffset, formatDateTime } from '../dlms/datetime';

export interface Position {
  /** 1-based index of the value among the body's top-level elements. */
  at: number;
  value: DlmsValue;
  /** OBIS code given by the payload for this value. */
  obis?: string;
  /** COSEM attribute given by the payload (capture-object list, descriptor entry). */
  attribute?: number;
  scalerUnit?: { scaler: number; unit: number };
}

export type BodyShape = 'capture-list' | 'descriptor-entries' | 'self-describing' | 'labelled' | 'bare';

export function octets(v: DlmsValue | undefined): Uint8Array | undefined {
  if (v?.type !== 'octet-string') return undefined;
  const out = new Uint8Array(v.value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(v.value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export const obisOf = (v: DlmsValue | undefined): string | undefined => {
  const b = octets(v);
  return b && b.length === 6 ? formatObis(b) : undefined;
};

function scalerUnitOf(v: DlmsValue | undefined): { scaler: number; unit: number } | undefined {
  if (v?.type !== 'structure' || v.value.length !== 2) return undefined;
  const [s, u] = v.value;
  if (!s || !u || (s.type !== 'integer' && s.type !== 'long') || u.type !== 'enum') return undefined;
  return { scaler: s.value, unit: u.value };
}

const selfDescribing = (v: DlmsValue): boolean => v.type === 'structure' && v.value.length >= 2 && v.value.length <= 3 && obisOf(v.value[0]) !== undefined;

/** The positions of a body, and which shape it had. */
export function bodyPositions(body: DlmsValue): { shape: BodyShape; positions: Position[] } {
  const items = body.type === 'structure' || body.type === 'array' ? body.value : [body];
  const first = items[0];
  const list =
    first?.type === 'array' &&
    first.value.length > 0 &&
    first.value.every((e) => e.type === 'structure' && e.value.length >= 3 && obisOf(e.value[1]) !== undefined)
      ? first.value.map((e) =>
          e.type === 'structure'
            ? { classId: Number(integerText(e.value[0]!)), obis: obisOf(e.value[1])!, attribute: Number(integerText(e.value[2]!)) }
            : undefined,
        )
      : undefined;
  if (list) {
    const named = list[0]?.classId === 40 && list.length === items.length ? list.slice(1) : list;
    return {
      shape: 'capture-list',
      positions: items.slice(1).map((value, i) => {
        const c = named[i];
        return c ? { at: i + 2, value, obis: c.obis, attribute: c.attribute } : { at: i + 2, value };
      }),
    };
  }
  // Labelled runs: only when they repeat, or sit beside self-describing structures.
  const isLabel = (i: number): boolean =>
    obisOf(items[i]) !== undefined && items[i + 1] !== undefined && obisOf(items[i + 1]) === undefined && !selfDescribing(items[i + 1]!);
  let labels = 0;
  let described = 0;
  for (let i = 0; i < items.length; i++) {
    if (selfDescribing(items[i]!)) described++;
    else if (isLabel(i)) {
      labels++;
      i++;
    }
  }
  const useLabels = labels >= 2 || (labels === 1 && described > 0);
  const positions: Position[] = [];
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!;
    if (selfDescribing(v) && v.type === 'structure') {
      const su = scalerUnitOf(v.value[2]);
      positions.push({ at: i + 1, value: v.value[1]!, obis: obisOf(v.value[0])!, ...(su ? { scalerUnit: su } : {}) });
      continue;
    }
    if (useLabels && isLabel(i)) {
      const su = scalerUnitOf(items[i + 2]);
      positions.push({ at: i + 2, value: items[i + 1]!, obis: obisOf(v)!, ...(su ? { scalerUnit: su } : {}) });
      i += su ? 2 : 1;
      continue;
    }
    positions.push({ at: i + 1, value: v });
  }
  const shape: BodyShape = useLabels ? 'labelled' : described > 0 ? 'self-describing' : 'bare';
  return { shape, positions };
}

// ------------------------------------------------------------------------------- signatures

const ABBR: Partial<Record<DlmsValue['type'], string>> = {
  'null-data': 'null',
  boolean: 'bool',
  'bit-string': 'bits',
  'double-long': 'i32',
  'double-long-unsigned': 'u32',
  'octet-string': 'os',
  'visible-string': 'vs',
  'utf8-string': 'utf8',
  bcd: 'bcd',
  integer: 'i8',
  long: 'i16',
  unsigned: 'u8',
  'long-unsigned': 'u16',
  long64: 'i64',
  'long64-unsigned': 'u64',
  enum: 'enum',
  float32: 'f32',
  float64: 'f64',
  'date-time': 'dt',
  date: 'date',
  time: 'time',
};

/** A value's type as a short code (`u32`, `os12`, `s(os6,u32)`). */
export function typeCode(v: DlmsValue, depth = 0): string {
  if (v.type === 'structure') return depth >= 2 ? `s${v.value.length}` : `s(${v.value.map((x) => typeCode(x, depth + 1)).join(',')})`;
  if (v.type === 'array' || v.type === 'compact-array') return `a${v.value.length}`;
  // Octet strings keep their length where it tells the content (time 4, date 5, OBIS 6,
  // date-time 12); texts of varying length (serials, type names) are just `os`.
  if (v.type === 'octet-string') return [4, 5, 6, 12].includes(v.value.length / 2) ? `os${v.value.length / 2}` : 'os';
  return ABBR[v.type] ?? v.type;
}

/**
 * The structure signature of a body: the type codes of its top-level elements. Two pushes of the
 * same list have the same signature; a short and a long list of one meter do not.
 */
export function bodySignature(body: DlmsValue): string {
  const items = body.type === 'structure' || body.type === 'array' ? body.value : [body];
  return items.map((v) => typeCode(v)).join(',');
}

/** A short stable name for a signature (FNV-1a, 32 bits, hex). */
export function signatureId(signature: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < signature.length; i++) {
    h ^= signature.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

// ------------------------------------------------------------------------------ value texts

const printable = (b: Uint8Array): boolean => b.length > 0 && b.every((c) => (c >= 0x20 && c < 0x7f) || c === 0);

/**
 * A value as text: numbers exact, strings as text, date-times ISO, other octets as hex. A 6-byte
 * octet string reads as an OBIS code only where the payload says the value is a logical name
 * (`logicalName`: attribute 1 of its capture object).
 */
export function valueText(v: DlmsValue, logicalName = false): string {
  if (v.type === 'visible-string' || v.type === 'utf8-string') return v.value;
  if (v.type === 'date-time') return toIsoOffset(v.value) ?? formatDateTime(v.value);
  const b = octets(v);
  if (b) {
    if (b.length === 12 && looksLikeDateTime(b)) {
      const dt = decodeDateTime(b);
      return toIsoOffset(dt) ?? formatDateTime(dt);
    }
    if (logicalName && b.length === 6) return formatObis(b);
    // Serial numbers travel as printable octet strings, sometimes padded with NULs.
    if (printable(b)) return String.fromCharCode(...b).replace(/\0+$/, '');
    return v.type === 'octet-string' ? v.value : '';
  }
  if (v.type === 'boolean') return v.value ? 'true' : 'false';
  if (v.type === 'bcd') return bcdText(v.value);
  if (v.type === 'float32' || v.type === 'float64') return String(v.value);
  if (v.type === 'structure' || v.type === 'array') return `[${v.value.map((e) => valueText(e)).join(', ')}]`;
  return integerText(v) ?? ('value' in v ? String(v.value) : '');
}

/** The raw form of a value: hex for octet strings, decimal for integers. */
export function rawText(v: DlmsValue): string {
  if (v.type === 'octet-string') return v.value;
  return integerText(v) ?? valueText(v);
}

export function looksLikeDateTime(b: Uint8Array): boolean {
  return b.length === 12 && (b[0] === 0xff || (b[0]! >= 0x07 && b[0]! <= 0x08)) && (b[2]! <= 12 || b[2]! >= 0xfd) && (b[3]! <= 31 || b[3]! >= 0xfd);
}
