/**
 * The identify step: what the meter said, and how the technician chose to read it. The password
 * lives in memory only, for this run of the wizard on this meter: it is never written to the
 * settings or anywhere else, and it is forgotten when another port or another client profile is
 * chosen (or the app is closed). A cancelled or failed read can so be started again at once.
 */
import { create } from 'zustand';
import type { ErrorInfo } from '../../../shared/errors';
import type { IdentifyResult } from '../../../shared/session';
import { call, errorOf } from '../api';
import { useAlign } from './align';

export type ReadProtocol = 'readout' | 'dlms';

interface IdentifyState {
  target?: string;
  result?: IdentifyResult;
  /** PC time when the result came (for the clock drift shown). */
  at?: string;
  loading: boolean;
  error?: ErrorInfo;
  protocol: ReadProtocol;
  /** The technician picked the protocol (else, before an identification, the read chooses). */
  chosen: boolean;
  profileId?: string;
  password: string;
  identify(target: string): Promise<void>;
  /** Resolves when no identification is running (the port is free). */
  idle(): Promise<void>;
  setProtocol(p: ReadProtocol): void;
  setProfile(id: string | undefined): void;
  setPassword(p: string): void;
}

let running: Promise<void> = Promise.resolve();
let generation = 0;

export const useIdentify = create<IdentifyState>((set) => ({
  loading: false,
  protocol: 'readout',
  chosen: false,
  password: '',
  identify(target) {
    const gen = ++generation;
    // Another meter: the password typed for the previous one is not carried over.
    set((s) => ({ target, loading: true, error: undefined, result: undefined, ...(s.target !== undefined && s.target !== target ? { password: '' } : {}) }));
    running = (async () => {
      await useAlign.getState().settled();
      try {
        const result = await call('meter:identify', { target });
        if (gen !== generation) return;
        set({ result, at: new Date().toISOString(), loading: false, ...(result.modes.modeE ? {} : { protocol: 'readout' as const, chosen: false }) });
      } catch (e) {
        if (gen === generation) set({ error: errorOf(e), loading: false });
      }
    })();
    return running;
  },
  idle: () => running,
  setProtocol: (protocol) => set({ protocol, chosen: true }),
  setProfile: (profileId) => set((s) => (s.profileId === profileId ? {} : { profileId, password: '' })),
  setPassword: (password) => set({ password }),
}));
