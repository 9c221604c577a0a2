/**
 * Pure decoding helpers for the COSEM interface classes a technician reads (Blue Book, IEC
 * 62056-6-2): Data (1), Register (3), Extended register (4), Demand register (5), Profile
 * generic (7), Clock (8), Association LN (15). They take A-XDR values (as GET returned them) and
 * give plain, display-ready data; numbers stay exact decimal text. Class ids and attribute
 * names live in the registry (./registry.ts).
 */
import { OmrError } from '../../../shared/errors';
import { float32Text, integerText, type DlmsValue } from '../dlms/axdr';
import { formatValue, type FormatOptions } from '../dlms/value-format';
import { unhex } from '../dlms/bytes';
import { decodeDateTime, formatDateTime, toIsoOffset, type CosemDateTime } from '../dlms/datetime';
import { formatObis } from '../dlms/obis-code';
import { lookupObis } from '../obis/names';
import { unitSymbol } from '../obis/units';
import { LOGICAL_NAME_ATTRIBUTE } from './registry';
import { scaleDecimal } from './scale';

const bad = (what: string, v: DlmsValue | undefined) => new OmrError('DECODE_ERROR', `${what}: unexpected ${v ? v.type : 'nothing'}`);

export interface ScalerUnit {
  scaler: number;
  /** The unit enum as sent. */
  unit: number;
  /** Its symbol (`kWh` is never invented: `Wh` with the scaler applied to the value). */
  symbol: string;
}

/** Register attribute 3 (scaler_unit): structure { integer scaler, enum unit }. */
export function decodeScalerUnit(v: DlmsValue): ScalerUnit {
  if (v.type !== 'structure' || v.value.length !== 2) throw bad('scaler_unit', v);
  const [s, u] = v.value;
  if (!s || (s.type !== 'integer' && s.type !== 'long') || !u || (u.type !== 'enum' && u.type !== 'unsigned')) throw bad('scaler_unit', v);
  return { scaler: s.value, unit: u.value, symbol: unitSymbol(u.value) };
}

/** A value as shown: exact decimal for numbers (scaler applied), text for strings, dates readable. */
export interface ValueText {
  /** Exact value text (scaler applied for numbers). */
  value: string;
  /** The value before scaling, when numeric. */
  raw?: string;
  scaler?: number;
  unit: string;
  /** For date-time values: local ISO text when complete. */
  time?: string;
}

/** Numeric text of a value (integers exactly, floats by their shortest decimal), else undefined. */
export function numericText(v: DlmsValue): string | undefined {
  const i = integerText(v);
  if (i !== undefined) return i;
  if (v.type === 'float32' && Number.isFinite(v.value)) return float32Text(v.value);
  if (v.type === 'float64' && Number.isFinite(v.value)) return String(v.value);
  return undefined;
}

/** A 12-byte octet string or a date-time value as a COSEM date-time, else undefined. */
export function asDateTime(v: DlmsValue | undefined): CosemDateTime | undefined {
  if (!v) return undefined;
  if (v.type === 'date-time') return v.value;
  if (v.type === 'octet-string' && v.value.length === 24) return decodeDateTime(unhex(v.value));
  return undefined;
}

/** Apply an optional scaler/unit to a value; `format` says where it holds logical names. */
export function valueText(v: DlmsValue, su?: ScalerUnit, format?: FormatOptions): ValueText {
  const n = numericText(v);
  if (n !== undefined) {
    if (!su || su.scaler === 0) return su ? { value: n, raw: n, scaler: 0, unit: su.symbol } : { value: n, raw: n, unit: '' };
    return { value: scaleDecimal(n, su.scaler), raw: n, scaler: su.scaler, unit: su.symbol };
  }
  const dt = asDateTime(v);
  if (dt) {
    const iso = toIsoOffset(dt);
    return iso ? { value: formatDateTime(dt), unit: '', time: iso } : { value: formatDateTime(dt), unit: '' };
  }
  if (v.type === 'visible-string' || v.type === 'utf8-string') return { value: v.value, unit: '' };
  if (v.type === 'octet-string') {
    const b = unhex(v.value);
    if (b.length > 0 && b.every((c) => c >= 0x20 && c < 0x7f)) return { value: String.fromCharCode(...b), unit: '' };
  }
  return { value: formatValue(v, format), unit: su?.symbol ?? '' };
}

/** Register (3) or the value part of Extended (4) / Demand (5) registers. */
export function decodeRegister(value: DlmsValue, scalerUnit: DlmsValue): ValueText {
  return valueText(value, decodeScalerUnit(scalerUnit));
}

export interface ExtendedRegister extends ValueText {
  status: string;
  captureTime?: CosemDateTime;
  captureTimeText?: string;
}

/** Extended register (4): value (2), scaler_unit (3), status (4), capture_time (5). */
export function decodeExtendedRegister(value: DlmsValue, scalerUnit: DlmsValue, status: DlmsValue, captureTime: DlmsValue): ExtendedRegister {
  const out: ExtendedRegister = { ...decodeRegister(value, scalerUnit), status: formatValue(status) };
  const ct = asDateTime(captureTime);
  if (ct) {
    out.captureTime = ct;
    out.captureTimeText = formatDateTime(ct);
  }
  return out;
}

export interface DemandRegister {
  current: ValueText;
  last: ValueText;
  status: string;
  captureTime?: CosemDateTime;
  startTimeCurrent?: CosemDateTime;
  /** Seconds. */
  period?: number;
  numberOfPeriods?: number;
}

/** Demand register (5): current (2), last (3), scaler_unit (4), status (5), capture_time (6), start_time_current (7), period (8), number_of_periods (9). */
export function decodeDemandRegister(attrs: {
  current: DlmsValue;
  last: DlmsValue;
  scalerUnit: DlmsValue;
  status?: DlmsValue;
  captureTime?: DlmsValue;
  startTimeCurrent?: DlmsValue;
  period?: DlmsValue;
  numberOfPeriods?: DlmsValue;
}): DemandRegister {
  const su = decodeScalerUnit(attrs.scalerUnit);
  const out: DemandRegister = { current: valueText(attrs.current, su), last: valueText(attrs.last, su), status: attrs.status ? formatValue(attrs.status) : '' };
  const ct = asDateTime(attrs.captureTime);
  if (ct) out.captureTime = ct;
  const st = asDateTime(attrs.startTimeCurrent);
  if (st) out.startTimeCurrent = st;
  const p = attrs.period && integerText(attrs.period);
  if (p) out.period = Number(p);
  const np = attrs.numberOfPeriods && integerText(attrs.numberOfPeriods);
  if (np) out.numberOfPeriods = Number(np);
  return out;
}

// ------------------------------------------------------------------------------- profile generic

export interface CaptureObject {
  classId: number;
  obis: string;
  attribute: number;
  dataIndex: number;
  /** Names from the OBIS table, when known. */
  name?: { en: string; fr: string };
}

export interface ProfileColumn extends CaptureObject {
  /** Scaler and unit applied to this column, when known (from the register's attribute 3). */
  scalerUnit?: ScalerUnit;
}

function captureObject(v: DlmsValue): CaptureObject {
  if (v.type !== 'structure' || v.value.length < 3) throw bad('capture object', v);
  const [c, o, a, d] = v.value;
  if (c?.type !== 'long-unsigned' || o?.type !== 'octet-string' || o.value.length !== 12 || (a?.type !== 'integer' && a?.type !== 'unsigned'))
    throw bad('capture object', v);
  const obis = formatObis(unhex(o.value));
  const out: CaptureObject = {
    classId: c.value,
    obis,
    attribute: a.value,
    dataIndex: d && (d.type === 'long-unsigned' || d.type === 'unsigned') ? d.value : 0,
  };
  const name = lookupObis(obis);
  if (name) out.name = name;
  return out;
}

/** Profile generic attribute 3 (capture_objects) → column descriptors. */
export function decodeCaptureObjects(v: DlmsValue): CaptureObject[] {
  if (v.type !== 'array') throw bad('capture_objects', v);
  return v.value.map(captureObject);
}

export interface ProfileRow {
  /** One cell per column: the raw value and its display text. */
  cells: { raw: DlmsValue; text: ValueText }[];
}

export interface Profile {
  columns: ProfileColumn[];
  rows: ProfileRow[];
}

/**
 * Profile generic attribute 2 (buffer) with its columns. `scalers` maps `obis/attribute` of a
 * register column (e.g. `1-0:1.8.0*255/2`) to its scaler_unit; columns without one are shown
 * raw. Rows must have as many values as there are columns.
 */
export function decodeProfileBuffer(buffer: DlmsValue, captureObjects: CaptureObject[], scalers: ReadonlyMap<string, ScalerUnit> = new Map()): Profile {
  if (buffer.type !== 'array' && buffer.type !== 'compact-array') throw bad('profile buffer', buffer);
  const columns: ProfileColumn[] = captureObjects.map((c) => {
    const su = scalers.get(`${c.obis}/${c.attribute}`);
    return su ? { ...c, scalerUnit: su } : { ...c };
  });
  const rows = buffer.value.map((row, i) => {
    if (row.type !== 'structure') throw bad(`profile row ${i}`, row);
    if (columns.length && row.value.length !== columns.length)
      throw new OmrError('DECODE_ERROR', `profile row ${i} has ${row.value.length} values for ${columns.length} columns`);
    return {
      cells: row.value.map((raw, j) => ({
        raw,
        text: valueText(raw, columns[j]?.scalerUnit, columns[j]?.attribute === LOGICAL_NAME_ATTRIBUTE ? { logicalName: true } : undefined),
      })),
    };
  });
  return { columns, rows };
}

/** Profile generic attribute 4 (capture_period) in seconds (0 = asynchronous). */
export function decodeCapturePeriod(v: DlmsValue): number {
  const n = integerText(v);
  if (n === undefined) throw bad('capture_period', v);
  return Number(n);
}

// ------------------------------------------------------------------------------------------ clock

export interface ClockInfo {
  time?: CosemDateTime;
  timeText?: string;
  /** Attribute 3: minutes, as the meter states its time zone (sign as sent). */
  timeZone?: number;
  /** Attribute 4: clock status bits. */
  status?: number;
  dstBegin?: string;
  dstEnd?: string;
  /** Attribute 7: DST deviation in minutes. */
  dstDeviation?: number;
  dstEnabled?: boolean;
  /** Attribute 9: 0 not defined, 1 internal crystal, 2 mains 50 Hz, 3 mains 60 Hz, 4 GPS, 5 radio. */
  clockBase?: number;
}

/** Clock (8) attributes by number (2..9); any may be missing. */
export function decodeClock(attrs: Partial<Record<2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, DlmsValue>>): ClockInfo {
  const out: ClockInfo = {};
  const t = asDateTime(attrs[2]);
  if (t) {
    out.time = t;
    out.timeText = formatDateTime(t);
  }
  const num = (v: DlmsValue | undefined) => (v ? integerText(v) : undefined);
  const tz = num(attrs[3]);
  if (tz !== undefined) out.timeZone = Number(tz);
  const st = num(attrs[4]);
  if (st !== undefined) out.status = Number(st);
  const b = asDateTime(attrs[5]);
  if (b) out.dstBegin = formatDateTime(b);
  const e = asDateTime(attrs[6]);
  if (e) out.dstEnd = formatDateTime(e);
  const dev = num(attrs[7]);
  if (dev !== undefined) out.dstDeviation = Number(dev);
  if (attrs[8]?.type === 'boolean') out.dstEnabled = attrs[8].value;
  const base = num(attrs[9]);
  if (base !== undefined) out.clockBase = Number(base);
  return out;
}

// ------------------------------------------------------------------------------ association LN

export const ATTRIBUTE_ACCESS_MODES: Record<number, string> = {
  0: 'no-access',
  1: 'read-only',
  2: 'write-only',
  3: 'read-and-write',
  4: 'authenticated-read-only',
  5: 'authenticated-write-only',
  6: 'authenticated-read-and-write',
};

export interface ObjectListEntry {
  classId: number;
  version: number;
  logicalName: string;
  name?: { en: string; fr: string };
  attributes: { id: number; access: number; accessName: string; selectors?: number[] }[];
  methods: { id: number; access: number }[];
}

/** Association LN (15) attribute 2 (object_list) → the objects the meter offers this client. */
export function decodeObjectList(v: DlmsValue): ObjectListEntry[] {
  if (v.type !== 'array') throw bad('object_list', v);
  return v.value.map((e, i) => {
    if (e.type !== 'structure' || e.value.length < 3) throw bad(`object_list entry ${i}`, e);
    const [c, ver, ln, rights] = e.value;
    if (c?.type !== 'long-unsigned' || ver?.type !== 'unsigned' || ln?.type !== 'octet-string' || ln.value.length !== 12)
      throw bad(`object_list entry ${i}`, e);
    const logicalName = formatObis(unhex(ln.value));
    const entry: ObjectListEntry = { classId: c.value, version: ver.value, logicalName, attributes: [], methods: [] };
    const name = lookupObis(logicalName);
    if (name) entry.name = name;
    if (rights?.type === 'structure' && rights.value.length >= 1) {
      const [attrs, methods] = rights.value;
      if (attrs?.type === 'array') {
        for (const a of attrs.value) {
          if (a.type !== 'structure' || a.value.length < 2) continue;
          const [id, mode, sel] = a.value;
          const idN = id ? integerText(id) : undefined;
          const modeN = mode ? integerText(mode) : undefined;
          if (idN === undefined || modeN === undefined) continue;
          const item: ObjectListEntry['attributes'][number] = {
            id: Number(idN),
            access: Number(modeN),
            accessName: ATTRIBUTE_ACCESS_MODES[Number(modeN)] ?? `access ${modeN}`,
          };
          if (sel?.type === 'array') item.selectors = sel.value.map((s) => Number(integerText(s) ?? -1));
          entry.attributes.push(item);
        }
      }
      if (methods?.type === 'array') {
        for (const m of methods.value) {
          if (m.type !== 'structure' || m.value.length < 2) continue;
          const [id, mode] = m.value;
          const idN = id ? integerText(id) : undefined;
          const access = mode?.type === 'boolean' ? (mode.value ? 1 : 0) : mode ? Number(integerText(mode) ?? 0) : 0;
          if (idN !== undefined) entry.methods.push({ id: Number(idN), access });
        }
      }
    }
    return entry;
  });
}
