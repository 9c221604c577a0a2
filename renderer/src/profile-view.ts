/**
 * What a technician reads from a load profile: the consumption of each interval (the difference
 * of a cumulative energy register between two rows), the totals beside it, the other columns as
 * measured, and the status word as flags (power failure, clock set…), not as a number.
 * Numbers here serve drawing and the interval table; exact texts stay in the session.
 */
import type { ProfileData } from '../../shared/session';

export type ProfileFlag = 'powerDown' | 'clockAdjusted' | 'dataInvalid' | 'clockInvalid' | 'criticalError' | 'daylightSaving';

/** AMR profile status bits (IDIS, 0-0:96.10.x): the flags a technician needs to see. */
const STATUS_BITS: [number, ProfileFlag][] = [
  [0x80, 'powerDown'],
  [0x20, 'clockAdjusted'],
  [0x04, 'dataInvalid'],
  [0x02, 'clockInvalid'],
  [0x01, 'criticalError'],
];

/** Flags of a status value (decimal or `0x` hex text); daylight saving alone is no flag to show. */
export function statusFlags(text: string | undefined): ProfileFlag[] {
  if (text === undefined || text === '') return [];
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : Number(text);
  if (!Number.isInteger(n) || n < 0) return [];
  return STATUS_BITS.filter(([bit]) => (n & bit) !== 0).map(([, f]) => f);
}

const ENERGY_UNITS = new Set(['Wh', 'kWh', 'MWh', 'varh', 'kvarh', 'Mvarh', 'VAh', 'kVAh', 'MVAh']);

export interface ProfileView {
  timeCol: number;
  statusCol?: number;
  /** Cumulative energy registers: drawn per interval. */
  energyCols: number[];
  /** Everything else that is a number (power, voltage…): drawn as measured. */
  otherCols: number[];
  intervals: Interval[];
}

export interface Interval {
  /** Seconds since the epoch (of the row's time text as written). */
  t: number;
  /** The row as read. */
  row: string[];
  /** Per energy column: this row's total minus the previous row's (null for the first row or a gap). */
  deltas: (number | null)[];
  flags: ProfileFlag[];
}

/** The time column of a profile: the clock, else the first column whose values read as dates. */
export function timeColumn(p: ProfileData): number {
  const i = p.columns.findIndex((c, k) => c.obis === '0-0:1.0.0*255' || (p.rows[0] !== undefined && /^\d{4}-\d{2}-\d{2}T/.test(p.rows[0][k] ?? '')));
  return i < 0 ? 0 : i;
}

function seconds(text: string | undefined): number {
  // Meter wall time, drawn as written: its UTC offset (if any) left aside, read as UTC so no shift is added.
  if (!text) return NaN;
  return Date.parse(`${text.replace(/(?:Z|[+-]\d{2}:\d{2})$/, '')}Z`) / 1000;
}

export function profileView(p: ProfileData): ProfileView {
  const timeCol = timeColumn(p);
  const statusCol = p.columns.findIndex((c) => /^0-0:96\.10\.\d+\*\d+$/.test(c.obis));
  // The clock status and deviation kept beside the time (`part`) are no quantity to draw.
  const rest = p.columns.map((_, i) => i).filter((i) => i !== timeCol && i !== statusCol && !p.columns[i]!.part);
  const energyCols = rest.filter((i) => ENERGY_UNITS.has(p.columns[i]!.unit));
  const otherCols = rest.filter((i) => !energyCols.includes(i) && p.rows.some((r) => r[i] !== undefined && r[i] !== '' && Number.isFinite(Number(r[i]))));
  const rows = p.rows
    .map((row) => ({ t: seconds(row[timeCol]), row }))
    .filter((o) => Number.isFinite(o.t))
    .sort((a, b) => a.t - b.t);
  const period = p.capturePeriodS;
  const intervals: Interval[] = rows.map((o, k) => {
    const prev = rows[k - 1];
    // A gap longer than one period (missing rows) is not one interval's consumption.
    const adjacent = prev !== undefined && (!period || o.t - prev.t <= period);
    const deltas = energyCols.map((i) => {
      if (!adjacent) return null;
      const a = Number(prev!.row[i]);
      const b = Number(o.row[i]);
      if (!Number.isFinite(a) || !Number.isFinite(b) || b < a) return null;
      // Rounded to the column's scaler so 0.1 + 0.2 noise does not show.
      const digits = Math.max(0, -(p.columns[i]!.scaler ?? -3));
      return Number((b - a).toFixed(Math.min(digits, 9)));
    });
    return { t: o.t, row: o.row, deltas, flags: statusCol >= 0 ? statusFlags(o.row[statusCol]) : [] };
  });
  return { timeCol, ...(statusCol >= 0 ? { statusCol } : {}), energyCols, otherCols, intervals };
}
