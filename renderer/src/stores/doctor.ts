/**
 * The Diagnose panel of the port step: one connection doctor run at a time. The checks arrive
 * one by one (`doctor:check`) while `doctor:run` is under way; its answer is the whole report.
 * The report is kept as the main side made it (both languages inside): the panel shows it in the
 * UI language with `localiseReport`, so switching language never runs the checks again.
 */
import { create } from 'zustand';
import type { Check, CheckId, DoctorReport } from '../../../shared/doctor';
import type { ErrorInfo } from '../../../shared/errors';
import { call, errorOf } from '../api';
import { useAlign } from './align';
import { useIdentify } from './identify';
import { useRead } from './read';
import { useReview } from './review';

interface DoctorState {
  open: boolean;
  running: boolean;
  /** What is being (or was) diagnosed; '' = let the doctor find the adapter. */
  target?: string;
  /** The session the report is saved with, when one is known. */
  sessionId?: string;
  /** Checks as they arrived during the run. */
  live: Partial<Record<CheckId, Check>>;
  report?: DoctorReport;
  error?: ErrorInfo;
  openPanel(): void;
  close(): void;
  run(target: string): Promise<void>;
  onCheck(c: Check): void;
}

let generation = 0;

/** The session of this visit: the one just read, else the one under review. */
export function currentSessionId(): string | undefined {
  return useRead.getState().sessionId ?? useReview.getState().session?.id;
}

export const useDoctor = create<DoctorState>((set, get) => ({
  open: false,
  running: false,
  live: {},
  openPanel: () => set({ open: true }),
  close: () => set({ open: false }),
  async run(target) {
    if (get().running) return;
    const gen = ++generation;
    const sessionId = currentSessionId();
    set({ open: true, running: true, target, sessionId, live: {}, report: undefined, error: undefined });
    // The port must be free: no alignment or identification holding it.
    useAlign.getState().stop();
    await useAlign.getState().settled();
    await useIdentify.getState().idle();
    try {
      const report = await call('doctor:run', { target, ...(sessionId ? { sessionId } : {}) });
      if (gen === generation) set({ running: false, report });
    } catch (e) {
      if (gen === generation) set({ running: false, error: errorOf(e) });
    }
  },
  onCheck(c) {
    if (!get().running) return;
    set({ live: { ...get().live, [c.id]: c } });
  },
}));
