/**
 * The customer-port view: its settings for the run (port, line, keys), the listener's state, and
 * what was heard — the latest good values of each list apart (a meter pushing two lists shows
 * two lists, never mixed) and the most recent frames with their verdicts. Keys live here only
 * for the run: they are sent with `listen:start` and never saved.
 */
import { create } from 'zustand';
import type { ErrorInfo } from '../../../shared/errors';
import { P1_DEMO_PORT, type ListenCounts, type ListenFrame, type ListenFrameEvent, type ListenLine } from '../../../shared/listen';
import type { OperationEnded } from '../../../shared/session';
import { call, errorOf } from '../api';
import { useApp } from '../store';
import { useAlign } from './align';
import { useIdentify } from './identify';
import { endedOf } from './operations';
import { useReview } from './review';

/** Frames kept on screen (the journal keeps them all). */
export const FRAMES_SHOWN = 200;

export interface ListenList {
  id: string;
  name: string;
  operator?: string;
  /** The last message of this list that passed its checks. */
  lastGood?: ListenFrame;
  /** The last message of this list, good or not. */
  last: ListenFrame;
  heard: number;
}

export type ListenStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'ended' | 'failed';

interface ListenState {
  open: boolean;
  target: string;
  line: ListenLine;
  encryptionKey: string;
  authenticationKey: string;
  allowPlain: boolean;
  status: ListenStatus;
  operationId?: string;
  sessionId?: string;
  /** The port being listened to. */
  listening?: string;
  counts: ListenCounts;
  /** Lists in order of first appearance. */
  lists: ListenList[];
  /** Newest first. */
  frames: ListenFrame[];
  error?: ErrorInfo;
  show(open: boolean): void;
  set(patch: Partial<Pick<ListenState, 'target' | 'line' | 'encryptionKey' | 'authenticationKey' | 'allowPlain'>>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  onFrame(e: ListenFrameEvent): void;
  onEnded(e: OperationEnded): void;
}

const ZERO: ListenCounts = { messages: 0, good: 0, warnings: 0, bad: 0 };
const compact = (k: string) => k.replace(/0x/gi, '').replace(/[\s:-]/g, '');

export const useListen = create<ListenState>((set, get) => ({
  open: false,
  target: P1_DEMO_PORT,
  line: 'p1',
  encryptionKey: '',
  authenticationKey: '',
  allowPlain: false,
  status: 'idle',
  counts: ZERO,
  lists: [],
  frames: [],
  show: (open) => set({ open }),
  set: (patch) => set(patch),
  async start() {
    const { status, target, line, encryptionKey, authenticationKey, allowPlain } = get();
    if (status === 'starting' || status === 'running' || status === 'stopping') return;
    set({ status: 'starting', error: undefined, counts: ZERO, lists: [], frames: [], operationId: undefined, sessionId: undefined, listening: target });
    // The port must be free: no alignment or identification still holding it.
    useAlign.getState().stop();
    await useAlign.getState().settled();
    await useIdentify.getState().idle();
    const enc = compact(encryptionKey);
    const auth = compact(authenticationKey);
    try {
      const started = await call('listen:start', {
        target,
        line,
        allowPlain,
        // Verdicts in the UI's language, whatever the main side's is.
        lang: useApp.getState().lang,
        ...(enc ? { keys: { encryptionKey: enc, ...(auth ? { authenticationKey: auth } : {}) } } : {}),
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
      const stopped = await call('listen:stop', { operationId });
      if (stopped) set({ counts: stopped.counts });
    } catch (e) {
      set({ error: errorOf(e) });
    }
  },
  onFrame(e) {
    const { operationId, status } = get();
    // Frames may come before listen:start has answered.
    if (operationId ? e.operationId !== operationId : status !== 'starting') return;
    const f = e.frame;
    const lists = [...get().lists];
    if (f.list) {
      const i = lists.findIndex((l) => l.id === f.list!.id);
      const prev = i >= 0 ? lists[i] : undefined;
      const next: ListenList = {
        id: f.list.id,
        name: f.list.name,
        ...(f.list.operator ? { operator: f.list.operator } : {}),
        last: f,
        heard: (prev?.heard ?? 0) + 1,
        ...(f.verdict.status !== 'bad' ? { lastGood: f } : prev?.lastGood ? { lastGood: prev.lastGood } : {}),
      };
      if (i >= 0) lists[i] = next;
      else lists.push(next);
    }
    set({
      counts: e.counts,
      lists,
      frames: [f, ...get().frames].slice(0, FRAMES_SHOWN),
      ...(operationId ? {} : { operationId: e.operationId, sessionId: e.sessionId }),
    });
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
