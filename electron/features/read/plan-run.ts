/**
 * What every reading plan shares: the run that keeps what was read ({@link PlanRun}), the plan
 * context, the default object lists, and reading values with their scalers applied exactly
 * (scaler_unit read once per register, GETs batched, per-object failures recorded and the read
 * goes on).
 */
import { OmrError, type ErrorInfo, type Lang } from '../../../shared/errors';
import type { IdentifyResult, MeterEvent, ProfileData } from '../../../shared/session';
import type { Reading } from '../../../shared/types';
import { asDateTime, decodeScalerUnit, valueText, type ScalerUnit, type ValueText } from '../../engine/cosem/classes';
import { Clock, Data, DemandRegister, ExtendedRegister, Register, scalerUnitAttribute, VALUE_ATTRIBUTE } from '../../engine/cosem/registry';
import type { DlmsValue } from '../../engine/dlms/axdr';
import type { ResultItem } from '../../engine/dlms/client';
import { formatDateTime, toIsoLocal, type CosemDateTime } from '../../engine/dlms/datetime';
import { formatObis, parseObis } from '../../engine/dlms/obis-code';
import type { AttributeRequest } from '../../engine/dlms/apdu';
import { hasConformance } from '../../engine/dlms/conformance';
import { endsSession, type DlmsSession } from './dlms-session';

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

export const BILLING_ITEMS: ValueItem[] = ['1.8.0', '1.8.1', '1.8.2', '2.8.0', '2.8.1', '2.8.2', '3.8.0', '4.8.0'].map((c) => ({
  obis: `1-0:${c}*255`,
  classId: Register.id,
  optional: c !== '1.8.0',
}));

export const INSTANTANEOUS_ITEMS: ValueItem[] = [
  '32.7.0',
  '52.7.0',
  '72.7.0', // voltages L1..L3
  '31.7.0',
  '51.7.0',
  '71.7.0', // currents L1..L3
  '21.7.0',
  '41.7.0',
  '61.7.0', // active power import L1..L3
  '1.7.0',
  '2.7.0',
  '3.7.0',
  '4.7.0', // total powers
  '14.7.0', // frequency
  '13.7.0',
  '33.7.0',
  '53.7.0',
  '73.7.0', // power factors
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

export const norm = (obis: string) => formatObis(parseObis(obis));

/** The attribute holding scaler_unit for a class, and the value attributes it applies to. */
export function scalerAttribute(classId: number): number | undefined {
  return scalerUnitAttribute(classId);
}

export function checkCancel(ctx: PlanContext): void {
  if (ctx.signal?.aborted) throw ctx.session.failure?.code === 'CANCELLED' ? ctx.session.failure : new OmrError('CANCELLED');
}

export function recordError(ctx: PlanContext, e: ErrorInfo): void {
  ctx.run.errors.push(e);
  ctx.onError?.(e);
}

export function warn(ctx: PlanContext, text: string): void {
  ctx.run.warnings.push(text);
  ctx.onWarning?.(text);
}

/** The error that ends the plan when a result says the session is over. */
export function fatal(ctx: PlanContext, results: ResultItem[]): OmrError | undefined {
  const bad = results.find((r): r is Extract<ResultItem, { ok: false }> => !r.ok && endsSession(r.error.code));
  if (!bad) return undefined;
  return ctx.session.failure ?? new OmrError(bad.error.code, bad.error.detail);
}

/** Per-object failure: recorded (or a warning for an optional object the meter does not have). */
export function objectFailed(ctx: PlanContext, item: { obis: string; optional?: boolean }, e: ErrorInfo): void {
  if (item.optional && e.code === 'OBJECT_UNDEFINED') warn(ctx, `${item.obis} is not in this meter (or not visible to this client)`);
  else recordError(ctx, e);
}

export function toReading(obis: string, vt: ValueText, readAt: string, captureTime?: string): Reading {
  const r: Reading = { obis, address: obis, value: vt.time ?? vt.value, unit: vt.unit, readAt, source: 'dlms' };
  if (vt.scaler !== undefined) r.scaler = vt.scaler;
  if (vt.raw !== undefined && vt.scaler !== undefined) r.raw = vt.raw;
  if (captureTime) r.captureTime = captureTime;
  return r;
}

export function timeText(dt: CosemDateTime): string {
  return toIsoLocal(dt) ?? formatDateTime(dt);
}

/**
 * Ensure scaler_unit is cached for these registers (one batched GET for the missing ones).
 * Returns the per-object failures by OBIS.
 */
export async function loadScalers(ctx: PlanContext, items: { obis: string; classId: number }[]): Promise<Map<string, ErrorInfo>> {
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
export async function readValues(
  ctx: PlanContext,
  items: ValueItem[],
  label = 'read',
): Promise<Map<string, { value: DlmsValue; text: ValueText; readAt: number }>> {
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
        objectFailed(
          ctx,
          item,
          sf
            ? { ...sf, detail: `${sf.detail ?? item.obis} (scaler_unit; value not shown)` }
            : new OmrError('DLMS_ERROR', `${item.obis}: scaler_unit unknown; value not shown`).info(),
        );
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
  const meterMs =
    dt.deviation !== null
      ? Date.UTC(year, month - 1, day, hour, minute, second, ms) + dt.deviation * 60_000
      : new Date(year, month - 1, day, hour, minute, second, ms).getTime();
  return Math.round((meterMs - pcMs) / 1000);
}
