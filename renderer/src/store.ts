import { create } from 'zustand';
import type { ErrorInfo } from '../../shared/errors';
import type { Settings } from '../../shared/settings';
import type { AppInfo, PortInfo } from '../../shared/types';
import { call, errorOf } from './api';
import i18n, { detectLang, type UiLang } from './i18n';

export const STEPS = ['port', 'align', 'identify', 'read', 'review'] as const;
export type Step = (typeof STEPS)[number];

interface AppState {
  step: Step;
  lang: UiLang;
  info?: AppInfo;
  settings?: Settings;
  ports: PortInfo[];
  portsLoading: boolean;
  portsError?: ErrorInfo;
  selectedPort?: string;
  goTo(step: Step): void;
  next(): void;
  back(): void;
  setLang(lang: UiLang): Promise<void>;
  init(): Promise<void>;
  refreshPorts(): Promise<void>;
  selectPort(path: string): Promise<void>;
}

export const useApp = create<AppState>((set, get) => ({
  step: 'port',
  lang: detectLang(),
  ports: [],
  portsLoading: false,
  goTo: (step) => set({ step }),
  next: () => {
    const i = STEPS.indexOf(get().step);
    if (i < STEPS.length - 1) set({ step: STEPS[i + 1]! });
  },
  back: () => {
    const i = STEPS.indexOf(get().step);
    if (i > 0) set({ step: STEPS[i - 1]! });
  },
  async setLang(lang) {
    await i18n.changeLanguage(lang);
    document.documentElement.lang = lang;
    set({ lang });
    try {
      set({ settings: await call('settings:set', { language: lang }) });
    } catch {
      // The UI language still changes; the setting is retried next time.
    }
  },
  async init() {
    const [info, settings] = await Promise.all([call('app:info'), call('settings:get')]);
    const lang = detectLang(settings.language);
    await i18n.changeLanguage(lang);
    document.documentElement.lang = lang;
    set({ info, settings, lang, ...(settings.lastPort ? { selectedPort: settings.lastPort } : {}) });
    await get().refreshPorts();
  },
  async refreshPorts() {
    set({ portsLoading: true, portsError: undefined });
    try {
      const ports = await call('ports:list');
      const selected = get().selectedPort;
      set({ ports, portsLoading: false, ...(selected && !ports.some((p) => p.path === selected) ? { selectedPort: undefined } : {}) });
    } catch (e) {
      set({ portsLoading: false, portsError: errorOf(e) });
    }
  },
  async selectPort(path) {
    set({ selectedPort: path });
    try {
      set({ settings: await call('settings:set', { lastPort: path }) });
    } catch (e) {
      set({ portsError: errorOf(e) });
    }
  },
}));
