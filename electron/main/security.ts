/**
 * The security policy of the Electron shell, as plain data and pure functions (no Electron
 * import), so that the security test can check exactly what main uses.
 */

/** webPreferences of every window: isolated, sandboxed, no Node in the page. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const;

/** The renderer's Content-Security-Policy lives in shared/ (the station serves it too). */
export { CONTENT_SECURITY_POLICY } from '../../shared/csp';

/**
 * Whether an IPC message comes from our own page: the exact renderer file (packaged app) or the
 * dev server's origin. Anything else (a navigated frame, an iframe, devtools extension) is refused.
 */
export function isTrustedSender(frameUrl: string | undefined, appUrl: string): boolean {
  if (!frameUrl) return false;
  let frame: URL;
  let app: URL;
  try {
    frame = new URL(frameUrl);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return frame.protocol === 'file:' && frame.pathname === app.pathname;
  return frame.origin === app.origin;
}

/** Navigation is never allowed away from the app page (reloads of the same page are). */
export function isAllowedNavigation(targetUrl: string, appUrl: string): boolean {
  return isTrustedSender(targetUrl, appUrl);
}
