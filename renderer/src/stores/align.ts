/**
 * The alignment step: one diagnostics operation at a time. Updates are pushed by the main side
 * (`align:update`); the first one can arrive before `align:start` has answered, so the latest
 * update of every operation is kept until its id is known.
 */
import { create } from 'zustand';
import type { ErrorInfo } from '../../../shared/errors';
import type { AlignUpdate } from '../../../shared/session';
import { call, errorOf } from '../api';
import { whenEnded } from './operations';

interface AlignState {
  target?: string;
  operationId?: string;
  starting: boolean;
  update?: AlignUpdate;
  error?: ErrorInfo;
  start(target: string): Promise<void>;
  /** Stop the running diagnostics (safe to call at any time, also while starting). */
  stop(): void;
  onUpdate(u: AlignUpdate): void;
  /** Resolves once the last alignment has released the port (or after a few seconds). */
  settled(): Promise<void>;
}

let generation = 0;
let starting: Promise<string | undefined> = Promise.resolve(undefined);
const early = new Map<string, AlignUpdate>();

async function stopOperation(operationId: string): Promise<AlignUpdate | null> {
  try {
    return await call('align:stop', { operationId });
  } catch {
    // Already over on the main side: nothing to stop.
    return null;
  }
}

export const useAlign = create<AlignState>((set, get) => ({
  starting: false,
  async start(target) {
    const gen = ++generation;
    const previous = get().operationId;
    if (previous) void stopOperation(previous);
    await get().settled();
    if (gen !== generation) return;
    set({ target, operationId: undefined, update: undefined, error: undefined, starting: true });
    starting = (async () => {
      try {
        const { operationId } = await call('align:start', { target });
        if (gen !== generation) {
          // Left the step while the port was opening: stop it at once.
          await stopOperation(operationId);
          return operationId;
        }
        const first = early.get(operationId);
        early.clear();
        set({ operationId, starting: false, ...(first ? { update: first } : {}) });
        return operationId;
      } catch (e) {
        if (gen === generation) set({ starting: false, error: errorOf(e) });
        return undefined;
      }
    })();
    await starting;
  },
  stop() {
    generation++;
    const { operationId, update } = get();
    set({ starting: false });
    if (!operationId) return;
    if (update && !update.running) return;
    void stopOperation(operationId).then((last) => {
      if (last && get().operationId === operationId) set({ update: last });
    });
  },
  onUpdate(u) {
    const { operationId, starting: isStarting } = get();
    if (u.operationId === operationId) set({ update: u });
    else if (isStarting) early.set(u.operationId, u);
  },
  async settled() {
    const operationId = (await starting) ?? get().operationId;
    // The port is closed before the end is announced, also when the head got steady by itself.
    if (operationId) await whenEnded(operationId, 5000);
  },
}));
