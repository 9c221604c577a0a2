/**
 * Monitoring mode in the renderer. The statistics, the anomaly list and the controls live in
 * zustand; the polled values do not: a day of 5-second polls is 17,280 points per series, so they
 * are kept in plain growing arrays ({@link MonitorSeries}) that the charts draw with uPlot's
 * setData when told that points were added — no React render per poll.
 */
import { create } from 'zustand';
import type { ErrorInfo } from '../../../shared/errors';
import type { MonitorAnomaly, MonitorAnomalyEvent, MonitorPlan, MonitorPoll, MonitorStats, MonitorUpdate, Quantity } from '../../../shared/monitor';
import type { OperationEnded } from '../../../shared/session';
import { call, errorOf } from '../api';
import { useAlign } from './align';
import { useIdentify } from './identify';
import { endedOf } from './operations';
import { useReview } from './review';

/** The charted quantities. */
export const CHARTED: readonly Quantity[] = ['U1', 'U2', 'U3', 'I1', 'I2', 'I3', 'P', 'Pexp'];

/** The polled values as uPlot columns: x in seconds, one array per quantity (null = no value). */
export class MonitorSeries {
  x: number[] = [];
  y: Record<string, (number | null)[]> = Object.fromEntries(CHARTED.map((q) => [q, []]));
  /** Anomaly times (s) and the quantity they concern, for the chart markers. */
  marks: { x: number; quantity: Quantity }[] = [];
  private listeners = new Set<() => void>();

  reset(): void {
    this.x = [];
    this.y = Object.fromEntries(CHARTED.map((q) => [q, []]));
    this.marks = [];
    this.changed();
  }

  add(p: MonitorPoll): void {
    const x = Date.parse(p.t) / 1000;
    if (!Number.isFinite(x)) return;
    this.x.push(x);
    for (const q of CHARTED) {
      const v = p.values?.[q];
      const n = v === undefined ? NaN : Number(v);
      this.y[q]!.push(Number.isFinite(n) ? n : null);
    }
    this.changed();
  }

  mark(a: MonitorAnomaly): void {
    const x = Date.parse(a.t) / 1000;
    if (Number.isFinite(x)) this.marks.push({ x, quantity: a.quantity });
    this.changed();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

export const monitorSeries = new MonitorSeries();

export type MonitorStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'ended' | 'failed';

/** Choices of the interval (s) offered, from a few seconds to an hour. */
export const INTERVALS = [2, 5, 10, 30, 60, 300, 900, 3600] as const;
/** Durations (s); 0 = until stopped. */
export const DURATIONS = [0, 600, 3600, 4 * 3600, 24 * 3600] as const;

interface MonitorState {
  mode: 'read' | 'monitor';
  intervalS: number;
  durationS: number;
  plan: MonitorPlan;
  status: MonitorStatus;
  operationId?: string;
  sessionId?: string;
  stats?: MonitorStats;
  lastPoll?: MonitorPoll;
  anomalies: MonitorAnomaly[];
  error?: ErrorInfo;
  setMode(mode: 'read' | 'monitor'): void;
  setInterval(s: number): void;
  setDuration(s: number): void;
  setPlan(p: MonitorPlan): void;
  start(target: string): Promise<void>;
  stop(): Promise<void>;
  readNow(): Promise<void>;
  onUpdate(u: MonitorUpdate): void;
  onAnomaly(e: MonitorAnomalyEvent): void;
  onEnded(e: OperationEnded): void;
}

export const useMonitor = create<MonitorState>((set, get) => ({
  mode: 'read',
  intervalS: 5,
  durationS: 0,
  plan: 'instantaneous',
  status: 'idle',
  anomalies: [],
  setMode: (mode) => set({ mode }),
  setInterval: (intervalS) => set({ intervalS }),
  setDuration: (durationS) => set({ durationS }),
  setPlan: (plan) => set({ plan }),
  async start(target) {
    const { status, intervalS, durationS, plan } = get();
    if (status === 'starting' || status === 'running' || status === 'stopping') return;
    monitorSeries.reset();
    set({ status: 'starting', error: undefined, stats: undefined, lastPoll: undefined, anomalies: [], operationId: undefined, sessionId: undefined });
    // The port must be free: no alignment or identification still holding it.
    useAlign.getState().stop();
    await useAlign.getState().settled();
    await useIdentify.getState().idle();
    const id = useIdentify.getState();
    const dlms = id.target === target && !!id.result && id.protocol === 'dlms';
    try {
      const started = await call('monitor:start', {
        target,
        intervalS,
        ...(durationS ? { durationS } : {}),
        plan,
        protocol: dlms ? 'dlms' : 'readout',
        ...(dlms && id.profileId ? { profileId: id.profileId } : {}),
        ...(dlms && id.password ? { password: id.password } : {}),
      });
      set({ status: 'running', operationId: started.operationId, sessionId: started.sessionId });
      const ended = endedOf(started.operationId);
      if (ended) get().onEnded(ended);
    } catch (e) {
      set({ status: 'failed', error: errorOf(e) });
    }
  },
  async stop() {
    const { operationId, status } = get();
    if (!operationId || status !== 'running') return;
    set({ status: 'stopping' });
    try {
      const stats = await call('monitor:stop', { operationId });
      if (stats) set({ stats });
    } catch (e) {
      set({ error: errorOf(e) });
    }
  },
  async readNow() {
    const { operationId, status } = get();
    if (!operationId || status !== 'running') return;
    try {
      await call('monitor:readNow', { operationId });
    } catch (e) {
      set({ error: errorOf(e) });
    }
  },
  onUpdate(u) {
    const { operationId, status } = get();
    // Updates may come before monitor:start has answered: take the first one's ids.
    if (operationId ? u.stats.operationId !== operationId : status !== 'starting') return;
    if (u.poll) monitorSeries.add(u.poll);
    set({ stats: u.stats, ...(u.poll ? { lastPoll: u.poll } : {}) });
  },
  onAnomaly(e) {
    const { operationId, status } = get();
    if (operationId ? e.operationId !== operationId : status !== 'starting') return;
    monitorSeries.mark(e.anomaly);
    set({ anomalies: [...get().anomalies, e.anomaly] });
  },
  onEnded(e) {
    const { operationId, sessionId } = get();
    if (e.operationId !== operationId) return;
    set({ status: e.state === 'failed' ? 'failed' : 'ended', ...(e.error && e.state === 'failed' ? { error: e.error } : {}) });
    // The journal is complete: the session can be exported (and reviewed).
    const id = e.sessionId ?? sessionId;
    if (id) void useReview.getState().load(id);
  },
}));
