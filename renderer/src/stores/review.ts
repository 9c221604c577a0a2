/** The review step: one session (just read, or reopened) and its exports. */
import { create } from 'zustand';
import type { ErrorInfo } from '../../../shared/errors';
import type { ExportRequest, ExportResult, SessionData } from '../../../shared/session';
import type { CsvDialect } from '../../../shared/settings';
import { call, errorOf } from '../api';
import { useApp } from '../store';

export type ExportWhat = NonNullable<ExportRequest['what']>;
export type ReviewTab = 'readings' | 'profile' | 'events' | 'trace' | 'monitor';

/** The tab a session opens on: its polls for a monitoring session, else its load profile, else its readings. */
export function firstTab(s: SessionData): ReviewTab {
  if (s.polls || s.monitor) return 'monitor';
  if (s.profile?.rows.length) return 'profile';
  if (!s.readings.length && s.events.length) return 'events';
  return 'readings';
}

interface ReviewState {
  session?: SessionData;
  loading: boolean;
  error?: ErrorInfo;
  tab: ReviewTab;
  /** Chosen for this review; undefined = the settings' dialect. */
  dialect?: CsvDialect;
  exporting?: ExportWhat;
  exported?: { what: ExportWhat; result: ExportResult };
  exportError?: ErrorInfo;
  load(id: string): Promise<boolean>;
  setTab(tab: ReviewTab): void;
  setDialect(d: CsvDialect): void;
  exportCsv(what: ExportWhat, dialect: CsvDialect): Promise<void>;
  /** A session was renamed or deleted elsewhere. */
  patchSummary(id: string, patch: Partial<SessionData> | null): void;
}

export const useReview = create<ReviewState>((set, get) => ({
  loading: false,
  tab: 'readings',
  async load(id) {
    set({ loading: true, error: undefined });
    try {
      const session = await call('sessions:get', { id });
      const same = get().session?.id === id;
      set({ session, loading: false, ...(same ? {} : { exported: undefined, exportError: undefined, tab: firstTab(session) }) });
      return true;
    } catch (e) {
      set({ loading: false, error: errorOf(e) });
      return false;
    }
  },
  setTab: (tab) => set({ tab }),
  setDialect: (dialect) => set({ dialect }),
  async exportCsv(what, dialect) {
    const s = get().session;
    if (!s) return;
    set({ exporting: what, exportError: undefined, exported: undefined });
    try {
      // Headers and names in the UI's language, whatever the main side's is.
      const result = await call('sessions:export', { id: s.id, what, dialect, lang: useApp.getState().lang });
      set({ exporting: undefined, exported: { what, result } });
    } catch (e) {
      set({ exporting: undefined, exportError: errorOf(e) });
    }
  },
  patchSummary(id, patch) {
    const s = get().session;
    if (!s || s.id !== id) return;
    if (patch === null) set({ session: undefined, exported: undefined });
    else set({ session: { ...s, ...patch } });
  },
}));
