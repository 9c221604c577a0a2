/**
 * The services of the app, wired together without Electron: the Electron main process, the
 * command line, the station and the tests all build them here with their own dependencies.
 */
import type { Lang } from '../../shared/errors';
import type { AppInfo, PortInfo } from '../../shared/types';
import { EventBus } from './events';
import { HostFs } from './hostfs';
import { listPorts, type RawPortInfo } from './ports';
import { bindContract, type Dispatcher, type Handlers } from './rpc';
import { SettingsService, type SettingsStore } from './settings';

export interface AppServiceDeps {
  dataDir: string;
  settingsStore: SettingsStore;
  appInfo: Omit<AppInfo, 'dataDir'>;
  /** serialport's list(); omitted where serialport is unavailable. */
  serialportList?: () => Promise<RawPortInfo[]>;
  hasUdevadm?: () => boolean;
  hostFs?: HostFs;
  platform?: NodeJS.Platform;
  /** The OS locale (`fr-FR`), for the `auto` language. */
  locale?: string;
  onInternalError?: (channel: string, error: unknown) => void;
}

export interface AppServices {
  settings: SettingsService;
  events: EventBus;
  handlers: Handlers;
  dispatcher: Dispatcher;
  lang(): Lang;
  listPorts(): Promise<PortInfo[]>;
  dispose(): Promise<void>;
}

export function resolveLang(setting: 'auto' | Lang, locale = 'en'): Lang {
  if (setting !== 'auto') return setting;
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function createAppServices(deps: AppServiceDeps): AppServices {
  const settings = new SettingsService(deps.settingsStore);
  const events = new EventBus();
  const lang = (): Lang => resolveLang(settings.get().language, deps.locale);

  const ports = async (): Promise<PortInfo[]> => {
    const result = await listPorts({
      ...(deps.serialportList ? { serialportList: deps.serialportList } : {}),
      ...(deps.hasUdevadm ? { hasUdevadm: deps.hasUdevadm } : {}),
      fs: deps.hostFs ?? new HostFs('/'),
      platform: deps.platform ?? process.platform,
    });
    return result.ports;
  };

  const handlers: Handlers = {
    'app:info': () => ({ ...deps.appInfo, dataDir: deps.dataDir }),
    'ports:list': () => ports(),
    'settings:get': () => settings.get(),
    'settings:set': (patch) => settings.set(patch),
  };

  const dispatcher = bindContract(handlers, {
    lang,
    ...(deps.onInternalError ? { onInternalError: deps.onInternalError } : {}),
  });

  return {
    settings,
    events,
    handlers,
    dispatcher,
    lang,
    listPorts: ports,
    async dispose() {
      // Later services (open links, running sessions) are closed here.
    },
  };
}
