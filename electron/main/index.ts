/**
 * Electron bootstrap only: app lifecycle, a window with the secure defaults, and the binding of
 * the IPC contract to the services. Everything else lives in electron/services.
 */
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, type IpcMainInvokeEvent } from 'electron';
import Store from 'electron-store';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { INVOKE_CHANNELS, ipcName } from '../../shared/contract';
import { errorInfo } from '../../shared/errors';
import type { Settings } from '../../shared/settings';
import { createAppServices, type AppServices } from '../app/app';
import { hasExecutable, serialportList } from '../link/serial';
import { safeStorageEncryptor } from '../features/settings/secrets';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, isTrustedSender, SECURE_WEB_PREFERENCES } from './security';

const here = dirname(fileURLToPath(import.meta.url));
const rendererFile = join(here, '../renderer/index.html');
const appUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(rendererFile).href;

let services: AppServices | undefined;

function createServices(): AppServices {
  const store = new Store<Record<string, unknown>>({ name: 'settings' });
  return createAppServices({
    dataDir: app.getPath('userData'),
    settingsStore: { read: () => store.store, write: (v: Settings) => (store.store = v as unknown as Record<string, unknown>) },
    appInfo: { name: app.getName(), version: app.getVersion(), platform: process.platform, electron: process.versions.electron, node: process.versions.node },
    serialportList,
    hasUdevadm: () => hasExecutable('udevadm'),
    locale: app.getLocale(),
    // Passwords are kept only through the OS keychain; without one the app asks each time.
    encryptor: safeStorageEncryptor(safeStorage),
    // Plugged or unplugged heads show up in the port list by themselves.
    portWatchMs: 2000,
    // Exports go where the technician says (a USB stick, the desktop).
    chooseExportDir: async (defaultDir) => {
      const win = BrowserWindow.getFocusedWindow();
      const options = { defaultPath: defaultDir, properties: ['openDirectory' as const, 'createDirectory' as const] };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled ? undefined : r.filePaths[0];
    },
    onInternalError: (channel, e) => console.error(`[ipc ${channel}]`, e instanceof Error ? e.message : e),
  });
}

function bindIpc(s: AppServices): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(ipcName(channel), (event: IpcMainInvokeEvent, request: unknown) => {
      if (!isTrustedSender(event.senderFrame?.url, appUrl)) {
        return { ok: false, error: errorInfo('FORBIDDEN_SENDER', undefined, s.lang()) };
      }
      return s.dispatcher.dispatch(channel, request, { client: `ipc:${event.sender.id}` });
    });
  }
}

function createWindow(s: AppServices): BrowserWindow {
  const saved = s.settings.get().window;
  const win = new BrowserWindow({
    width: saved?.width ?? 1200,
    height: saved?.height ?? 800,
    ...(saved?.x !== undefined && saved?.y !== undefined ? { x: saved.x, y: saved.y } : {}),
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Optical Meter Reader',
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: join(here, '../preload/index.cjs') },
  });
  if (saved?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    const b = win.getNormalBounds();
    s.settings.set({ window: { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() } });
  });
  const unsubscribe = s.events.subscribe((channel, payload) => {
    if (!win.isDestroyed()) win.webContents.send(ipcName(channel), payload);
  });
  win.on('closed', unsubscribe);
  void (process.env.ELECTRON_RENDERER_URL ? win.loadURL(appUrl) : win.loadFile(rendererFile));
  return win;
}

function lockDown(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!isAllowedNavigation(url, appUrl)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isAllowedNavigation(url, appUrl)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

// Tests and portable installs may keep settings and sessions elsewhere.
if (process.env.OMR_USER_DATA) app.setPath('userData', process.env.OMR_USER_DATA);
app.enableSandbox();
void app.whenReady().then(() => {
  lockDown();
  services = createServices();
  bindIpc(services);
  createWindow(services);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && services) createWindow(services);
  });
});

app.on('window-all-closed', () => {
  void services?.dispose().finally(() => {
    if (process.platform !== 'darwin') app.quit();
  });
});
