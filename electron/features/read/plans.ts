/**
 * Reading plans over a DLMS session: identify, billing registers, instantaneous values,
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
import type { IdentifyResult } from '../../../shared/session';
import { asDateTime, decodeObjectList } from '../../engine/cosem/classes';
import { AssociationLn, Clock, Data, DemandRegister, ExtendedRegister, ProfileGeneric, Register, VALUE_ATTRIBUTE } from '../../engine/cosem/registry';

import {
  ASSOCIATION_OBIS,
  BILLING_ITEMS,
  checkCancel,
  clockDriftSeconds,
  EVENT_LOGS,
  fatal,
  IDENTIFY_ITEMS,
  INSTANTANEOUS_ITEMS,
  itemFromText,
  LOAD_PROFILE_OBIS,
  readValues,
  recordError,
  scalerAttribute,
  timeText,
  warn,
  type DlmsPlanName,
  type PlanContext,
  type ValueItem,
} from './plan-run';
import { eventsPlan, profilePlan } from './plans-profile';

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
