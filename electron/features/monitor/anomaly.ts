/**
 * The anomaly rules of monitoring mode: pure code, fed the values of each poll.
 *
 * Hysteresis: every (rule, channel, side) is either inside its limits or in violation. A value
 * that enters violation gives one anomaly; nothing more comes for it until a later poll has seen
 * it back inside the limits — exactly one anomaly per crossing. A value a poll did not bring (a
 * failed poll, a register the plan does not read) leaves the state as it was.
 *
 * Rules: voltage outside nominal ± tolerance per phase; a phase missing (voltage below a floor;
 * the voltage rule then leaves that phase alone, so a lost phase is one anomaly, not two); current
 * above a limit; frequency outside its band; |power factor| below a limit; export power when none
 * is expected; an energy register lower than at the previous poll; the meter clock drifting
 * from the PC clock.
 */
import type { MonitorAnomaly, MonitorRules, MonitorValues, Quantity, RuleId } from '../../../shared/monitor';
import { QUANTITIES, REGISTER_QUANTITIES, type MonitorPlan } from '../../../shared/monitor';
import type { Reading } from '../../../shared/types';
import { numericValue } from '../../../shared/reading-value';

/** A number as threshold text, without float noise (230 × 1.1 → `253`). */
export function numText(n: number): string {
  return String(Number(n.toFixed(6)));
}

type Check = { state: 'ok' } | { state: 'unknown' } | { state: 'violation'; side: 'above' | 'below'; threshold: number | string };

interface Evaluated {
  rule: RuleId;
  channel: string;
  quantity: Quantity;
  value?: string;
  check: Check;
}

const PHASES = [
  ['L1', 'U1', 'I1'],
  ['L2', 'U2', 'I2'],
  ['L3', 'U3', 'I3'],
] as const;

const ENERGY: readonly [Quantity, string][] = [
  ['Eimp', '1.8.0'],
  ['Eexp', '2.8.0'],
];

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export class AnomalyDetector {
  /** Keys `rule|channel|side` currently in violation. */
  private readonly active = new Set<string>();
  private previous: MonitorValues = {};

  constructor(readonly rules: MonitorRules) {}

  /** Which (rule, channel, side) are in violation now. */
  get activeKeys(): string[] {
    return [...this.active];
  }

  /** The values of one successful poll → the anomalies that start with it. */
  check(values: MonitorValues, t: string): MonitorAnomaly[] {
    const out: MonitorAnomaly[] = [];
    for (const e of this.evaluate(values)) {
      const sides = ['above', 'below'] as const;
      if (e.check.state === 'unknown') continue;
      for (const side of sides) {
        const key = `${e.rule}|${e.channel}|${side}`;
        const violated = e.check.state === 'violation' && e.check.side === side;
        if (!violated) {
          this.active.delete(key);
          continue;
        }
        if (this.active.has(key)) continue;
        this.active.add(key);
        const threshold = e.check.state === 'violation' ? e.check.threshold : '';
        out.push({
          t,
          rule: e.rule,
          channel: e.channel,
          quantity: e.quantity,
          value: e.value ?? '',
          threshold: typeof threshold === 'number' ? numText(threshold) : threshold,
          side,
          unit: QUANTITIES[e.quantity].unit,
        });
      }
    }
    // Energy registers compare with the previous poll that had them.
    for (const [q] of ENERGY) if (values[q] !== undefined) this.previous[q] = values[q];
    return out;
  }

  private evaluate(v: MonitorValues): Evaluated[] {
    const r = this.rules;
    const out: Evaluated[] = [];
    const range = (x: number | undefined, min: number, max: number): Check =>
      x === undefined
        ? { state: 'unknown' }
        : x > max
          ? { state: 'violation', side: 'above', threshold: max }
          : x < min
            ? { state: 'violation', side: 'below', threshold: min }
            : { state: 'ok' };

    for (const [channel, uq, iq] of PHASES) {
      const u = num(v[uq]);
      const missing = r.phaseMissing.enabled && u !== undefined && u < r.phaseMissing.belowV;
      if (r.phaseMissing.enabled) {
        out.push({
          rule: 'phaseMissing',
          channel,
          quantity: uq,
          ...(v[uq] !== undefined ? { value: v[uq] } : {}),
          check: u === undefined ? { state: 'unknown' } : missing ? { state: 'violation', side: 'below', threshold: r.phaseMissing.belowV } : { state: 'ok' },
        });
      }
      if (r.voltage.enabled) {
        const d = (r.voltage.nominalV * r.voltage.tolerancePct) / 100;
        // A missing phase is the phase-missing rule's: the voltage rule keeps its state.
        out.push({
          rule: 'voltage',
          channel,
          quantity: uq,
          ...(v[uq] !== undefined ? { value: v[uq] } : {}),
          check: missing ? { state: 'unknown' } : range(u, r.voltage.nominalV - d, r.voltage.nominalV + d),
        });
      }
      if (r.current.enabled) {
        const i = num(v[iq]);
        out.push({
          rule: 'current',
          channel,
          quantity: iq,
          ...(v[iq] !== undefined ? { value: v[iq] } : {}),
          check:
            i === undefined ? { state: 'unknown' } : i > r.current.maxA ? { state: 'violation', side: 'above', threshold: r.current.maxA } : { state: 'ok' },
        });
      }
    }
    if (r.frequency.enabled)
      out.push({
        rule: 'frequency',
        channel: '',
        quantity: 'F',
        ...(v.F !== undefined ? { value: v.F } : {}),
        check: range(num(v.F), r.frequency.minHz, r.frequency.maxHz),
      });
    if (r.powerFactor.enabled) {
      const pf = num(v.PF);
      out.push({
        rule: 'powerFactor',
        channel: '',
        quantity: 'PF',
        ...(v.PF !== undefined ? { value: v.PF } : {}),
        check:
          pf === undefined
            ? { state: 'unknown' }
            : Math.abs(pf) < r.powerFactor.min
              ? { state: 'violation', side: 'below', threshold: r.powerFactor.min }
              : { state: 'ok' },
      });
    }
    if (r.export.enabled && !r.export.expected) {
      const p = num(v.Pexp);
      out.push({
        rule: 'export',
        channel: '',
        quantity: 'Pexp',
        ...(v.Pexp !== undefined ? { value: v.Pexp } : {}),
        check: p === undefined ? { state: 'unknown' } : p > r.export.maxKw ? { state: 'violation', side: 'above', threshold: r.export.maxKw } : { state: 'ok' },
      });
    }
    if (r.energyBackwards.enabled) {
      for (const [q, channel] of ENERGY) {
        const now = num(v[q]);
        const before = num(this.previous[q]);
        out.push({
          rule: 'energyBackwards',
          channel,
          quantity: q,
          ...(v[q] !== undefined ? { value: v[q] } : {}),
          check:
            now === undefined || before === undefined
              ? { state: 'unknown' }
              : now < before
                ? { state: 'violation', side: 'below', threshold: this.previous[q]! }
                : { state: 'ok' },
        });
      }
    }
    if (r.clockDrift.enabled) {
      const d = num(v.drift);
      const max = r.clockDrift.maxS;
      out.push({ rule: 'clockDrift', channel: '', quantity: 'drift', ...(v.drift !== undefined ? { value: v.drift } : {}), check: range(d, -max, max) });
    }
    return out;
  }
}

const BY_OBIS = new Map<string, Quantity>(
  Object.entries(QUANTITIES)
    .filter(([, q]) => q.obis)
    .map(([id, q]) => [q.obis, id as Quantity]),
);

/** Exact decimal text × 10^-3 (`27598071` → `27598.071`): W → kW, Wh → kWh. */
export function thousandths(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return text;
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`.padStart((m[3]?.length ?? 0) + 4, '0');
  const point = digits.length - (m[3]?.length ?? 0) - 3;
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(point).replace(/0+$/, '');
  return `${m[1] === '-' ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** A value in the unit the monitor records (DLMS registers give W and Wh, readouts kW and kWh). */
function inUnit(value: string, unit: string, want: string): string {
  return unit && want === `k${unit}` ? thousandths(value) : value;
}

/**
 * The meter's time from a readout's `0.9.1` (hh:mm:ss or hhmmss) and `0.9.2` (YY-MM-DD or
 * YYMMDD), as ms since the epoch; the zone is the caller's choice (meters show local time).
 */
export function readoutClockMs(time: string, date: string, zone: 'local' | 'utc'): number | undefined {
  const t = time.replace(/\D/g, '');
  let d = date.replace(/\D/g, '');
  if (t.length !== 6) return undefined;
  if (d.length === 7 && d.startsWith('1')) d = d.slice(1); // YYYMMDD (years since 1900) → YYMMDD
  if (d.length !== 6 && d.length !== 8) return undefined;
  const year = d.length === 8 ? Number(d.slice(0, 4)) : 2000 + Number(d.slice(0, 2));
  const [mo, da] = d.length === 8 ? [Number(d.slice(4, 6)), Number(d.slice(6, 8))] : [Number(d.slice(2, 4)), Number(d.slice(4, 6))];
  const [h, mi, s] = [Number(t.slice(0, 2)), Number(t.slice(2, 4)), Number(t.slice(4, 6))];
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  return zone === 'utc' ? Date.UTC(year, mo - 1, da, h, mi, s) : new Date(year, mo - 1, da, h, mi, s).getTime();
}

/**
 * The quantities of one poll from its readings (history entries are skipped), with the clock
 * drift from the readout's time and date (or given by a DLMS clock read), filtered by the plan.
 */
export function extractValues(readings: Reading[], o: { plan: MonitorPlan; meterClock: 'local' | 'utc'; driftS?: number }): MonitorValues {
  const values: MonitorValues = {};
  let time: Reading | undefined;
  let date: Reading | undefined;
  for (const r of readings) {
    if (r.history) continue;
    const q = BY_OBIS.get(r.obis);
    const n = numericValue(r.value);
    // A placeholder (`-.--`) or a text is no value.
    if (q && values[q] === undefined && n !== undefined) values[q] = inUnit(n, r.unit, QUANTITIES[q].unit);
    else if (r.obis === '1-0:0.9.1*255') time = r;
    else if (r.obis === '1-0:0.9.2*255') date = r;
  }
  if (o.driftS !== undefined) values.drift = String(o.driftS);
  else if (time && date) {
    const meterMs = readoutClockMs(time.value, date.value, o.meterClock);
    const pcMs = Date.parse(time.readAt);
    // The readout's clock has whole seconds: round the drift to the second.
    if (meterMs !== undefined && Number.isFinite(pcMs)) values.drift = String(Math.round((meterMs - pcMs) / 1000));
  }
  if (o.plan === 'registers') {
    for (const k of Object.keys(values) as Quantity[]) if (!REGISTER_QUANTITIES.includes(k)) delete values[k];
  }
  return values;
}
