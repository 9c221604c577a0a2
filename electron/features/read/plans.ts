/**
 * Reading plans over a {@link DlmsSession}: identify, billing registers, instantaneous values,
 * load profile between two dates, event logs, and discover (object list → every readable value).
 *
 * Every plan
 * - reads scaler_unit once per register (cached in the session) and applies it exactly
 *   (scaleDecimal, never a float);
 * - batches its GETs (the client uses GET-with-list when negotiated, block transfer for big
 *   answers) and still reports progress per object and readings as they come;
 * - records a per-object failure (READ_DENIED, OBJECT_UNDEFINED, DLMS_ERROR) and goes on;
 * - throws the typed error that ended the session (LINK_LOST, TIMEOUT_REACTION, HDLC_FCS,
 *   CANCELLED…) after everything read before it was handed over: the {@link PlanRun} keeps it.
 */
import { OmrError, type ErrorInfo, type Lang } from '../../../shared/errors';
import type { IdentifyResult, MeterEvent, ProfileData } from '../../../shared/session';
import type { Reading } from '../../../shared/types';
import { asDateTime, decodeCaptureObjects, decodeCapturePeriod, decodeObjectList, decodeProfileBuffer, decodeScalerUnit, valueText, type CaptureObject, type ScalerUnit, type ValueText } from '../../engine/cosem/classes';
import { decodeEventLog } from '../../engine/cosem/events';
import { AssociationLn, Clock, Data, DemandRegister, ExtendedRegister, ProfileGeneric, Register, scalerUnitAttribute, VALUE_ATTRIBUTE } from '../../engine/cosem/registry';
import type { DlmsValue } from '../../engine/dlms/axdr';
import type { ResultItem } from '../../engine/dlms/client';
import { cosemDateTime, formatDateTime, toIsoLocal, type CosemDateTime } from '../../engine/dlms/datetime';
import { formatObis, parseObis } from '../../engine/dlms/obis-code';
import type { AttributeRequest } from '../../engine/dlms/apdu';
import { rangeAccess } from '../../engine/dlms/selective-access';
import { hasConformance } from '../../engine/dlms/conformance';
import { endsSession, type DlmsSession } from './dlms-session';
import { ArrayStream, ProfileAssembler, type DataBlock } from './profile-stream';

export type DlmsPlanName = 'identify' | 'billing' | 'instantaneous' | 'profile' | 'events' | 'discover';

/** What a run collected so far: kept whole when a plan throws. */
export class PlanRun {
  readings: Reading[] = [];
  /** Per-object failures (and the session-ending error, added by the caller). */
  errors: ErrorInfo[] = [];
  warnings: string[] = [];
  profile?: ProfileData;
  events: MeterEvent[] = [];
  identity?: NonNullable<IdentifyResult['dlms']>;
  /** The deviation the meter's clock states (minutes, Blue Book sign), once identify read it. */
  meterDeviation?: number;
  /** Objects asked for and not read because this client's object list hides them. */
  unread: { obis: string; optional: boolean }[] = [];
}

export interface PlanContext {
  session: DlmsSession;
  run: PlanRun;
  lang?: Lang;
  onReadings?: (readings: Reading[]) => void;
  /** `done` counts objects, or rows of a profile; `bytes` the profile buffer bytes received. */
  onProgress?: (p: { label: string; done: number; total?: number; bytes?: number; rows?: number; rowsExpected?: number }) => void;
  onError?: (e: ErrorInfo) => void;
  onWarning?: (text: string) => void;
  /** A profile's columns, before its first row. */
  onProfileStart?: (p: ProfileData) => void;
  /** Profile rows as they are decoded (block by block during a block transfer). */
  onProfileRows?: (obis: string, rows: string[][]) => void;
  /** The whole profile, at the end. */
  onProfile?: (p: ProfileData) => void;
  onEvents?: (events: MeterEvent[]) => void;
  /**
   * An earlier read of the same profile range that was cut short: when its columns are the
   * meter's, its rows are kept and the meter is asked only for the rows after its last one.
   */
  resume?: () => ProfileResume | undefined;
  signal?: AbortSignal;
  /** PC clock (tests). */
  now?: () => number;
  /**
   * Whether this client may read an attribute, from the association's object list when it was
   * read (visibility.ts); objects it hides are not asked for.
   */
  visible?: (obis: string, attribute: number) => boolean;
}

/** Rows kept by an earlier read of the same range (see {@link PlanContext.resume}). */
export interface ProfileResume {
  sessionId: string;
  profile: ProfileData;
}

/** One value object to read. */
export interface ValueItem {
  obis: string;
  classId: number;
  /** OBJECT_UNDEFINED is a warning, not an error (e.g. phases 2 and 3 of a single-phase meter). */
  optional?: boolean;
}

export const IDENTIFY_ITEMS: ValueItem[] = [
  { obis: '0-0:42.0.0*255', classId: Data.id, optional: true },
  { obis: '0-0:96.1.0*255', classId: Data.id, optional: true },
  { obis: '1-0:0.2.0*255', classId: Data.id, optional: true },
  { obis: '0-0:1.0.0*255', classId: Clock.id, optional: true },
];

export const BILLING_ITEMS: ValueItem[] = ['1.8.0', '1.8.1', '1.8.2', '2.8.0', '2.8.1', '2.8.2', '3.8.0', '4.8.0'].map((c) => ({ obis: `1-0:${c}*255`, classId: Register.id, optional: c !== '1.8.0' }));

export const INSTANTANEOUS_ITEMS: ValueItem[] = [
  '32.7.0', '52.7.0', '72.7.0', // voltages L1..L3
  '31.7.0', '51.7.0', '71.7.0', // currents L1..L3
  '21.7.0', '41.7.0', '61.7.0', // active power import L1..L3
  '1.7.0', '2.7.0', '3.7.0', '4.7.0', // total powers
  '14.7.0', // frequency
  '13.7.0', '33.7.0', '53.7.0', '73.7.0', // power factors
].map((c) => ({ obis: `1-0:${c}*255`, classId: Register.id, optional: true }));

export const LOAD_PROFILE_OBIS = '1-0:99.1.0*255';
export const EVENT_LOGS = ['0-0:99.98.0*255', '0-0:99.98.4*255'];
export const ASSOCIATION_OBIS = '0-0:40.0.0*255';

/**
 * The class of an object given by OBIS only (`--obis`): `CLASS/OBIS` says it; otherwise a
 * register for electricity quantities, a demand register for D = 4/5, extended register for
 * maximum demand (D = 6), the clock, and Data for the rest.
 */
export function itemFromText(text: string): ValueItem {
  const m = /^(\d{1,5})\/(.+)$/.exec(text.trim());
  const o = parseObis(m ? m[2]! : text);
  const obis = formatObis(o);
  if (m) return { obis, classId: Number(m[1]) };
  if (obis === '0-0:1.0.0*255') return { obis, classId: Clock.id };
  if (o[0] === 1 && o[2]! >= 1 && o[2]! <= 89) {
    if (o[3] === 4 || o[3] === 5) return { obis, classId: DemandRegister.id };
    if (o[3] === 6) return { obis, classId: ExtendedRegister.id };
    return { obis, classId: Register.id };
  }
  return { obis, classId: Data.id };
}

const norm = (obis: string) => formatObis(parseObis(obis));

/** The attribute holding scaler_unit for a class, and the value attributes it applies to. */
function scalerAttribute(classId: number): number | undefined {
  return scalerUnitAttribute(classId);
}

function checkCancel(ctx: PlanContext): void {
  if (ctx.signal?.aborted) throw ctx.session.failure?.code === 'CANCELLED' ? ctx.session.failure : new OmrError('CANCELLED');
}

function recordError(ctx: PlanContext, e: ErrorInfo): void {
  ctx.run.errors.push(e);
  ctx.onError?.(e);
}

function warn(ctx: PlanContext, text: string): void {
  ctx.run.warnings.push(text);
  ctx.onWarning?.(text);
}

/** The error that ends the plan when a result says the session is over. */
function fatal(ctx: PlanContext, results: ResultItem[]): OmrError | undefined {
  const bad = results.find((r): r is Extract<ResultItem, { ok: false }> => !r.ok && endsSession(r.error.code));
  if (!bad) return undefined;
  return ctx.session.failure ?? new OmrError(bad.error.code, bad.error.detail);
}

/** Per-object failure: recorded (or a warning for an optional object the meter does not have). */
function objectFailed(ctx: PlanContext, item: { obis: string; optional?: boolean }, e: ErrorInfo): void {
  if (item.optional && e.code === 'OBJECT_UNDEFINED') warn(ctx, `${item.obis} is not in this meter (or not visible to this client)`);
  else recordError(ctx, e);
}

function toReading(obis: string, vt: ValueText, readAt: string, captureTime?: string): Reading {
  const r: Reading = { obis, address: obis, value: vt.time ?? vt.value, unit: vt.unit, readAt, source: 'dlms' };
  if (vt.scaler !== undefined) r.scaler = vt.scaler;
  if (vt.raw !== undefined && vt.scaler !== undefined) r.raw = vt.raw;
  if (captureTime) r.captureTime = captureTime;
  return r;
}

function timeText(dt: CosemDateTime): string {
  return toIsoLocal(dt) ?? formatDateTime(dt);
}

/**
 * Ensure scaler_unit is cached for these registers (one batched GET for the missing ones).
 * Returns the per-object failures by OBIS.
 */
async function loadScalers(ctx: PlanContext, items: { obis: string; classId: number }[]): Promise<Map<string, ErrorInfo>> {
  const failures = new Map<string, ErrorInfo>();
  const missing = items.filter((i) => scalerAttribute(i.classId) !== undefined && !ctx.session.scalers.has(`${i.obis}/${VALUE_ATTRIBUTE}`));
  const unique = [...new Map(missing.map((i) => [i.obis, i])).values()];
  if (!unique.length) return failures;
  const results = await ctx.session.get(unique.map((i) => ({ classId: i.classId, obis: i.obis, attribute: scalerAttribute(i.classId)! })));
  const f = fatal(ctx, results);
  if (f) throw f;
  unique.forEach((item, k) => {
    const r = results[k]!;
    if (!r.ok) {
      failures.set(item.obis, r.error);
      return;
    }
    try {
      const su = decodeScalerUnit(r.value);
      ctx.session.scalers.set(`${item.obis}/${VALUE_ATTRIBUTE}`, su);
      if (item.classId === DemandRegister.id) ctx.session.scalers.set(`${item.obis}/${DemandRegister.attr.last_average_value}`, su);
    } catch (e) {
      failures.set(item.obis, e instanceof OmrError ? e.info() : new OmrError('DECODE_ERROR', `${item.obis} scaler_unit`).info());
    }
  });
  return failures;
}

/**
 * Read value objects (attribute 2; capture time of extended registers), scalers first. Readings
 * are handed over per batch as they come; per-object failures are recorded.
 */
export async function readValues(ctx: PlanContext, items: ValueItem[], label = 'read'): Promise<Map<string, { value: DlmsValue; text: ValueText; readAt: number }>> {
  const out = new Map<string, { value: DlmsValue; text: ValueText; readAt: number }>();
  const seen = ctx.visible;
  if (seen) {
    const hidden = items.filter((i) => !seen(i.obis, VALUE_ATTRIBUTE));
    if (hidden.length) {
      items = items.filter((i) => seen(i.obis, VALUE_ATTRIBUTE));
      ctx.run.unread.push(...hidden.map((i) => ({ obis: i.obis, optional: !!i.optional })));
      warn(ctx, `${label}: not in this client's object list, not asked for: ${hidden.map((i) => i.obis).join(', ')}`);
    }
  }
  if (!items.length) return out;
  checkCancel(ctx);
  const now = ctx.now ?? Date.now;
  // Scalers of every register in one batch (per-session cache).
  const scalerFailures = await loadScalers(ctx, items);
  // Value batches: several objects per GET-with-list when negotiated, else one object per job so
  // progress moves per object. All jobs are queued at once: the client runs them back to back.
  const list = hasConformance(ctx.session.info?.conformance ?? 0, 'multiple-references');
  const per = list ? 8 : 1;
  const groups: ValueItem[][] = [];
  for (let i = 0; i < items.length; i += per) groups.push(items.slice(i, i + per));
  const jobs = groups.map((g) => {
    const reqs: AttributeRequest[] = [];
    for (const i of g) {
      reqs.push({ classId: i.classId, obis: i.obis, attribute: VALUE_ATTRIBUTE });
      if (i.classId === ExtendedRegister.id) reqs.push({ classId: ExtendedRegister.id, obis: i.obis, attribute: ExtendedRegister.attr.capture_time });
    }
    return ctx.session.get(reqs);
  });
  let done = 0;
  for (let gi = 0; gi < groups.length; gi++) {
    const results = await jobs[gi]!;
    const readAt = now();
    const iso = new Date(readAt).toISOString();
    const batch: Reading[] = [];
    let k = 0;
    for (const item of groups[gi]!) {
      const r = results[k++];
      const ct = item.classId === ExtendedRegister.id ? results[k++] : undefined;
      done++;
      ctx.onProgress?.({ label: `${label} ${item.obis}`, done, total: items.length });
      if (!r) continue;
      if (!r.ok) {
        if (!endsSession(r.error.code)) objectFailed(ctx, item, r.error);
        continue;
      }
      const needsScaler = scalerAttribute(item.classId) !== undefined;
      const su: ScalerUnit | undefined = ctx.session.scalers.get(`${item.obis}/${VALUE_ATTRIBUTE}`);
      if (needsScaler && !su) {
        // A value without its scaler would be off by powers of ten: not shown.
        const sf = scalerFailures.get(item.obis);
        objectFailed(ctx, item, sf ? { ...sf, detail: `${sf.detail ?? item.obis} (scaler_unit; value not shown)` } : new OmrError('DLMS_ERROR', `${item.obis}: scaler_unit unknown; value not shown`).info());
        continue;
      }
      try {
        const text = valueText(r.value, su);
        const capture = ct?.ok ? asDateTime(ct.value) : undefined;
        out.set(item.obis, { value: r.value, text, readAt });
        batch.push(toReading(item.obis, text, iso, capture ? timeText(capture) : undefined));
      } catch (e) {
        recordError(ctx, e instanceof OmrError ? e.info() : new OmrError('DECODE_ERROR', `${item.obis}: ${String(e)}`).info());
      }
    }
    if (batch.length) {
      ctx.run.readings.push(...batch);
      ctx.onReadings?.(batch);
    }
    const f = fatal(ctx, results);
    if (f) {
      // The remaining jobs end with the same error: nothing more will come.
      await Promise.all(jobs.slice(gi + 1));
      throw f;
    }
  }
  checkCancel(ctx);
  return out;
}

// --------------------------------------------------------------------------------------- plans

/** Seconds the meter's clock is ahead (+) or behind (−) the PC clock. */
export function clockDriftSeconds(dt: CosemDateTime, pcMs: number): number | undefined {
  const { year, month, day, hour, minute, second } = dt;
  if (year === null || month === null || day === null || hour === null || minute === null || second === null || month > 12 || day > 31) return undefined;
  const ms = (dt.hundredths ?? 0) * 10;
  // Deviation (Blue Book): minutes from local time to UTC, e.g. −60 for CET; without it the
  // meter's time is taken as the PC's local time (the technician stands next to the meter).
  const meterMs = dt.deviation !== null ? Date.UTC(year, month - 1, day, hour, minute, second, ms) + dt.deviation * 60_000 : new Date(year, month - 1, day, hour, minute, second, ms).getTime();
  return Math.round((meterMs - pcMs) / 1000);
}

export async function identifyPlan(ctx: PlanContext): Promise<NonNullable<IdentifyResult['dlms']>> {
  const got = await readValues(ctx, IDENTIFY_ITEMS, 'identify');
  const id: NonNullable<IdentifyResult['dlms']> = {};
  const t = (obis: string) => got.get(obis)?.text.value;
  const ldn = t('0-0:42.0.0*255');
  if (ldn) id.logicalDeviceName = ldn;
  const sn = t('0-0:96.1.0*255');
  if (sn) id.serialNumber = sn;
  const fw = t('1-0:0.2.0*255');
  if (fw) id.firmware = fw;
  const clock = got.get('0-0:1.0.0*255');
  const dt = clock ? asDateTime(clock.value) : undefined;
  if (clock && dt) {
    id.clock = timeText(dt);
    if (dt.deviation !== null) ctx.run.meterDeviation = dt.deviation;
    const drift = clockDriftSeconds(dt, clock.readAt);
    if (drift !== undefined) {
      id.driftSeconds = drift;
      if (Math.abs(drift) >= 60) warn(ctx, `the meter clock is ${Math.abs(drift)} s ${drift > 0 ? 'ahead of' : 'behind'} the PC clock`);
    }
  }
  ctx.run.identity = id;
  return id;
}

export async function registersPlan(ctx: PlanContext, items: ValueItem[], label: string): Promise<void> {
  await readValues(ctx, items, label);
}

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
    return cosemDateTime({ year: m.getUTCFullYear(), month: m.getUTCMonth() + 1, day: m.getUTCDate(), hour: m.getUTCHours(), minute: m.getUTCMinutes(), second: m.getUTCSeconds() });
  }
  return cosemDateTime({ year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() });
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
    captureObjects.filter((c) => scalerAttribute(c.classId) !== undefined && (c.attribute === VALUE_ATTRIBUTE || (c.classId === DemandRegister.id && c.attribute === DemandRegister.attr.last_average_value))).map((c) => ({ obis: c.obis, classId: c.classId })),
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
  const [buf] = await ctx.session.get([{ classId: ProfileGeneric.id, obis, attribute: ProfileGeneric.attr.buffer, ...(access ? { access } : {}) }], onBlock ? { onBlock } : {});
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
function continuation(r: ProfileResume | undefined, now: ProfileData, range: { from: string; to: string }, meterDeviation?: number): { sessionId: string; rows: string[][]; from: string } | undefined {
  const p = r?.profile;
  if (!r || !p || !p.rows.length || p.obis !== now.obis || p.from !== range.from) return undefined;
  const same = p.columns.length === now.columns.length && p.columns.every((c, i) => c.obis === now.columns[i]!.obis && c.attribute === now.columns[i]!.attribute && (c.scaler ?? 0) === (now.columns[i]!.scaler ?? 0));
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
    const events = decodeEventLog(p).map((e): MeterEvent => ({ log, time: e.iso ?? e.time, code: e.code, text: e.name[lang] }));
    all.push(...events);
    ctx.run.events.push(...events);
    ctx.onEvents?.(events);
  }
  return all;
}

const READABLE = new Set([1, 3, 4, 6]);
/** Classes whose value (attribute 2) discover reads. */
const VALUE_CLASSES = new Set<number>([Data.id, Register.id, ExtendedRegister.id, DemandRegister.id, Clock.id]);

/** How far back discover reads the load profile (the object list says nothing of a range). */
export const DISCOVER_PROFILE_HOURS = 24;

/**
 * A default range ends at the last whole quarter hour: the rows a 15-minute profile holds are
 * complete, and the same read asked twice in the same quarter hour asks the same range.
 */
const wholeQuarterHour = (ms: number): number => Math.floor(ms / 900_000) * 900_000;

/**
 * Object list → every readable attribute 2 of Data, Register, Extended and Demand registers and
 * Clock, each once (what identify already read is not read again); then the load profile over the
 * last {@link DISCOVER_PROFILE_HOURS} hours and the event logs the list names.
 */
export async function discoverPlan(ctx: PlanContext): Promise<void> {
  checkCancel(ctx);
  ctx.onProgress?.({ label: 'object list', done: 0 });
  const [ol] = await ctx.session.get([{ classId: AssociationLn.id, obis: ASSOCIATION_OBIS, attribute: AssociationLn.attr.object_list }]);
  const f = fatal(ctx, [ol!]);
  if (f) throw f;
  if (!ol!.ok) {
    recordError(ctx, ol!.error);
    return;
  }
  const entries = decodeObjectList(ol!.value);
  const readable = (e: (typeof entries)[number], id: number) => {
    const a = e.attributes.find((x) => x.id === id);
    return a === undefined ? e.attributes.length === 0 : READABLE.has(a.access);
  };
  const items: ValueItem[] = [];
  // Each object once: a list naming one twice, or what identify read already, is not read again.
  const seen = new Set(ctx.run.readings.map((r) => r.obis));
  const already = seen.size;
  let twice = 0;
  for (const e of entries) {
    if (!VALUE_CLASSES.has(e.classId) || !readable(e, VALUE_ATTRIBUTE)) continue;
    if (seen.has(e.logicalName)) {
      twice++;
      continue;
    }
    seen.add(e.logicalName);
    const sa = scalerAttribute(e.classId);
    if (sa !== undefined && !readable(e, sa)) {
      warn(ctx, `${e.logicalName}: scaler_unit not readable by this client, skipped`);
      continue;
    }
    items.push({ obis: e.logicalName, classId: e.classId });
  }
  const generics = entries.filter((e) => e.classId === ProfileGeneric.id && readable(e, ProfileGeneric.attr.buffer));
  const logs = generics.filter((e) => /^0-0:99\.98\.\d+\*255$/.test(e.logicalName)).map((e) => e.logicalName);
  const profiles = generics.filter((e) => /^1-\d+:99\.\d+\.\d+\*255$/.test(e.logicalName)).map((e) => e.logicalName);
  const profile = profiles.includes(LOAD_PROFILE_OBIS) ? LOAD_PROFILE_OBIS : profiles[0];
  warn(
    ctx,
    `object list: ${entries.length} objects, ${items.length} values to read` +
      (twice ? ` (${twice} already read${already ? ' by identify' : ''}, not read again)` : '') +
      (profile ? `; load profile ${profile}: the last ${DISCOVER_PROFILE_HOURS} hours` : '') +
      (profiles.length > 1 ? ` (${profiles.filter((p) => p !== profile).join(', ')} not read: choose them with the profile plan)` : '') +
      (logs.length ? `; event logs ${logs.join(', ')}` : ''),
  );
  await readValues(ctx, items, 'discover');
  if (profile) {
    const to = new Date(wholeQuarterHour((ctx.now ?? Date.now)()));
    await profilePlan(ctx, profile, { from: new Date(to.getTime() - DISCOVER_PROFILE_HOURS * 3600_000).toISOString(), to: to.toISOString() });
  }
  if (logs.length) await eventsPlan(ctx, logs);
}

export interface PlanSpec {
  plan: DlmsPlanName;
  /** billing / instantaneous: read these instead of the default list. */
  obis?: string[];
  /** profile: the profile generic (default the load profile 1-0:99.1.0). */
  profileObis?: string;
  /** events: the event logs (profile generic objects) to read (default {@link EVENT_LOGS}). */
  logs?: string[];
  from?: string;
  to?: string;
}

/** Run one plan (identify first is the caller's choice). */
export async function runPlan(ctx: PlanContext, spec: PlanSpec): Promise<void> {
  switch (spec.plan) {
    case 'identify':
      await identifyPlan(ctx);
      return;
    case 'billing':
      await registersPlan(ctx, spec.obis?.length ? spec.obis.map(itemFromText) : BILLING_ITEMS, 'billing');
      return;
    case 'instantaneous':
      await registersPlan(ctx, spec.obis?.length ? spec.obis.map(itemFromText) : INSTANTANEOUS_ITEMS, 'instantaneous');
      return;
    case 'profile': {
      const to = spec.to ?? new Date(wholeQuarterHour((ctx.now ?? Date.now)())).toISOString();
      const from = spec.from ?? new Date(new Date(to).getTime() - 24 * 3600_000).toISOString();
      await profilePlan(ctx, spec.profileObis ?? LOAD_PROFILE_OBIS, { from, to });
      return;
    }
    case 'events':
      await eventsPlan(ctx, spec.logs?.length ? spec.logs : EVENT_LOGS, spec.from && spec.to ? { from: spec.from, to: spec.to } : undefined);
      return;
    case 'discover':
      await discoverPlan(ctx);
      return;
  }
}

