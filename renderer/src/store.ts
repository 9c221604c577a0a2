import { create } from 'zustand';
import type { ErrorInfo } from '../../shared/errors';
import type { Settings, SettingsPatch } from '../../shared/settings';
import type { AppInfo, PortInfo } from '../../shared/types';
import { call, errorOf } from './api';
import i18n, { detectLang, type UiLang } from './i18n';
import { sortPorts } from './ports';

export const STEPS = ['port', 'align', 'identify', 'read', 'review'] as const;
export type Step = (typeof STEPS)[number];
export type DialogName = 'sessions' | 'settings';

interface AppState {
  step: Step;
  lang: UiLang;
  info?: AppInfo;
  settings?: Settings;
  /** Can passwords be kept through the system keychain (otherwise they are asked at each reading)? */
  secretsAvailable: boolean;
  initError?: ErrorInfo;
  ports: PortInfo[];
  portsLoading: boolean;
  portsError?: ErrorInfo;
  selectedPort?: string;
  /** The selected port was typed by hand (a pty, COM7, tcp://…): it is not in the list. */
  manualPort: boolean;
  /** What the hand-typed port field holds. */
  manualText: string;
  /** The selected port went away (unplugged). */
  portGone?: string;
  dialog?: DialogName;
  goTo(step: Step): void;
  next(): void;
  back(): void;
  setLang(lang: UiLang): Promise<void>;
  init(): Promise<void>;
  refreshPorts(): Promise<void>;
  portsChanged(ports: PortInfo[]): void;
  selectPort(path: string, manual?: boolean): Promise<void>;
  setManualText(text: string): void;
  saveSettings(patch: SettingsPatch): Promise<ErrorInfo | undefined>;
  /** Keep (a string) or forget (null) the stored password of profiles, then reload the settings. */
  saveSecrets(changes: Record<string, string | null>): Promise<ErrorInfo | undefined>;
  openDialog(d: DialogName): void;
  closeDialog(): void;
}

export const useApp = create<AppState>((set, get) => ({
  step: 'port',
  lang: detectLang(),
  ports: [],
  portsLoading: false,
  manualPort: false,
  manualText: '',
  secretsAvailable: false,
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
    try {
      const [info, settings] = await Promise.all([call('app:info'), call('settings:get')]);
      const lang = detectLang(settings.language);
      await i18n.changeLanguage(lang);
      document.documentElement.lang = lang;
      set({ info, settings, lang, ...(settings.lastPort ? { selectedPort: settings.lastPort } : {}) });
    } catch (e) {
      set({ initError: errorOf(e) });
      return;
    }
    void call('secrets:status')
      .then((s) => set({ secretsAvailable: s.available }))
      .catch(() => set({ secretsAvailable: false }));
    await get().refreshPorts();
  },
  async refreshPorts() {
    set({ portsLoading: true, portsError: undefined });
    try {
      get().portsChanged(await call('ports:list'));
      set({ portsLoading: false });
    } catch (e) {
      set({ portsLoading: false, portsError: errorOf(e) });
    }
  },
  portsChanged(list) {
    const ports = sortPorts(list);
    const { selectedPort, manualPort, manualText } = get();
    if (!selectedPort || manualPort || ports.some((p) => p.path === selectedPort)) {
      set({ ports, portGone: undefined });
      return;
    }
    // The remembered or chosen port is not (or no longer) there. A path the lists never show
    // (pty, tcp://) goes back into the hand-typed field, so that one click selects it again.
    const wasListed = get().ports.some((p) => p.path === selectedPort);
    set({
      ports,
      selectedPort: undefined,
      portGone: wasListed ? selectedPort : undefined,
      manualText: manualText || (wasListed ? '' : selectedPort),
    });
  },
  async selectPort(path, manual = false) {
    // Choosing a port (for the doctor, an alignment…) does not make it the last port: the main
    // side remembers the port of the last read or identification that reached a meter.
    set({ selectedPort: path, manualPort: manual, portGone: undefined });
  },
  setManualText: (manualText) => set({ manualText }),
  async saveSettings(patch) {
    try {
      const settings = await call('settings:set', patch);
      set({ settings });
      if (patch.language) {
        const lang = detectLang(settings.language);
        await i18n.changeLanguage(lang);
        document.documentElement.lang = lang;
        set({ lang });
      }
      return undefined;
    } catch (e) {
      return errorOf(e);
    }
  },
  async saveSecrets(changes) {
    let error: ErrorInfo | undefined;
    for (const [profileId, secret] of Object.entries(changes)) {
      try {
        if (secret === null) await call('secrets:clear', { profileId });
        else await call('secrets:set', { profileId, secret });
      } catch (e) {
        error ??= errorOf(e);
      }
    }
    try {
      set({ settings: await call('settings:get') });
    } catch (e) {
      error ??= errorOf(e);
    }
    return error;
  },
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: undefined }),
}));
