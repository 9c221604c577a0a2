/**
 * Monitoring mode: the meter polled at an interval for an hour or a day, with live statistics and
 * anomaly rules. Plain data and schemas both sides use: the rules (with their defaults), the
 * quantities a poll records, a poll, an anomaly, the live statistics, and the request of
 * `monitor:start`.
 */
import { z } from 'zod';
import type { ErrorInfo } from './errors';
import { SimFaultSchema, TargetSchema } from './target';

/** Anomaly rules and their thresholds. Every rule can be turned off. */
export const MonitorRulesSchema = z
  .object({
    /** Voltage outside nominal ± tolerance, per phase. */
    voltage: z
      .object({
        enabled: z.boolean().default(true),
        nominalV: z.number().min(50).max(1000).default(230),
        tolerancePct: z.number().min(0.5).max(50).default(10),
      })
      .strict()
      .default({ enabled: true, nominalV: 230, tolerancePct: 10 }),
    /** A phase is missing when its voltage is below this (then the voltage rule is not applied to it). */
    phaseMissing: z
      .object({ enabled: z.boolean().default(true), belowV: z.number().min(0).max(500).default(50) })
      .strict()
      .default({ enabled: true, belowV: 50 }),
    /** Current above a limit, per phase. */
    current: z
      .object({ enabled: z.boolean().default(true), maxA: z.number().min(0).max(10000).default(60) })
      .strict()
      .default({ enabled: true, maxA: 60 }),
    frequency: z
      .object({ enabled: z.boolean().default(true), minHz: z.number().min(40).max(70).default(49.5), maxHz: z.number().min(40).max(70).default(50.5) })
      .strict()
      .default({ enabled: true, minHz: 49.5, maxHz: 50.5 }),
    /** Power factor (absolute value) below a limit. */
    powerFactor: z
      .object({ enabled: z.boolean().default(true), min: z.number().min(0).max(1).default(0.8) })
      .strict()
      .default({ enabled: true, min: 0.8 }),
    /** Active power export above `maxKw` when the site is not expected to export. */
    export: z
      .object({ enabled: z.boolean().default(true), expected: z.boolean().default(false), maxKw: z.number().min(0).max(100000).default(0) })
      .strict()
      .default({ enabled: true, expected: false, maxKw: 0 }),
    /** An energy register lower than at the previous poll. */
    energyBackwards: z
      .object({ enabled: z.boolean().default(true) })
      .strict()
      .default({ enabled: true }),
    /** The meter's clock more than `maxS` seconds away from the PC's. */
    clockDrift: z
      .object({
        enabled: z.boolean().default(true),
        maxS: z.number().int().min(1).max(86400).default(60),
        /** The zone of a readout's 0.9.1/0.9.2 (DLMS clocks state their deviation). */
        meterClock: z.enum(['local', 'utc']).default('local'),
      })
      .strict()
      .default({ enabled: true, maxS: 60, meterClock: 'local' }),
  })
  .strict();
export type MonitorRules = z.infer<typeof MonitorRulesSchema>;
export type MonitorRulesInput = z.input<typeof MonitorRulesSchema>;
export const DEFAULT_MONITOR_RULES: MonitorRules = MonitorRulesSchema.parse({});

export const RULE_IDS = ['voltage', 'phaseMissing', 'current', 'frequency', 'powerFactor', 'export', 'energyBackwards', 'clockDrift'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * The quantities a poll records (exact decimal text), by short id. `drift` is computed: meter
 * clock − PC clock in seconds.
 */
export const QUANTITIES = {
  U1: { obis: '1-0:32.7.0*255', unit: 'V' },
  U2: { obis: '1-0:52.7.0*255', unit: 'V' },
  U3: { obis: '1-0:72.7.0*255', unit: 'V' },
  I1: { obis: '1-0:31.7.0*255', unit: 'A' },
  I2: { obis: '1-0:51.7.0*255', unit: 'A' },
  I3: { obis: '1-0:71.7.0*255', unit: 'A' },
  P: { obis: '1-0:1.7.0*255', unit: 'kW' },
  Pexp: { obis: '1-0:2.7.0*255', unit: 'kW' },
  F: { obis: '1-0:14.7.0*255', unit: 'Hz' },
  PF: { obis: '1-0:13.7.0*255', unit: '' },
  Eimp: { obis: '1-0:1.8.0*255', unit: 'kWh' },
  Eexp: { obis: '1-0:2.8.0*255', unit: 'kWh' },
  drift: { obis: '', unit: 's' },
} as const;
export type Quantity = keyof typeof QUANTITIES;
export const QUANTITY_IDS = Object.keys(QUANTITIES) as Quantity[];
/** What the `registers` plan keeps (the `instantaneous` plan keeps everything). */
export const REGISTER_QUANTITIES: readonly Quantity[] = ['Eimp', 'Eexp', 'drift'];

export type MonitorValues = Partial<Record<Quantity, string>>;

/** One poll as journaled and pushed. */
export interface MonitorPoll {
  /** PC time of the end of the poll (ISO). */
  t: string;
  ok: boolean;
  reactionMs?: number;
  /** How long the whole poll took (ms). */
  durationMs?: number;
  values?: MonitorValues;
  error?: ErrorInfo;
}

/** One anomaly: a value that entered violation of a rule. */
export interface MonitorAnomaly {
  t: string;
  rule: RuleId;
  /** Which phase or register (`L1`, `1.8.0`), empty when the rule has one value. */
  channel: string;
  quantity: Quantity;
  /** The measured value (exact text). */
  value: string;
  /** The threshold that was crossed (exact text) and on which side the value is. */
  threshold: string;
  side: 'above' | 'below';
  unit: string;
}

export type MonitorHealth = 'connecting' | 'good' | 'degraded' | 'down' | 'stopped';

export interface MonitorStats {
  operationId: string;
  sessionId: string;
  running: boolean;
  startedAt: string;
  intervalS: number;
  polls: number;
  succeeded: number;
  failed: number;
  consecutiveFailures: number;
  lastSuccessAt?: string;
  lastError?: ErrorInfo;
  lastErrorAt?: string;
  meanReactionMs?: number;
  worstReactionMs?: number;
  anomalies: number;
  reconnects: number;
  health: MonitorHealth;
  /** When the next poll is due (ISO), while running. */
  nextPollAt?: string;
}

/** `monitor:update`: the statistics, and the poll that just ended (if any). */
export interface MonitorUpdate {
  stats: MonitorStats;
  poll?: MonitorPoll;
}

/** `monitor:anomaly`. */
export interface MonitorAnomalyEvent {
  operationId: string;
  sessionId: string;
  anomaly: MonitorAnomaly;
}

export const MonitorPlanSchema = z.enum(['instantaneous', 'registers']);
export type MonitorPlan = z.infer<typeof MonitorPlanSchema>;

/** The contract's bounds of the interval: a few seconds to an hour. */
export const MONITOR_MIN_INTERVAL_S = 2;
export const MONITOR_MAX_INTERVAL_S = 3600;

/** A monitoring request as the service takes it (the CLI and tests may poll faster than the UI). */
export const MonitorOptionsSchema = z.object({
  target: TargetSchema,
  intervalS: z.number().positive().max(MONITOR_MAX_INTERVAL_S),
  /** Stop by itself after this long (seconds); none = until stopped. */
  durationS: z
    .number()
    .min(1)
    .max(7 * 86400)
    .optional(),
  plan: MonitorPlanSchema.default('instantaneous'),
  /** `readout` (IEC 62056-21 data readout) or `dlms` (mode E, then HDLC). */
  protocol: z.enum(['readout', 'dlms']).default('readout'),
  /** DLMS: a saved meter profile (client, addresses, authentication). */
  profileId: z.string().max(64).optional(),
  /** DLMS LLS password: used by this monitoring only, never stored or journaled. */
  password: z.string().max(64).optional(),
  /** Rules for this session (default: the settings' rules, else the defaults). */
  rules: MonitorRulesSchema.optional(),
  address: z
    .string()
    .max(32)
    .regex(/^[\x20-\x7e]*$/)
    .optional(),
  simFaults: z.array(SimFaultSchema).max(10).optional(),
  name: z.string().max(200).optional(),
});
/** `monitor:start`: the interval from a few seconds to an hour. */
export const MonitorStartSchema = MonitorOptionsSchema.extend({ intervalS: z.number().min(MONITOR_MIN_INTERVAL_S).max(MONITOR_MAX_INTERVAL_S) });
export type MonitorStartRequest = z.input<typeof MonitorOptionsSchema>;
export type MonitorStart = z.output<typeof MonitorOptionsSchema>;

/** What a monitoring session was started with (journaled first). */
export interface MonitorSetup {
  intervalS: number;
  durationS?: number;
  plan: MonitorPlan;
  protocol: 'readout' | 'dlms';
  rules: MonitorRules;
}
