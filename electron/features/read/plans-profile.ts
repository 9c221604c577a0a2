/**
 * Profile generic reads: a load profile between two dates (range access with the meter's wall
 * time, rows decoded and journaled block by block as they arrive, an interrupted read continued
 * after its last kept row) and event logs.
 */
import { OmrError } from '../../../shared/errors';
import type { MeterEvent, ProfileData } from '../../../shared/session';
import { decodeCaptureObjects, decodeCapturePeriod, decodeProfileBuffer, type CaptureObject } from '../../engine/cosem/classes';
import { decodeEventLog } from '../../engine/cosem/events';
import { DemandRegister, ProfileGeneric, VALUE_ATTRIBUTE } from '../../engine/cosem/registry';
import type { DlmsValue } from '../../engine/dlms/axdr';
import { cosemDateTime, type CosemDateTime } from '../../engine/dlms/datetime';
import { rangeAccess } from '../../engine/dlms/selective-access';
import { ArrayStream, ProfileAssembler, type DataBlock } from './profile-stream';

import { checkCancel, EVENT_LOGS, fatal, loadScalers, norm, objectFailed, scalerAttribute, warn, type PlanContext, type ProfileResume } from './plan-run';

/**
 * A range bound as the meter's wall time, deviation and status "not specified" (some meters
 * answer nothing otherwise). The wall time at the bound follows the daylight saving rules of the
 * zone in force at the bound, not today's offset: a bound in summer read in winter is the
 * summer wall time. When the meter's clock stated a deviation (identify) that the PC's zone has
 * at `nowMs` too, the meter keeps the PC's zone and the PC's rules give the wall time on both
 * sides of a change; when it stated another deviation (a meter on UTC, another zone), that fixed
 * offset is used; without one, the PC's local time (the technician stands next to the meter).
 */
export function parseBound(iso: string, meterDeviation?: number, nowMs: number = Date.now()): CosemDateTime {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new OmrError('INVALID_REQUEST', `not a date: ${iso}`);
  // Blue Book deviation and getTimezoneOffset share a sign: minutes from local time to UTC (CET −60).
  if (meterDeviation !== undefined && meterDeviation !== new Date(nowMs).getTimezoneOffset()) {
    const m = new Date(d.getTime() - meterDeviation * 60_000);
    return cosemDateTime({
      year: m.getUTCFullYear(),
      month: m.getUTCMonth() + 1,
      day: m.getUTCDate(),
      hour: m.getUTCHours(),
      minute: m.getUTCMinutes(),
      second: m.getUTCSeconds(),
    });
  }
  return cosemDateTime({
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
  });
}

interface GenericRead {
  captureObjects: CaptureObject[];
  period?: number;
  buffer: DlmsValue;
}

/**
 * Capture objects, period and buffer (range-restricted on the first capture object when asked).
 * `beforeBuffer` is told the columns before the buffer is asked for, and may return a watcher of
 * the buffer's data blocks and a later start of the range.
 */
async function readGeneric(
  ctx: PlanContext,
  obis: string,
  range: { from: string; to: string } | undefined,
  optional: boolean,
  beforeBuffer?: (head: { captureObjects: CaptureObject[]; period?: number }) => { onBlock?: (b: DataBlock) => void; from?: string } | undefined,
): Promise<GenericRead | undefined> {
  checkCancel(ctx);
  ctx.onProgress?.({ label: `${obis} capture objects`, done: 0 });
  const head = await ctx.session.get([
    { classId: ProfileGeneric.id, obis, attribute: ProfileGeneric.attr.capture_objects },
    { classId: ProfileGeneric.id, obis, attribute: ProfileGeneric.attr.capture_period },
  ]);
  const f = fatal(ctx, head);
  if (f) throw f;
  const co = head[0]!;
  if (!co.ok) {
    objectFailed(ctx, { obis, optional }, co.error);
    return undefined;
  }
  const captureObjects = decodeCaptureObjects(co.value);
  const period = head[1]?.ok ? decodeCapturePeriod(head[1].value) : undefined;
  // Scalers of the register columns.
  const sf = await loadScalers(
    ctx,
    captureObjects
      .filter(
        (c) =>
          scalerAttribute(c.classId) !== undefined &&
          (c.attribute === VALUE_ATTRIBUTE || (c.classId === DemandRegister.id && c.attribute === DemandRegister.attr.last_average_value)),
      )
      .map((c) => ({ obis: c.obis, classId: c.classId })),
  );
  for (const [o, e] of sf) warn(ctx, `${obis}: scaler_unit of column ${o} not read (${e.code}); that column is shown raw`);
  checkCancel(ctx);
  ctx.onProgress?.({ label: `${obis} buffer`, done: 0 });
  const sort = captureObjects[0];
  const before = beforeBuffer?.({ captureObjects, ...(period !== undefined ? { period } : {}) });
  const onBlock = before?.onBlock;
  const access = range
    ? rangeAccess({
        ...(sort ? { restricting: { classId: sort.classId, obis: sort.obis, attribute: sort.attribute, dataIndex: sort.dataIndex } } : {}),
        from: parseBound(before?.from ?? range.from, ctx.run.meterDeviation),
        to: parseBound(range.to, ctx.run.meterDeviation),
      })
    : undefined;
  const [buf] = await ctx.session.get(
    [{ classId: ProfileGeneric.id, obis, attribute: ProfileGeneric.attr.buffer, ...(access ? { access } : {}) }],
    onBlock ? { onBlock } : {},
  );
  const fb = fatal(ctx, [buf!]);
  if (fb) throw fb;
  if (!buf!.ok) {
    objectFailed(ctx, { obis, optional }, buf!.error);
    return undefined;
  }
  return { captureObjects, ...(period !== undefined ? { period } : {}), buffer: buf!.value };
}

/**
 * A load profile between two dates. Rows are handed over as their bytes arrive (each GET data
 * block decodes every row it completes), so a read cut off mid-buffer keeps every complete row;
 * progress says rows and bytes. The whole buffer, once complete, is the reference for the rest.
 */
export async function profilePlan(ctx: PlanContext, obis: string, range: { from: string; to: string }): Promise<ProfileData | undefined> {
  const ln = norm(obis);
  let asm: ProfileAssembler | undefined;
  const stream = new ArrayStream();
  /** Rows kept from an earlier read of this range (they come first). */
  let kept: string[][] = [];
  let after: string | undefined;
  let continued: ProfileData['continued'];
  const handOver = (rows: string[][]) => {
    // After a continued read, a row the meter sends again (at or before the last kept one) is dropped.
    const fresh = after === undefined ? rows : rows.filter((r) => !notAfter(r[0]!, after!));
    if (fresh.length) ctx.onProfileRows?.(ln, fresh);
    return fresh;
  };
  let handed = 0;
  const g = await readGeneric(ctx, ln, range, false, (head) => {
    asm = new ProfileAssembler(ln, head.captureObjects, ctx.session.scalers, head.period, ctx.lang ?? 'en');
    const start: ProfileData = { ...asm.head(), from: range.from, to: range.to };
    const resume = continuation(ctx.resume?.(), start, range, ctx.run.meterDeviation);
    let from: string | undefined;
    if (resume) {
      kept = resume.rows;
      after = kept[kept.length - 1]![0]!;
      from = resume.from;
      asm.seed(kept[kept.length - 1]!);
      start.rows = kept;
      continued = { sessionId: resume.sessionId, rows: kept.length, after };
      start.continued = continued;
      warn(ctx, `${ln}: ${kept.length} rows kept from session ${resume.sessionId}; the meter is asked for the rows after ${after} only`);
    }
    ctx.onProfileStart?.(start);
    const label = after ? `${ln} buffer (after ${after}; ${kept.length} rows kept)` : `${ln} buffer`;
    // What the range should hold (the meter may keep less): for a rate and a time left.
    const span = Date.parse(range.to) - Date.parse(from ?? range.from);
    const expected = head.period && span > 0 ? kept.length + Math.ceil(span / 1000 / head.period) : undefined;
    const more = expected !== undefined ? { rowsExpected: expected } : {};
    ctx.onProgress?.({ label, done: kept.length, rows: kept.length, bytes: 0, ...more });
    return {
      ...(from ? { from } : {}),
      onBlock: (b) => {
        let rows: string[][] = [];
        try {
          rows = asm!.add(stream.block(b));
        } catch {
          // A row that does not fit the columns: the whole buffer, at the end, reports it.
        }
        handed += handOver(rows).length;
        ctx.onProgress?.({ label, done: kept.length + handed, rows: kept.length + handed, bytes: stream.bytes, ...more });
      },
    };
  });
  if (!g || !asm) return undefined;
  const whole = g.buffer;
  const streamed = asm.data.rows.length;
  if (whole.type === 'array' && streamed > 0) {
    // The rows not handed over yet (the last block's, or all of them without block transfer).
    handed += handOver(asm.add(whole.value.slice(streamed))).length;
  } else if (streamed === 0) {
    const p = decodeProfileBuffer(whole, g.captureObjects, ctx.session.scalers);
    handed += handOver(asm.add(p.rows.map((r) => ({ type: 'structure', value: r.cells.map((c) => c.raw) }) as DlmsValue))).length;
  }
  const fresh = after === undefined ? asm.data.rows : asm.data.rows.filter((r) => !notAfter(r[0]!, after!));
  const data: ProfileData = { ...asm.data, rows: [...kept, ...fresh], from: range.from, to: range.to, ...(continued ? { continued } : {}) };
  ctx.run.profile = data;
  ctx.onProfile?.(data);
  ctx.onProgress?.({ label: `${ln} ${data.rows.length} rows`, done: data.rows.length, total: data.rows.length, rows: data.rows.length, bytes: stream.bytes });
  return data;
}

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{2}:\d{2}$/;

/** Row time `a` is at or before `b`: as instants when both carry a UTC offset, else as wall-time text. */
function notAfter(a: string, b: string): boolean {
  return WITH_OFFSET.test(a) && WITH_OFFSET.test(b) ? Date.parse(a) <= Date.parse(b) : a <= b;
}

/**
 * A second after the time of a profile row, as the ISO bound of a range: the row's own instant
 * when it carries a UTC offset (`2026-11-30T10:15:00+01:00`), else its wall time
 * (`2026-11-30T10:15:00`) through the meter's deviation.
 */
function boundAfter(rowTime: string, meterDeviation: number | undefined): string | undefined {
  if (WITH_OFFSET.test(rowTime)) return new Date(Date.parse(rowTime) + 1000).toISOString();
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(rowTime);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  // The inverse of parseBound: the meter's wall time back to an instant.
  const ms = meterDeviation !== undefined ? Date.UTC(y, mo - 1, d, h, mi, se) + meterDeviation * 60_000 : new Date(y, mo - 1, d, h, mi, se).getTime();
  return new Date(ms + 1000).toISOString();
}

/**
 * The rows an earlier read of this range kept, and where to ask from now: only when it read the
 * same profile, same range start, same columns, and its last row is inside the range.
 */
function continuation(
  r: ProfileResume | undefined,
  now: ProfileData,
  range: { from: string; to: string },
  meterDeviation?: number,
): { sessionId: string; rows: string[][]; from: string } | undefined {
  const p = r?.profile;
  if (!r || !p || !p.rows.length || p.obis !== now.obis || p.from !== range.from) return undefined;
  const same =
    p.columns.length === now.columns.length &&
    p.columns.every(
      (c, i) => c.obis === now.columns[i]!.obis && c.attribute === now.columns[i]!.attribute && (c.scaler ?? 0) === (now.columns[i]!.scaler ?? 0),
    );
  if (!same) return undefined;
  const rows = p.rows.filter((row) => row.length === p.columns.length);
  const last = rows[rows.length - 1]?.[0];
  const from = last ? boundAfter(last, meterDeviation) : undefined;
  if (!from || Date.parse(from) >= Date.parse(range.to)) return undefined;
  return { sessionId: r.sessionId, rows, from };
}

export async function eventsPlan(ctx: PlanContext, logs: string[] = EVENT_LOGS, range?: { from: string; to: string }): Promise<MeterEvent[]> {
  const lang = ctx.lang ?? 'en';
  const all: MeterEvent[] = [];
  for (const log of logs.map(norm)) {
    const g = await readGeneric(ctx, log, range, true);
    if (!g) continue;
    const p = decodeProfileBuffer(g.buffer, g.captureObjects, ctx.session.scalers);
    const events = decodeEventLog(p).map((e): MeterEvent => ({
      log,
      time: e.iso ?? e.time,
      code: e.code,
      text: e.name[lang],
      ...(e.deviation !== undefined ? { deviation: e.deviation } : {}),
      ...(e.clockStatus !== undefined ? { clockStatus: e.clockStatus } : {}),
    }));
    all.push(...events);
    ctx.run.events.push(...events);
    ctx.onEvents?.(events);
  }
  return all;
}
