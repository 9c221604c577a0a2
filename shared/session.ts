/**
 * The data of a technician's visit (a session), of the wizard's operations, and the request
 * schemas of the channels that drive them. Plain data only.
 */
import { z } from 'zod';
import type { ErrorInfo } from './errors';
import type { MeterIdentity, Reading, SessionSummary, TraceEntry } from './types';
import type { MonitorAnomaly, MonitorPoll, MonitorSetup } from './monitor';
import { SimFaultSchema, TargetSchema } from './target';
import type { ListenFrame, ListenSetup } from './listen';

export const ConnectOptionsSchema = z.object({
  target: TargetSchema,
  /** IEC 62056-21 device address (`/?ADDRESS!`), empty for any meter. */
  address: z
    .string()
    .max(32)
    .regex(/^[\x20-\x7e]*$/)
    .optional(),
  /** Demo meter only: faults to inject. */
  simFaults: z.array(SimFaultSchema).max(10).optional(),
});
export type ConnectOptions = z.infer<typeof ConnectOptionsSchema>;

export const ReadPlanSchema = z.enum(['readout', 'billing', 'instantaneous', 'profile', 'events', 'discover']);
export type ReadPlan = z.infer<typeof ReadPlanSchema>;

const HexBytes = (n: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${2 * n}}$`));

/** DLMS/COSEM options of a read (all optional: a saved meter profile or the defaults fill the rest). */
export const DlmsOptionsSchema = z
  .object({
    /** Client SAP: 16 public, 32 reading client (LLS), 1 management client (HLS-GMAC). */
    clientSap: z.number().int().min(1).max(127).optional(),
    serverLogical: z.number().int().min(0).max(16383).optional(),
    /** HDLC physical address of the server; 0 = a one-byte server address (logical only). */
    serverPhysical: z.number().int().min(0).max(16383).optional(),
    auth: z.enum(['none', 'lls', 'hls-gmac']).optional(),
    /** Talk HDLC at once (no IEC 62056-21 mode E handshake): network heads, HDLC over TCP. */
    hdlcDirect: z.boolean().optional(),
    /** IEC 62056-47 wrapper instead of HDLC (TCP). */
    wrapper: z.boolean().optional(),
    /** Registers to read instead of the plan's default list (`1-0:1.8.0`, or `CLASS/OBIS`). */
    obis: z.array(z.string().min(1).max(40)).max(500).optional(),
    /** The profile generic of the profile plan (default 1-0:99.1.0*255). */
    profileObis: z.string().min(1).max(40).optional(),
    /** Several plans in one association (instead of `plan`). */
    plans: z.array(ReadPlanSchema).max(6).optional(),
    /** HLS-GMAC security material, hex (used for this read only, never stored or journaled). */
    keys: z
      .object({ systemTitle: HexBytes(8), encryptionKey: HexBytes(16), authenticationKey: HexBytes(16) })
      .strict()
      .optional(),
  })
  .strict();
export type DlmsOptions = z.infer<typeof DlmsOptionsSchema>;

export const ReadRequestSchema = ConnectOptionsSchema.extend({
  plan: ReadPlanSchema.default('readout'),
  protocol: z.enum(['readout', 'dlms', 'auto']).default('auto'),
  /** DLMS: a saved meter profile to use. */
  profileId: z.string().max(64).optional(),
  /** DLMS LLS password or IEC programming-mode password: used for this read only, never stored here. */
  password: z.string().max(64).optional(),
  /** Load profile bounds (ISO). */
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  /** Name the session (meter location…). */
  name: z.string().max(200).optional(),
  /** DLMS/COSEM options (client, server address, authentication, objects). */
  dlms: DlmsOptionsSchema.optional(),
});
export type ReadRequest = z.input<typeof ReadRequestSchema>;

export const OperationIdSchema = z.object({ operationId: z.string().min(1).max(64) });
export const SessionIdSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

export const SessionRenameSchema = SessionIdSchema.extend({
  name: z.string().max(200).optional(),
  location: z.string().max(200).optional(),
  note: z.string().max(2000).optional(),
});

export const ExportRequestSchema = SessionIdSchema.extend({
  what: z.enum(['readings', 'profile', 'events', 'polls', 'anomalies', 'pushes']).default('readings'),
  dialect: z.enum(['auto', 'comma-dot', 'semicolon-comma']).default('auto'),
  /** Language of the headers and names (and of the `auto` dialect); default: the main side's. */
  lang: z.enum(['en', 'fr']).optional(),
});
export type ExportRequest = z.input<typeof ExportRequestSchema>;

/**
 * A column the app adds right after a clock time column (Clock attribute 2): what the meter sent
 * with each time besides the wall time. `clockStatus`: the clock status byte as `0x80` (bit 7
 * daylight saving, bit 0 invalid…; empty when the meter left it unspecified, 0xFF).
 * `deviation`: minutes to add to the wall time to get UTC, as sent (`-60` for CET), or
 * `unspecified` (0x8000: the time cell is then the wall time without an offset). Both are empty
 * in a row whose time the meter left out (compressed profiles). Its obis/attribute are the time
 * column's.
 */
export type ProfileColumnPart = 'clockStatus' | 'deviation';

/** A load profile as read: columns with their unit, rows of exact values. */
export interface ProfileData {
  obis: string;
  columns: { obis: string; attribute: number; name?: string; unit: string; scaler?: number; part?: ProfileColumnPart }[];
  /**
   * Each row: one text per column (exact values). A time cell is ISO 8601: with the meter's UTC
   * offset when it sent one (`2024-05-07T00:15:00+01:00`, parsed by Date as the instant), else
   * its wall time without offset (`2024-05-07T00:15:00`, and `unspecified` in the deviation
   * column); COSEM text when it is no complete date.
   */
  rows: string[][];
  capturePeriodS?: number;
  /** The range asked for (ISO, as requested): a later read of the same range may continue this one. */
  from?: string;
  to?: string;
  /**
   * This profile continues an earlier read of the same range that was cut short: its first
   * `rows` rows were kept from session `sessionId`, and the meter was asked for the rows after
   * `after` (the last kept row's time) only.
   */
  continued?: { sessionId: string; rows: number; after: string };
}

export interface MeterEvent {
  log: string;
  /** The meter's time: ISO with its UTC offset when it gave one, else as sent. */
  time: string;
  code: number;
  text: string;
  /** Minutes to add to the meter's wall time to get UTC, as sent (null: not specified). */
  deviation?: number | null;
  /** The clock status byte sent with the time (null: not specified). */
  clockStatus?: number | null;
}

export interface SessionData extends SessionSummary {
  readings: Reading[];
  errors: ErrorInfo[];
  trace: TraceEntry[];
  profile?: ProfileData;
  events: MeterEvent[];
  /** Warnings (e.g. "the meter did not take 9600 baud, read at 300"). */
  warnings: string[];
  /** Connection doctor reports saved with the session, as text. */
  doctorReports: string[];
  /** Monitoring sessions: how the monitoring was set up, every poll, every anomaly. */
  monitor?: MonitorSetup;
  polls?: MonitorPoll[];
  anomalies?: MonitorAnomaly[];
  /** Customer-port sessions: how listening was set up, and every frame or telegram heard. */
  listen?: ListenSetup;
  pushes?: ListenFrame[];
}

/** What the identify step shows. */
export interface IdentifyResult {
  identity: MeterIdentity;
  modes: { readout: boolean; modeE: boolean; reducedReactionTime: boolean };
  /** DLMS facts when the meter offers mode E and they could be read. */
  dlms?: { logicalDeviceName?: string; serialNumber?: string; firmware?: string; clock?: string; driftSeconds?: number };
  warnings: string[];
}

/** One live update of the alignment step. */
export interface AlignUpdate {
  operationId: string;
  tries: number;
  /** Results of the last N tries, newest last (true = a valid identification came back). */
  recent: boolean[];
  successRate: number;
  lastOk: boolean;
  lastReactionMs?: number;
  echo: boolean;
  parityErrors: number;
  noise: boolean;
  /** `searching` (no answer yet), `unstable`, `steady` (done), `echo-only`, `silent`, `garbled`. */
  state: 'searching' | 'unstable' | 'steady' | 'echo-only' | 'silent' | 'garbled' | 'stopped' | 'failed';
  lastError?: ErrorInfo;
  identLine?: string;
  running: boolean;
}

export interface ReadStarted {
  operationId: string;
  sessionId: string;
}

/** Pushed as readings arrive. */
export interface SessionReadingsEvent {
  sessionId: string;
  readings: Reading[];
}

export interface OperationEnded {
  operationId: string;
  sessionId?: string;
  state: 'done' | 'failed' | 'cancelled';
  error?: ErrorInfo;
}

export interface ExportResult {
  /** Where the file was written (Electron: chosen by the user; tests/station: the data folder). */
  path: string;
  rows: number;
  bytes: number;
  /** Station only: a same-origin link (short-lived, single use) from which a browser downloads the file. */
  download?: string;
}
