/**
 * The read step: one reading plan run against the meter. Readings arrive as they are read
 * (`session:readings`), progress by operation, and the end says done, failed or cancelled —
 * whatever was read before stays.
 */
import { create } from 'zustand';
import type { ErrorInfo } from '../../../shared/errors';
import type { OperationEnded, ReadPlan, ReadRequest, SessionReadingsEvent } from '../../../shared/session';
import type { Progress, Reading } from '../../../shared/types';
import { call, errorOf } from '../api';
import i18n from '../i18n';
import { dayToIso, formatDateTime, intlLocale, isoDay } from '../format';
import { useApp } from '../store';
import { useAlign } from './align';
import { useIdentify } from './identify';
import { endedOf } from './operations';
import { useReview } from './review';

export type ReadStatus = 'idle' | 'starting' | 'running' | 'done' | 'failed' | 'cancelled';

export const PLANS: readonly ReadPlan[] = ['readout', 'billing', 'instantaneous', 'profile', 'events', 'discover'];

/** The load profile's dates, checked in the app's language: the text key of the problem, if any. */
export function rangeProblem(from: string, to: string): 'read.dateMissing' | 'read.dateOrder' | undefined {
  if (!dayToIso(from) || !dayToIso(to)) return 'read.dateMissing';
  return from > to ? 'read.dateOrder' : undefined;
}

/** A session title in words: the meter (the demo meter by name) and the time, to the minute. */
function sessionName(target: string): string {
  const { ports, lang } = useApp.getState();
  const meter = ports.find((p) => p.path === target)?.kind === 'virtual' ? i18n.t('port.demoName') : target;
  return i18n.t('read.sessionName', { meter, date: formatDateTime(new Date().toISOString(), intlLocale(lang), false) });
}

interface ReadState {
  plan: ReadPlan;
  from: string;
  to: string;
  name: string;
  status: ReadStatus;
  operationId?: string;
  sessionId?: string;
  progress?: Progress;
  readings: Reading[];
  error?: ErrorInfo;
  cancelling: boolean;
  setPlan(plan: ReadPlan): void;
  setRange(from: string, to: string): void;
  setName(name: string): void;
  start(target: string): Promise<void>;
  cancel(): Promise<void>;
  onProgress(p: Progress): void;
  onReadings(e: SessionReadingsEvent): void;
  onEnded(e: OperationEnded): void;
}

const today = new Date();
const weekAgo = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 7);
/** Readings pushed before `read:start` answered (by session id). */
const early = new Map<string, Reading[]>();

export const useRead = create<ReadState>((set, get) => ({
  plan: 'readout',
  from: isoDay(weekAgo),
  to: isoDay(today),
  name: '',
  status: 'idle',
  readings: [],
  cancelling: false,
  setPlan: (plan) => set({ plan }),
  setRange: (from, to) => set({ from, to }),
  setName: (name) => set({ name }),
  async start(target) {
    const { plan, from, to, name, status } = get();
    if (status === 'starting' || status === 'running') return;
    if (plan === 'profile' && rangeProblem(from, to)) return;
    set({ status: 'starting', error: undefined, readings: [], progress: undefined, operationId: undefined, sessionId: undefined, cancelling: false });
    early.clear();
    // The port must be free: no alignment or identification still holding it.
    useAlign.getState().stop();
    await useAlign.getState().settled();
    await useIdentify.getState().idle();
    const id = useIdentify.getState();
    const identified = id.target === target && !!id.result;
    // A protocol the technician picked holds, also when the identification had not finished.
    const protocol = identified || id.chosen ? id.protocol : 'auto';
    const request: ReadRequest = {
      target,
      plan,
      protocol,
      ...(protocol === 'dlms' && id.profileId ? { profileId: id.profileId } : {}),
      ...(id.password ? { password: id.password } : {}),
      name: name.trim() || sessionName(target),
    };
    if (plan === 'profile') {
      const f = dayToIso(from);
      const t = dayToIso(to, true);
      if (f) request.from = f;
      if (t) request.to = t;
    }
    try {
      const started = await call('read:start', request);
      const readings = early.get(started.sessionId) ?? [];
      early.clear();
      set({ status: 'running', operationId: started.operationId, sessionId: started.sessionId, readings });
      const ended = endedOf(started.operationId);
      if (ended) get().onEnded(ended);
    } catch (e) {
      set({ status: 'failed', error: errorOf(e) });
    }
  },
  async cancel() {
    const { operationId, status } = get();
    if (!operationId || status !== 'running') return;
    set({ cancelling: true });
    try {
      await call('operation:cancel', { operationId });
    } catch (e) {
      set({ error: errorOf(e), cancelling: false });
    }
  },
  onProgress(p) {
    if (p.operationId === get().operationId) set({ progress: p });
  },
  onReadings(e) {
    const { sessionId, status } = get();
    if (e.sessionId === sessionId) set({ readings: [...get().readings, ...e.readings] });
    else if (status === 'starting') early.set(e.sessionId, [...(early.get(e.sessionId) ?? []), ...e.readings]);
  },
  onEnded(e) {
    const { operationId, sessionId } = get();
    if (e.operationId !== operationId) return;
    set({ status: e.state, cancelling: false, ...(e.error && e.state === 'failed' ? { error: e.error } : {}) });
    // The journal is complete before the end is announced: the review shows what was read.
    const id = e.sessionId ?? sessionId;
    if (id) void useReview.getState().load(id);
  },
}));
