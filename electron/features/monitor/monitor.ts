/**
 * Monitoring mode: a meter polled at an interval for an hour or a day, every poll journaled,
 * live statistics, anomaly rules (anomaly.ts).
 *
 * - A poll is a pluggable function `(link, signal) => Promise<PollResult>`: the IEC 62056-21
 *   data readout ({@link iecReadoutPoll}) or a DLMS read of the instantaneous values or the
 *   registers with the public client ({@link dlmsPoll}).
 * - The target stays open between polls. A poll that fails is retried with back-off
 *   (min(interval, base × 2^(n−1)) after the n-th failure in a row); after LINK_LOST the target is
 *   closed and reopened on the next attempt (an unplugged head gives failed attempts with
 *   back-off until it is back, then polling resumes).
 * - The interval timer lives here, not in the protocol code. Stop (or the window closing,
 *   `stopAll`) aborts the poll under way, closes the target and completes the journal before it
 *   answers.
 */
import { OmrError, toErrorInfo, type Lang } from '../../../shared/errors';
import {
  DEFAULT_MONITOR_RULES,
  type MonitorAnomaly,
  type MonitorHealth,
  type MonitorPoll,
  type MonitorSetup,
  type MonitorStart,
  type MonitorStats,
  type MonitorValues,
} from '../../../shared/monitor';
import type { ReadStarted } from '../../../shared/session';
import type { Settings } from '../../../shared/settings';
import type { TraceEntry } from '../../../shared/types';
import { IEC_INITIAL_LINE, type Link } from '../../link/types';
import { AnomalyDetector, extractValues } from './anomaly';
import { dlmsPoll } from './dlms-poll';
import type { PollFn, PollResult } from './poll';
import type { EventBus } from '../../runtime/events';
import { iecOptions, runIec } from '../read/iec';
import type { SessionJournal, SessionStore } from '../sessions/journal';
import type { Operation, Operations } from '../../runtime/operations';
import { VIRTUAL_PORT_PATH } from '../../link/open';
import type { SettingsService } from '../settings/settings';
import type { OpenedTarget, Targets } from '../ports/targets';

export type { PollContext, PollFn, PollResult } from './poll';

/** Every IEC 62056-21 session starts at 300 baud 7E1: put the line back there before a poll. */
async function toIecStart(link: Link): Promise<void> {
  const l = link.line;
  if (l.baudRate !== IEC_INITIAL_LINE.baudRate || l.dataBits !== IEC_INITIAL_LINE.dataBits || l.parity !== IEC_INITIAL_LINE.parity)
    await link.setLine(IEC_INITIAL_LINE);
}

/** A poll by the IEC 62056-21 data readout (all registers and instantaneous values). */
export function iecReadoutPoll(settings: () => Settings, address?: string): PollFn {
  return async (link, signal, ctx = {}) => {
    await toIecStart(link);
    const run = await runIec(
      link,
      iecOptions(settings(), { purpose: 'readout', ...(address ? { address } : {}) }),
      ctx.onTrace ? { onTrace: ctx.onTrace } : {},
      signal,
    );
    return {
      readings: run.readings,
      ...(run.reactionMs !== undefined ? { reactionMs: run.reactionMs } : {}),
      ...(run.identity ? { identity: run.identity } : {}),
      ...(run.error ? { error: run.error } : {}),
    };
  };
}

export { dlmsPoll, keepsAssociation } from './dlms-poll';

export interface MonitorDeps {
  targets: Pick<Targets, 'open'>;
  settings: SettingsService;
  events: EventBus;
  operations: Operations;
  sessions: SessionStore;
  lang: () => Lang;
  /** Shortest interval accepted (s). The contract's minimum applies to the UI; tests go lower. */
  minIntervalS?: number;
  /** First back-off after a failed poll (ms, default 1000); it doubles per failure, up to the interval. */
  backoffBaseMs?: number;
  /** The poll to run (default: readout, or DLMS for protocol dlms). */
  pollFor?: (req: MonitorStart) => PollFn;
  dlmsTimeouts?: { responseTimeoutMs?: number; maxRetries?: number };
}

/** The back-off after the n-th failed poll in a row (n ≥ 1). */
export function backoffMs(n: number, intervalMs: number, baseMs = 1000): number {
  return Math.min(intervalMs, baseMs * 2 ** Math.min(30, Math.max(0, n - 1)));
}

/** How many of the last polls the health looks at. */
const RECENT = 10;

class MonitorRun {
  readonly startedAt = new Date();
  private opened: OpenedTarget | undefined;
  private everOpened = false;
  private linkLost = false;
  private wake: (() => void) | undefined;
  private pollNow = false;
  private polling = false;
  private recent: boolean[] = [];
  private reactionSum = 0;
  private reactionCount = 0;
  private nextAt: number | undefined;
  private traced = false;
  readonly stats: Omit<MonitorStats, 'health' | 'running' | 'nextPollAt'>;
  readonly detector: AnomalyDetector;
  readonly finished: Promise<void>;
  running = true;

  constructor(
    private readonly deps: MonitorDeps,
    readonly op: Operation,
    readonly journal: SessionJournal,
    readonly req: MonitorStart,
    readonly setup: MonitorSetup,
    private readonly poll: PollFn,
    opened?: OpenedTarget,
  ) {
    this.opened = opened;
    this.everOpened = !!opened;
    this.detector = new AnomalyDetector(setup.rules);
    this.stats = {
      operationId: op.id,
      sessionId: journal.id,
      startedAt: this.startedAt.toISOString(),
      intervalS: req.intervalS,
      polls: 0,
      succeeded: 0,
      failed: 0,
      consecutiveFailures: 0,
      anomalies: 0,
      reconnects: 0,
    };
    this.finished = this.loop();
  }

  snapshot(): MonitorStats {
    return {
      ...this.stats,
      running: this.running,
      health: this.health(),
      ...(this.running && this.nextAt !== undefined ? { nextPollAt: new Date(this.nextAt).toISOString() } : {}),
    };
  }

  private health(): MonitorHealth {
    if (!this.running) return 'stopped';
    if (!this.stats.polls) return 'connecting';
    if (this.stats.consecutiveFailures >= 3 || (this.linkLost && this.stats.consecutiveFailures > 0)) return 'down';
    if (this.stats.consecutiveFailures > 0 || this.recent.includes(false)) return 'degraded';
    return 'good';
  }

  requestPoll(): void {
    this.pollNow = true;
    this.wake?.();
  }

  stop(): void {
    if (!this.op.controller.signal.aborted) this.op.controller.abort(new OmrError('CANCELLED'));
    this.wake?.();
  }

  private get aborted(): boolean {
    return this.op.controller.signal.aborted;
  }

  private sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, at - Date.now()));
      this.wake = done;
    });
  }

  private async loop(): Promise<void> {
    const { events, operations, sessions } = this.deps;
    const intervalMs = this.req.intervalS * 1000;
    const deadline = this.req.durationS !== undefined ? this.startedAt.getTime() + this.req.durationS * 1000 : Infinity;
    this.op.controller.signal.addEventListener('abort', () => this.wake?.(), { once: true });
    let failure: unknown;
    this.nextAt = Date.now();
    try {
      events.emit('monitor:update', { stats: this.snapshot() });
      while (!this.aborted) {
        if (!this.pollNow) await this.sleepUntil(Math.min(this.nextAt, deadline));
        if (this.aborted || Date.now() >= deadline) break;
        if (!this.pollNow && Date.now() < this.nextAt) continue;
        this.pollNow = false;
        const began = Date.now();
        const ok = await this.pollOnce();
        if (ok === undefined) break; // stopped during the poll
        this.nextAt = ok
          ? Math.max(Date.now(), began + intervalMs)
          : Date.now() + backoffMs(this.stats.consecutiveFailures, intervalMs, this.deps.backoffBaseMs);
        events.emit('monitor:update', { stats: this.snapshot() });
      }
    } catch (e) {
      failure = e;
      this.journal.append({ k: 'error', t: new Date().toISOString(), error: toErrorInfo(e, this.deps.lang()) });
    } finally {
      this.running = false;
      // What the poll holds (a DLMS association) is released before the link closes.
      await this.poll.close?.().catch(() => undefined);
      await this.opened?.close().catch(() => undefined);
      this.opened = undefined;
      // The journal is complete before anyone hears that monitoring ended.
      sessions.finish(this.journal, failure === undefined ? 'done' : 'failed');
      events.emit('monitor:update', { stats: this.snapshot() });
      operations.end(this.op, failure);
    }
  }

  /** One attempt: open if needed, poll, record. Undefined when stopped in the middle. */
  private async pollOnce(): Promise<boolean | undefined> {
    const { targets, lang } = this.deps;
    const started = Date.now();
    const trace: TraceEntry[] = [];
    let result: PollResult;
    this.polling = true;
    try {
      if (!this.opened) {
        try {
          this.opened = await targets.open(this.req.target, this.req.simFaults ? { simFaults: this.req.simFaults } : {});
        } catch (e) {
          if (this.aborted) return undefined;
          return this.record({ readings: [], error: toErrorInfo(e, lang()) }, started, trace);
        }
        if (this.everOpened) this.stats.reconnects++;
        this.everOpened = true;
        this.linkLost = false;
      }
      const link = this.opened.link;
      try {
        result = await this.poll(link, this.op.controller.signal, { onTrace: (e) => trace.push(e), lang: lang() });
      } catch (e) {
        result = { readings: [], error: toErrorInfo(e, lang()) };
      }
      if (this.aborted) return undefined;
      if (!result.error && !link.isOpen) result = { ...result, error: new OmrError('LINK_LOST', `${link.description} closed`).info(lang()) };
      if (result.error?.code === 'LINK_LOST' || !link.isOpen) {
        // Reopen on the next attempt (the head may be unplugged: then opening fails until it is back).
        this.linkLost = true;
        const opened = this.opened;
        this.opened = undefined;
        await this.poll.close?.().catch(() => undefined);
        await opened.close().catch(() => undefined);
      }
      return this.record(result, started, trace);
    } finally {
      this.polling = false;
    }
  }

  private record(result: PollResult, started: number, trace: TraceEntry[]): boolean {
    const { events } = this.deps;
    const t = new Date().toISOString();
    const ok = !result.error;
    let values: MonitorValues | undefined;
    if (ok || result.readings.length) {
      const meterClock = this.req.target === VIRTUAL_PORT_PATH ? 'utc' : this.setup.rules.clockDrift.meterClock;
      values = extractValues(result.readings, { plan: this.setup.plan, meterClock, ...(result.driftS !== undefined ? { driftS: result.driftS } : {}) });
    }
    const poll: MonitorPoll = {
      t,
      ok,
      ...(result.reactionMs !== undefined ? { reactionMs: result.reactionMs } : {}),
      durationMs: Date.now() - started,
      ...(values && Object.keys(values).length ? { values } : {}),
      ...(result.error ? { error: result.error } : {}),
    };
    const s = this.stats;
    s.polls++;
    this.recent.push(ok);
    if (this.recent.length > RECENT) this.recent.shift();
    if (ok) {
      s.succeeded++;
      s.consecutiveFailures = 0;
      s.lastSuccessAt = t;
      if (result.reactionMs !== undefined) {
        this.reactionSum += result.reactionMs;
        this.reactionCount++;
        s.meanReactionMs = Math.round(this.reactionSum / this.reactionCount);
        s.worstReactionMs = Math.max(s.worstReactionMs ?? 0, result.reactionMs);
      }
    } else {
      s.failed++;
      s.consecutiveFailures++;
      s.lastError = result.error!;
      s.lastErrorAt = t;
    }
    if (result.identity && !this.traced) this.journal.append({ k: 'identity', t, identity: result.identity });
    // The frames of the first poll and of every failed poll are kept (a day of 5-second polls
    // would otherwise journal every readout byte for byte).
    if (trace.length && (!ok || !this.traced)) this.journal.append({ k: 'trace', t, entries: trace });
    if (ok) this.traced = true;
    this.journal.append({ k: 'poll', ...poll });
    let anomalies: MonitorAnomaly[] = [];
    if (ok && values) anomalies = this.detector.check(values, t);
    for (const anomaly of anomalies) {
      s.anomalies++;
      this.journal.append({ k: 'anomaly', t, anomaly });
      events.emit('monitor:anomaly', { operationId: this.op.id, sessionId: this.journal.id, anomaly });
    }
    events.emit('monitor:update', { stats: this.snapshot(), poll });
    return ok;
  }

  /** A poll is under way. */
  get busy(): boolean {
    return this.polling;
  }
}

export class MonitorService {
  private runs = new Map<string, MonitorRun>();
  /** The last statistics of monitors that have ended (the most recent few). */
  private endedStats = new Map<string, MonitorStats>();
  constructor(private readonly deps: MonitorDeps) {}

  /**
   * Start monitoring. The target is opened first, so a wrong port answers at once with its typed
   * error; then the session and the operation exist when this answers, and polls follow.
   */
  async start(req: MonitorStart): Promise<ReadStarted> {
    const min = this.deps.minIntervalS ?? 2;
    if (!(req.intervalS >= min)) throw new OmrError('INVALID_REQUEST', `the interval must be at least ${min} s`);
    const settings = this.deps.settings.get();
    const rules = req.rules ?? settings.monitor ?? DEFAULT_MONITOR_RULES;
    const plan = req.plan ?? 'instantaneous';
    const protocol = req.protocol ?? 'readout';
    const setup: MonitorSetup = { intervalS: req.intervalS, ...(req.durationS !== undefined ? { durationS: req.durationS } : {}), plan, protocol, rules };
    const full: MonitorStart = { ...req, plan, protocol };
    const poll = this.deps.pollFor?.(full) ?? this.defaultPoll(full);
    const opened = await this.deps.targets.open(req.target, req.simFaults ? { simFaults: req.simFaults } : {});
    const journal = this.deps.sessions.create(req.name ?? `Monitor ${req.target} ${new Date().toLocaleString('sv-SE')}`, req.target);
    journal.append({ k: 'monitor', t: new Date().toISOString(), setup });
    const op = this.deps.operations.start('monitor', journal.id);
    const run = new MonitorRun(this.deps, op, journal, full, setup, poll, opened);
    this.runs.set(op.id, run);
    void run.finished.finally(() => {
      this.runs.delete(op.id);
      this.endedStats.set(op.id, run.snapshot());
      if (this.endedStats.size > 50) this.endedStats.delete(this.endedStats.keys().next().value!);
    });
    return { operationId: op.id, sessionId: journal.id };
  }

  private defaultPoll(req: MonitorStart): PollFn {
    const settings = () => this.deps.settings.get();
    if (req.protocol === 'dlms') {
      return dlmsPoll(settings, {
        plan: req.plan,
        intervalS: req.intervalS,
        ...(req.address ? { address: req.address } : {}),
        ...(req.profileId ? { profileId: req.profileId } : {}),
        ...(req.password ? { password: req.password } : {}),
        ...this.deps.dlmsTimeouts,
      });
    }
    return iecReadoutPoll(settings, req.address);
  }

  /** Stop and wait until the journal is complete; null when no such monitor runs. */
  async stop(operationId: string): Promise<MonitorStats | null> {
    const run = this.runs.get(operationId);
    if (!run) return null;
    run.stop();
    await run.finished;
    return run.snapshot();
  }

  readNow(operationId: string): MonitorStats {
    const run = this.runs.get(operationId);
    if (!run) throw new OmrError('NOT_FOUND', `monitor ${operationId}`);
    run.requestPoll();
    return run.snapshot();
  }

  status(operationId: string): MonitorStats | undefined {
    return this.runs.get(operationId)?.snapshot();
  }

  /** Resolves when this monitor has ended (stopped, duration reached). */
  async ended(operationId: string): Promise<MonitorStats | undefined> {
    const run = this.runs.get(operationId);
    if (!run) return this.endedStats.get(operationId);
    await run.finished;
    return run.snapshot();
  }

  /** Window closed, app quitting: stop every monitor, journals complete when this resolves. */
  async stopAll(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const r of runs) r.stop();
    await Promise.all(runs.map((r) => r.finished));
  }

  get size(): number {
    return this.runs.size;
  }
}
