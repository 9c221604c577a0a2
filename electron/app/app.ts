/**
 * The services of the app, wired together without Electron: the Electron main process, the
 * command line, the station and the tests all build them here with their own dependencies.
 */
import type { Lang } from '../../shared/errors';
import type { AppInfo, PortInfo } from '../../shared/types';
import { EventBus } from '../runtime/events';
import { HostFs } from '../runtime/hostfs';
import { listPorts, type RawPortInfo } from '../features/ports/ports';
import { bindContract, type Dispatcher, type Handlers } from '../runtime/rpc';
import { SettingsService, type SettingsStore } from '../features/settings/settings';
import { join } from 'node:path';
import { OmrError } from '../../shared/errors';
import { AlignService } from '../features/align/align';
import { exportSession } from '../features/sessions/export';
import { explainFrames } from '../features/sessions/trace-explain';
import { SessionStore } from '../features/sessions/journal';
import { Operations } from '../runtime/operations';
import { ReadingService } from '../features/read/reading';
import { SecretStore, type Encryptor } from '../features/settings/secrets';
import { InvocationCounterStore } from '../features/read/dlms-session';
import { Targets, type TargetDeps } from '../features/ports/targets';
import { diagnose } from '../features/doctor/service';
import { formatReport } from '../../shared/doctor';
import { MonitorService } from '../features/monitor/monitor';
import { ListenService } from '../features/listen/service';
import { loadLayouts } from '../features/listen/layouts';

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
  /** Demo meter options (tests turn pacing off). */
  targets?: TargetDeps;
  /** Pause between alignment tries (ms). */
  alignGapMs?: number;
  /** Where exports go; Electron asks the user through this. Default: <dataDir>/exports. */
  chooseExportDir?: (defaultDir: string) => Promise<string | undefined>;
  /** How often the port list is checked for plug/unplug (ms); 0 = never. */
  portWatchMs?: number;
  /** Monitoring: shortest interval (s; tests go below the contract's minimum) and first back-off (ms). */
  monitor?: { minIntervalS?: number; backoffBaseMs?: number };
  /** DLMS reaction timeouts (tests shorten them). */
  dlmsTimeouts?: { responseTimeoutMs?: number; maxRetries?: number; identifyResponseTimeoutMs?: number };
  /** The system keychain (Electron's safeStorage); without it no password is stored (asked at each reading). */
  encryptor?: Encryptor;
}

export interface AppServices {
  settings: SettingsService;
  events: EventBus;
  handlers: Handlers;
  dispatcher: Dispatcher;
  lang(): Lang;
  listPorts(): Promise<PortInfo[]>;
  sessions: SessionStore;
  operations: Operations;
  targets: Targets;
  monitor: MonitorService;
  listen: ListenService;
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

  const operations = new Operations(events, lang);
  const targets = new Targets(deps.targets ?? {});
  const sessions = new SessionStore(join(deps.dataDir, 'sessions'));
  const align = new AlignService({ targets, settings, events, operations, ...(deps.alignGapMs !== undefined ? { gapMs: deps.alignGapMs } : {}) });
  const secrets = new SecretStore(join(deps.dataDir, 'secrets.json'), deps.encryptor);
  const counters = new InvocationCounterStore(join(deps.dataDir, 'dlms-counters.json'));
  // The port step preselects the last port on which a read reached a meter (not one the doctor tried).
  const onMeterReached = (target: string) => {
    if (settings.get().lastPort !== target) settings.set({ lastPort: target });
  };
  const reading = new ReadingService({
    targets,
    settings,
    events,
    operations,
    sessions,
    lang,
    counters,
    secrets,
    onMeterReached,
    ...(deps.dlmsTimeouts ? { dlmsTimeouts: deps.dlmsTimeouts } : {}),
  });

  const monitor = new MonitorService({
    targets,
    settings,
    events,
    operations,
    sessions,
    lang,
    ...(deps.monitor?.minIntervalS !== undefined ? { minIntervalS: deps.monitor.minIntervalS } : {}),
    ...(deps.monitor?.backoffBaseMs !== undefined ? { backoffBaseMs: deps.monitor.backoffBaseMs } : {}),
    ...(deps.dlmsTimeouts ? { dlmsTimeouts: deps.dlmsTimeouts } : {}),
  });

  // Customer-port listening: layouts shipped and in <data-dir>/layouts, read at each start.
  const listenService = new ListenService({ targets, events, operations, sessions, lang, layouts: () => loadLayouts(join(deps.dataDir, 'layouts')) });

  // Plug/unplug: check the port list now and then, push it when it changes.
  let lastPorts = '';
  const watchMs = deps.portWatchMs ?? 0;
  const watcher = watchMs
    ? setInterval(() => {
        void ports()
          .then((list) => {
            const key = JSON.stringify(list);
            if (lastPorts && key !== lastPorts) events.emit('ports:changed', list);
            lastPorts = key;
          })
          .catch(() => undefined);
      }, watchMs)
    : undefined;
  watcher?.unref();

  const markStoredSecret = (profileId: string, stored: boolean) => {
    const { profiles } = settings.get();
    if (profiles.some((p) => p.id === profileId && p.hasStoredSecret !== stored)) {
      settings.set({ profiles: profiles.map((p) => (p.id === profileId ? { ...p, hasStoredSecret: stored } : p)) });
    }
  };

  const handlers: Handlers = {
    'app:info': () => ({ ...deps.appInfo, dataDir: deps.dataDir }),
    'ports:list': () => ports(),
    'settings:get': () => settings.get(),
    'settings:set': (patch) => {
      if (!patch.profiles) return settings.set(patch);
      // `hasStoredSecret` says what the keychain holds, whatever the caller sent; a deleted
      // profile takes its secret with it.
      const next = settings.set({ ...patch, profiles: patch.profiles.map((p) => ({ ...p, hasStoredSecret: secrets.has(p.id) })) });
      secrets.prune(next.profiles.map((p) => p.id));
      return next;
    },
    'align:start': (req) => align.start(req),
    'align:stop': (req) => align.stop(req.operationId),
    'meter:identify': async (req) => {
      const r = await reading.identify(req);
      onMeterReached(req.target);
      return r;
    },
    'read:start': (req) => reading.start(req),
    'operation:cancel': (req) => ({ cancelled: operations.cancel(req.operationId) }),
    'sessions:list': () => sessions.listAsync(),
    'sessions:get': (req) => sessions.read(req.id),
    'sessions:rename': (req) => {
      const { id, ...patch } = req;
      return sessions.rename(id, patch);
    },
    'sessions:delete': (req) => ({ deleted: sessions.delete(req.id) }),
    'doctor:run': async (req) => {
      const report = await diagnose({
        target: req.target,
        lang: lang(),
        targets,
        settings: settings.get(),
        ...(req.simFaults ? { simFaults: req.simFaults } : {}),
        onCheck: (check) => events.emit('doctor:check', check),
        listPorts: !!deps.serialportList,
        ...(deps.hostFs ? { fs: deps.hostFs } : {}),
      });
      if (req.sessionId) sessions.appendTo(req.sessionId, { k: 'doctor', t: new Date().toISOString(), report: formatReport(report) });
      return report;
    },
    'monitor:start': (req) => monitor.start(req),
    'monitor:stop': (req) => monitor.stop(req.operationId),
    'monitor:readNow': (req) => monitor.readNow(req.operationId),
    'listen:start': (req) => listenService.start(req),
    'listen:stop': (req) => listenService.stop(req.operationId),
    'sessions:export': async (req) => {
      const session = await sessions.read(req.id);
      const defaultDir = join(deps.dataDir, 'exports');
      const dir = deps.chooseExportDir ? await deps.chooseExportDir(defaultDir) : defaultDir;
      if (!dir) throw new OmrError('CANCELLED');
      const op = operations.start('export', req.id);
      try {
        const r = await exportSession(session, req.what, {
          dir,
          dialect: req.dialect === 'auto' ? settings.get().csvDialect : req.dialect,
          lang: req.lang ?? lang(),
          onProgress: (rows) =>
            events.emit('operation:progress', {
              operationId: op.id,
              label: `export ${req.what}`,
              done: rows,
              total: req.what === 'readings' ? session.readings.length : req.what === 'polls' ? session.polls?.length : undefined,
            }),
        });
        operations.end(op);
        return r;
      } catch (e) {
        operations.end(op, e);
        throw e;
      }
    },
    'trace:explain': (req) => explainFrames(req.frames, req.lang ?? lang()),
    'secrets:status': () => ({ available: secrets.available() }),
    'secrets:set': (req) => {
      if (!settings.get().profiles.some((p) => p.id === req.profileId)) throw new OmrError('NOT_FOUND', `meter profile ${req.profileId}`);
      secrets.set(req.profileId, req.secret);
      markStoredSecret(req.profileId, true);
      return { stored: true as const };
    },
    'secrets:clear': (req) => {
      const cleared = secrets.clear(req.profileId);
      markStoredSecret(req.profileId, false);
      return { cleared };
    },
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
    sessions,
    operations,
    targets,
    monitor,
    listen: listenService,
    async dispose() {
      if (watcher) clearInterval(watcher);
      // Monitors first: their journals are complete when dispose() resolves (window closed).
      const monitors = monitor.stopAll();
      const listeners = listenService.stopAll();
      operations.cancelAll();
      await monitors;
      await listeners;
    },
  };
}
