/**
 * COSEM date and time (Blue Book, 4.1.6.1): a date-time is 12 bytes
 *
 *   year (2, 0xFFFF = not specified) | month (0xFD DST end, 0xFE DST begin, 0xFF) |
 *   day of month (0xFD second last, 0xFE last, 0xFF) | day of week (1 = Monday … 7, 0xFF) |
 *   hour | minute | second | hundredths (0xFF each) | deviation (int16 minutes, 0x8000 = not
 *   specified) | clock status (0xFF = not specified)
 *
 * A date is the first 5 bytes, a time the 4 time bytes. "Not specified" is kept as `null`; the
 * special month/day values are kept as numbers. Nothing here ever invents a time zone: the
 * deviation is reported as the meter sent it.
 */
import { OmrError } from '../../../shared/errors';
import { decodeError } from './bytes';

export interface CosemDate {
  year: number | null;
  /** 1..12, or 0xFD (DST end) / 0xFE (DST begin); null = not specified. */
  month: number | null;
  /** 1..31, or 0xFD (second last day) / 0xFE (last day); null = not specified. */
  day: number | null;
  /** 1 = Monday … 7 = Sunday; null = not specified. */
  dayOfWeek: number | null;
}

export interface CosemTime {
  hour: number | null;
  minute: number | null;
  second: number | null;
  hundredths: number | null;
}

export interface CosemDateTime extends CosemDate, CosemTime {
  /** Minutes, as sent (int16); null = not specified (0x8000). */
  deviation: number | null;
  /** Clock status bits; null = not specified (0xFF). */
  clockStatus: number | null;
}

export const CLOCK_STATUS_BITS = [
  'invalid value',
  'doubtful value',
  'different clock base',
  'invalid clock status',
  'reserved',
  'reserved',
  'reserved',
  'daylight saving active',
] as const;

const nn = (b: number, ns = 0xff): number | null => (b === ns ? null : b);

export function decodeDate(b: Uint8Array, off = 0): CosemDate {
  if (b.length - off < 5) throw decodeError('COSEM date shorter than 5 bytes');
  const year = (b[off]! << 8) | b[off + 1]!;
  return { year: year === 0xffff ? null : year, month: nn(b[off + 2]!), day: nn(b[off + 3]!), dayOfWeek: nn(b[off + 4]!) };
}

export function decodeTime(b: Uint8Array, off = 0): CosemTime {
  if (b.length - off < 4) throw decodeError('COSEM time shorter than 4 bytes');
  return { hour: nn(b[off]!), minute: nn(b[off + 1]!), second: nn(b[off + 2]!), hundredths: nn(b[off + 3]!) };
}

export function decodeDateTime(b: Uint8Array, off = 0): CosemDateTime {
  if (b.length - off < 12) throw decodeError('COSEM date-time shorter than 12 bytes');
  const devRaw = (b[off + 9]! << 8) | b[off + 10]!;
  return {
    ...decodeDate(b, off),
    ...decodeTime(b, off + 5),
    deviation: devRaw === 0x8000 ? null : devRaw >= 0x8000 ? devRaw - 0x10000 : devRaw,
    clockStatus: nn(b[off + 11]!),
  };
}

function byteOr(v: number | null, what: string): number {
  if (v === null) return 0xff;
  if (!Number.isInteger(v) || v < 0 || v > 0xfe) throw new OmrError('INVALID_REQUEST', `date-time ${what} ${v} out of range`);
  return v;
}

export function encodeDate(d: CosemDate): Uint8Array {
  if (d.year !== null && (!Number.isInteger(d.year) || d.year < 0 || d.year > 0xfffe))
    throw new OmrError('INVALID_REQUEST', `date-time year ${d.year} out of range`);
  const y = d.year ?? 0xffff;
  return Uint8Array.of(y >>> 8, y & 0xff, byteOr(d.month, 'month'), byteOr(d.day, 'day'), byteOr(d.dayOfWeek, 'day of week'));
}

export function encodeTime(t: CosemTime): Uint8Array {
  return Uint8Array.of(byteOr(t.hour, 'hour'), byteOr(t.minute, 'minute'), byteOr(t.second, 'second'), byteOr(t.hundredths, 'hundredths'));
}

export function encodeDateTime(dt: CosemDateTime): Uint8Array {
  const out = new Uint8Array(12);
  out.set(encodeDate(dt), 0);
  out.set(encodeTime(dt), 5);
  if (dt.deviation !== null && (!Number.isInteger(dt.deviation) || dt.deviation < -0x7fff || dt.deviation > 0x7fff)) {
    throw new OmrError('INVALID_REQUEST', `date-time deviation ${dt.deviation} out of range`);
  }
  const dev = dt.deviation === null ? 0x8000 : dt.deviation & 0xffff;
  out[9] = dev >>> 8;
  out[10] = dev & 0xff;
  out[11] = byteOr(dt.clockStatus, 'clock status');
  return out;
}

/** A date-time with every field "not specified" except those given. */
export function cosemDateTime(fields: Partial<CosemDateTime>): CosemDateTime {
  return {
    year: null,
    month: null,
    day: null,
    dayOfWeek: null,
    hour: null,
    minute: null,
    second: null,
    hundredths: null,
    deviation: null,
    clockStatus: null,
    ...fields,
  };
}

const pad = (v: number | null, n: number): string => (v === null ? '*'.repeat(n) : String(v).padStart(n, '0'));

function monthText(m: number | null): string {
  if (m === 0xfd) return 'DE'; // daylight saving end
  if (m === 0xfe) return 'DB'; // daylight saving begin
  return pad(m, 2);
}
function dayText(d: number | null): string {
  if (d === 0xfd) return 'L2'; // second last day of month
  if (d === 0xfe) return 'LD'; // last day of month
  return pad(d, 2);
}

export function formatDate(d: CosemDate): string {
  return `${pad(d.year, 4)}-${monthText(d.month)}-${dayText(d.day)}`;
}

export function formatTime(t: CosemTime): string {
  const base = `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`;
  return t.hundredths === null ? base : `${base}.${pad(t.hundredths, 2)}`;
}

/**
 * Readable text: `2021-07-19 15:46:35` (hundredths `.hh` only when specified), unspecified fields as `*`, then the deviation as sent
 * (` dev -60`) and the clock status in hex (` st 0x80`) when specified. No time zone is invented.
 */
export function formatDateTime(dt: CosemDateTime): string {
  let s = `${formatDate(dt)} ${formatTime(dt)}`;
  if (dt.deviation !== null) s += ` dev ${dt.deviation}`;
  if (dt.clockStatus !== null) s += ` st 0x${dt.clockStatus.toString(16).padStart(2, '0')}`;
  return s;
}

/**
 * Local date-time text in ISO form without a zone (`2021-07-19T15:46:35`) when year, month, day,
 * hour, minute and second are all plain values; undefined otherwise.
 */
export function toIsoLocal(dt: CosemDateTime): string | undefined {
  const { year, month, day, hour, minute, second } = dt;
  if (year === null || month === null || day === null || hour === null || minute === null || second === null) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const frac = dt.hundredths !== null && dt.hundredths > 0 && dt.hundredths < 100 ? `.${String(dt.hundredths).padStart(2, '0')}` : '';
  return `${String(year).padStart(4, '0')}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${frac}`;
}

/**
 * ISO text with the UTC offset the meter gave (`2021-07-19T15:46:35+02:00`): the deviation is the
 * minutes to add to the wall time to get UTC, so -120 is +02:00. The wall time alone when the
 * deviation is not specified (0x8000) or beyond ±23:59; undefined when the date is not complete.
 */
export function toIsoOffset(dt: CosemDateTime): string | undefined {
  const wall = toIsoLocal(dt);
  if (!wall || dt.deviation === null || Math.abs(dt.deviation) >= 24 * 60) return wall;
  const off = -dt.deviation;
  const a = Math.abs(off);
  return `${wall}${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`;
}

/**
 * Parse the readable form produced by {@link formatDateTime} (or a plain `YYYY-MM-DD hh:mm[:ss]`,
 * `T` also accepted); `*` marks a field not specified. Invalid text is INVALID_REQUEST.
 */
export function parseDateTime(text: string): CosemDateTime {
  const m =
    /^\s*(\*{4}|\d{4})-(\*\*|DE|DB|\d{1,2})-(\*\*|L2|LD|\d{1,2})[ T](\*\*|\d{1,2}):(\*\*|\d{1,2})(?::(\*\*|\d{1,2})(?:\.(\*\*|\d{1,2}))?)?(?:\s+dev\s+(-?\d+))?(?:\s+st\s+0x([0-9a-fA-F]{1,2}))?\s*$/.exec(
      text,
    );
  if (!m) throw new OmrError('INVALID_REQUEST', `not a date-time: ${text}`);
  const num = (s: string | undefined): number | null => (s === undefined || s.startsWith('*') ? null : Number(s));
  const month = m[2] === 'DE' ? 0xfd : m[2] === 'DB' ? 0xfe : num(m[2]);
  const day = m[3] === 'L2' ? 0xfd : m[3] === 'LD' ? 0xfe : num(m[3]);
  const second = m[6] === undefined ? 0 : num(m[6]);
  const hundredths = m[7] === undefined ? null : num(m[7]);
  const dt = cosemDateTime({
    year: num(m[1]),
    month,
    day,
    hour: num(m[4]),
    minute: num(m[5]),
    second,
    hundredths,
    deviation: m[8] === undefined ? null : Number(m[8]),
    clockStatus: m[9] === undefined ? null : parseInt(m[9], 16),
  });
  encodeDateTime(dt); // range check
  return dt;
}
