/**
 * The profile buffer of the simulated meter as selective access sees it: rows as a sorted view,
 * range bounds turned into instants, and the rows and columns a range or entry selection picks.
 * The simulated meter keeps UTC (deviation 0), as its IEC readout does.
 */
import type { DlmsValue } from '../../engine/dlms/axdr';
import { unhex } from '../../engine/dlms/bytes';
import { decodeDateTime, type CosemDateTime } from '../../engine/dlms/datetime';
import type { Obis } from '../../engine/dlms/obis-code';
import type { AccessSelection } from '../../engine/dlms/apdu';
import { Clock, PROFILE_SELECTOR } from '../../engine/cosem/registry';
import { DAR } from './dar';

const obisKey = (o: ArrayLike<number>) => Array.from(o).join('.');

/** A COSEM date-time of a UTC instant (deviation 0, clock status 0). */
export function utcDateTime(t: number): CosemDateTime {
  const d = new Date(t);
  const dow = d.getUTCDay();
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    dayOfWeek: dow === 0 ? 7 : dow,
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    hundredths: Math.floor((t % 1000) / 10),
    deviation: 0,
    clockStatus: 0,
  };
}

/**
 * A COSEM date-time as a bound of a range read, in ms (UTC). Fields not specified widen the
 * bound (a missing date: unbounded; a missing time field: 0). A specified deviation follows the
 * DLMS convention (minutes to add to local time to get UTC: CET is -60); not specified means the
 * meter's own time (UTC here).
 */
export function boundToMs(dt: CosemDateTime, side: 'from' | 'to'): number {
  if (dt.year === null || dt.month === null || dt.day === null || dt.month > 12 || dt.day > 31) return side === 'from' ? -Infinity : Infinity;
  const local = Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour ?? 0, dt.minute ?? 0, dt.second ?? 0, (dt.hundredths ?? 0) * 10);
  return local + (dt.deviation ?? 0) * 60_000;
}

export interface CaptureObject {
  classId: number;
  ln: Obis;
  attribute: number;
  dataIndex: number;
}

/** The buffer as it stands at one instant: `count` rows, oldest first, sorted by time. */
export interface BufferView {
  count: number;
  time(i: number): number;
  row(i: number): DlmsValue[];
}

export const CLOCK_LN: Obis = [0, 0, 1, 0, 0, 255];
export const CLOCK_COLUMN: CaptureObject = { classId: Clock.id, ln: CLOCK_LN, attribute: Clock.attr.time, dataIndex: 0 };

/** First index with time ≥ t (binary search over a sorted view). */
function lowerBound(v: BufferView, t: number): number {
  let lo = 0;
  let hi = v.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v.time(mid) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function asCapture(v: DlmsValue | undefined): CaptureObject | undefined {
  if (v?.type !== 'structure' || v.value.length !== 4) return undefined;
  const [c, ln, a, di] = v.value;
  if (c?.type !== 'long-unsigned' || ln?.type !== 'octet-string' || ln.value.length !== 12 || a?.type !== 'integer' || di?.type !== 'long-unsigned')
    return undefined;
  return { classId: c.value, ln: Array.from(unhex(ln.value)) as Obis, attribute: a.value, dataIndex: di.value };
}

function asBound(v: DlmsValue | undefined): CosemDateTime | undefined {
  if (v?.type === 'date-time') return v.value;
  if (v?.type === 'octet-string' && v.value.length === 24) return decodeDateTime(unhex(v.value));
  return undefined;
}

const sameCapture = (a: CaptureObject, b: CaptureObject) =>
  a.classId === b.classId && obisKey(a.ln) === obisKey(b.ln) && a.attribute === b.attribute && a.dataIndex === b.dataIndex;

/** Rows and columns chosen by a selective access; a DAR when it cannot be served. */
export function selectRows(
  view: BufferView,
  columns: readonly CaptureObject[],
  access: AccessSelection | undefined,
): { from: number; to: number; cols: number[] } | { dar: number } {
  const all = columns.map((_, i) => i);
  if (!access) return { from: 0, to: view.count, cols: all };
  const p = access.parameters;
  if (p.type !== 'structure') return { dar: DAR.typeUnmatched };
  if (access.selector === PROFILE_SELECTOR.range) {
    const [restricting, fromV, toV, selected] = p.value;
    const r = asCapture(restricting);
    const from = asBound(fromV);
    const to = asBound(toV);
    if (!r || !from || !to) return { dar: DAR.typeUnmatched };
    // The restricting object must be the time column (the sort object, first capture object).
    if (!sameCapture({ ...r, dataIndex: 0 }, CLOCK_COLUMN) || !sameCapture(columns[0]!, CLOCK_COLUMN)) return { dar: DAR.otherReason };
    let cols = all;
    if (selected?.type === 'array' && selected.value.length > 0) {
      cols = [];
      for (const s of selected.value) {
        const c = asCapture(s);
        const i = c ? columns.findIndex((col) => sameCapture(col, c)) : -1;
        if (i < 0) return { dar: DAR.otherReason };
        cols.push(i);
      }
    } else if (selected && selected.type !== 'array') return { dar: DAR.typeUnmatched };
    const lo = lowerBound(view, boundToMs(from, 'from'));
    const toMs = boundToMs(to, 'to');
    const hi = toMs === Infinity ? view.count : lowerBound(view, toMs + 1);
    return { from: lo, to: Math.max(lo, hi), cols };
  }
  if (access.selector === PROFILE_SELECTOR.entry) {
    const n = (v: DlmsValue | undefined) =>
      v && (v.type === 'double-long-unsigned' || v.type === 'long-unsigned' || v.type === 'unsigned') ? v.value : undefined;
    const [fe, te, fc, tc] = p.value.map(n);
    if (fe === undefined || te === undefined || fc === undefined || tc === undefined) return { dar: DAR.typeUnmatched };
    const first = Math.max(1, fe);
    const last = te === 0 ? view.count : Math.min(te, view.count);
    const c0 = Math.max(1, fc);
    const c1 = tc === 0 ? columns.length : Math.min(tc, columns.length);
    if (c0 > c1) return { dar: DAR.otherReason };
    return { from: first - 1, to: Math.max(first - 1, last), cols: all.slice(c0 - 1, c1) };
  }
  return { dar: DAR.otherReason };
}
