/**
 * The typed IPC contract: the one place that declares every channel between the renderer and the
 * main-side services. A channel that is not here does not exist.
 *
 * - invoke channels: request schema (validated by the main side at the boundary) → response type;
 * - event channels: main → renderer pushes.
 *
 * Every invoke answers with an {@link Envelope}: Electron only carries an error's message across
 * `invoke`, so failures travel as data with their code, message and remedy.
 * The same contract is carried by Electron IPC, by the Playwright test bridge and by the
 * WebSocket of the headless station.
 */
import { z } from 'zod';
import type { ErrorInfo } from './errors';
import { MeterProfileSchema, SettingsPatchSchema, type Settings } from './settings';
import type { AppInfo, PortInfo, Progress, SessionSummary, TraceEntry, TraceExplanation } from './types';
import type { Check, DoctorReport } from './doctor';
import { MonitorStartSchema, type MonitorAnomalyEvent, type MonitorStats, type MonitorUpdate } from './monitor';
import {
  ConnectOptionsSchema,
  ExportRequestSchema,
  OperationIdSchema,
  ReadRequestSchema,
  SessionIdSchema,
  SessionRenameSchema,
  type AlignUpdate,
  type ExportResult,
  type IdentifyResult,
  type OperationEnded,
  type ReadStarted,
  type SessionData,
  type SessionReadingsEvent,
} from './session';
import { ListenStartSchema, type ListenFrameEvent, type ListenStarted, type ListenStopped } from './listen';

/** Phantom marker for a response or event payload type (no run-time value). */
function type<T>(): T {
  return undefined as unknown as T;
}

/** No request payload: undefined, null or an empty object are all accepted. */
const Empty = z.union([z.undefined(), z.null(), z.object({}).strict()]).transform((): undefined => undefined);

export const invokeChannels = {
  'app:info': { request: Empty, response: type<AppInfo>() },
  'ports:list': { request: Empty, response: type<PortInfo[]>() },
  'settings:get': { request: Empty, response: type<Settings>() },
  'settings:set': { request: SettingsPatchSchema.strict(), response: type<Settings>() },
  /** Start live alignment diagnostics (repeated identification requests at 300 baud). */
  'align:start': {
    request: ConnectOptionsSchema.extend({
      /** How many good answers in a row make the head "steady" (then it stops by itself). */
      steadyAfter: z.number().int().min(1).max(20).default(3),
      /** Give up after this many tries (0 = until stopped). */
      maxTries: z.number().int().min(0).max(1000).default(0),
    }).strict(),
    response: type<{ operationId: string }>(),
  },
  'align:stop': { request: OperationIdSchema.strict(), response: type<AlignUpdate | null>() },
  'meter:identify': { request: ConnectOptionsSchema.strict(), response: type<IdentifyResult>() },
  'read:start': { request: ReadRequestSchema.strict(), response: type<ReadStarted>() },
  'operation:cancel': { request: OperationIdSchema.strict(), response: type<{ cancelled: boolean }>() },
  'sessions:list': { request: Empty, response: type<SessionSummary[]>() },
  'sessions:get': { request: SessionIdSchema.strict(), response: type<SessionData>() },
  'sessions:rename': { request: SessionRenameSchema.strict(), response: type<SessionSummary>() },
  'sessions:delete': { request: SessionIdSchema.strict(), response: type<{ deleted: boolean }>() },
  'sessions:export': { request: ExportRequestSchema.strict(), response: type<ExportResult>() },
  /**
   * Explain frames of a trace (each one whole frame or line, hex; `**` where a secret was) layer
   * by layer with a verdict, in the caller's language.
   */
  'trace:explain': {
    request: z
      .object({
        frames: z
          .array(
            z
              .string()
              .max(65536)
              .regex(/^[0-9a-fA-F*]*$/),
          )
          .max(200),
        lang: z.enum(['en', 'fr']).optional(),
      })
      .strict(),
    response: type<TraceExplanation[]>(),
  },
  /** Connection doctor: the ordered checks; the report is saved with the session when one is named. */
  'doctor:run': {
    request: ConnectOptionsSchema.extend({ target: z.string().max(512), sessionId: SessionIdSchema.shape.id.optional() }).strict(),
    response: type<DoctorReport>(),
  },
  /** Can passwords be kept through the system keychain here? (Otherwise they are asked at each reading.) */
  'secrets:status': { request: Empty, response: type<{ available: boolean }>() },
  /** Keep a profile's password, encrypted by the system; UNAVAILABLE without a keychain. Never journaled. */
  'secrets:set': {
    request: z.object({ profileId: MeterProfileSchema.shape.id, secret: z.string().min(1).max(256) }).strict(),
    response: type<{ stored: true }>(),
  },
  'secrets:clear': { request: z.object({ profileId: MeterProfileSchema.shape.id }).strict(), response: type<{ cleared: boolean }>() },
  /** Monitoring mode: poll the meter at an interval, with statistics and anomaly rules. */
  'monitor:start': { request: MonitorStartSchema.strict(), response: type<ReadStarted>() },
  /** Stop a monitoring session (its journal is complete when this answers). */
  'monitor:stop': { request: OperationIdSchema.strict(), response: type<MonitorStats | null>() },
  /** Poll now, without waiting for the interval. */
  'monitor:readNow': { request: OperationIdSchema.strict(), response: type<MonitorStats>() },
  /** Listen to a customer port (P1 telegrams, DLMS pushes): one listener per port, each frame journaled as it comes. */
  'listen:start': { request: ListenStartSchema.strict(), response: type<ListenStarted>() },
  /** Stop listening (the session is complete when this answers). */
  'listen:stop': { request: OperationIdSchema.strict(), response: type<ListenStopped | null>() },
} as const;

export const eventChannels = {
  'ports:changed': type<PortInfo[]>(),
  'operation:progress': type<Progress>(),
  'operation:ended': type<OperationEnded>(),
  'align:update': type<AlignUpdate>(),
  'session:readings': type<SessionReadingsEvent>(),
  'doctor:check': type<Check>(),
  trace: type<TraceEntry & { sessionId?: string }>(),
  'monitor:update': type<MonitorUpdate>(),
  'monitor:anomaly': type<MonitorAnomalyEvent>(),
  'listen:frame': type<ListenFrameEvent>(),
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type EventChannel = keyof typeof eventChannels;

/** What a caller passes (schema input). */
export type RequestOf<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>;
/** What a handler receives (schema output, after validation and defaults). */
export type ParsedRequestOf<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['request']>;
export type ResponseOf<C extends InvokeChannel> = (typeof invokeChannels)[C]['response'];
export type EventOf<E extends EventChannel> = (typeof eventChannels)[E];

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Channel names, derived from the contract (the preload allowlist is exactly these). */
export const INVOKE_CHANNELS = Object.freeze(Object.keys(invokeChannels)) as readonly InvokeChannel[];
export const EVENT_CHANNELS = Object.freeze(Object.keys(eventChannels)) as readonly EventChannel[];

export function isInvokeChannel(x: unknown): x is InvokeChannel {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(invokeChannels, x);
}
export function isEventChannel(x: unknown): x is EventChannel {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(eventChannels, x);
}

/** Electron's IPC channel name for a contract channel (one namespace, no collisions). */
export const ipcName = (channel: string): string => `omr:${channel}`;

/** The API the preload exposes as `window.omr`, and that every other transport provides too. */
export interface OmrBridge {
  invoke<C extends InvokeChannel>(channel: C, request?: RequestOf<C>): Promise<Envelope<ResponseOf<C>>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventOf<E>) => void): () => void;
}
