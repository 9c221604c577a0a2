/** The saved sessions (visits): list, rename, delete. */
import { create } from 'zustand';
import type { ErrorInfo } from '../../../shared/errors';
import type { SessionSummary } from '../../../shared/types';
import { call, errorOf } from '../api';
import { useReview } from './review';

export interface RenamePatch {
  name?: string;
  location?: string;
  note?: string;
}

interface SessionsState {
  list: SessionSummary[];
  loading: boolean;
  error?: ErrorInfo;
  refresh(): Promise<void>;
  rename(id: string, patch: RenamePatch): Promise<boolean>;
  remove(id: string): Promise<boolean>;
}

export const useSessions = create<SessionsState>((set, get) => ({
  list: [],
  loading: false,
  async refresh() {
    set({ loading: true, error: undefined });
    try {
      set({ list: await call('sessions:list'), loading: false });
    } catch (e) {
      set({ loading: false, error: errorOf(e) });
    }
  },
  async rename(id, patch) {
    set({ error: undefined });
    try {
      const summary = await call('sessions:rename', { id, ...patch });
      set({ list: get().list.map((s) => (s.id === id ? summary : s)) });
      useReview.getState().patchSummary(id, summary);
      return true;
    } catch (e) {
      set({ error: errorOf(e) });
      return false;
    }
  },
  async remove(id) {
    set({ error: undefined });
    try {
      await call('sessions:delete', { id });
      set({ list: get().list.filter((s) => s.id !== id) });
      useReview.getState().patchSummary(id, null);
      return true;
    } catch (e) {
      set({ error: errorOf(e) });
      return false;
    }
  },
}));
