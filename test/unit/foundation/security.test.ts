/**
 * The Electron security lint, written as a test (electronegativity always exits 0 and would need
 * its report parsed; these checks are the ones that matter for this app, and they fail the build).
 * It checks the policy main really uses, scans the main and preload sources for the patterns
 * electronegativity flags, and checks the built renderer's CSP.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, isTrustedSender, SECURE_WEB_PREFERENCES } from '../../../electron/main/security';

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(name) ? [{ file: p, text: readFileSync(p, 'utf8') }] : [];
  });
}

const shell = [...sources('electron/main'), ...sources('electron/preload')];
const main = readFileSync('electron/main/index.ts', 'utf8');

describe('Electron security', () => {
  it('uses isolated, sandboxed windows without Node', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    // Every BrowserWindow takes the secure preferences.
    const windows = main.match(/new BrowserWindow\(/g) ?? [];
    expect(windows.length).toBeGreaterThan(0);
    expect(main.match(/webPreferences: \{ \.\.\.SECURE_WEB_PREFERENCES/g)?.length).toBe(windows.length);
    expect(main).toContain('app.enableSandbox()');
  });

  it('has none of the dangerous patterns in the main and preload sources', () => {
    const forbidden: [RegExp, string][] = [
      [/nodeIntegration\w*\s*:\s*true/, 'nodeIntegration enabled'],
      [/contextIsolation\s*:\s*false/, 'contextIsolation disabled'],
      [/sandbox\s*:\s*false/, 'sandbox disabled'],
      [/webSecurity\s*:\s*false/, 'webSecurity disabled'],
      [/allowRunningInsecureContent\s*:\s*true/, 'insecure content allowed'],
      [/enableBlinkFeatures|experimentalFeatures\s*:\s*true/, 'experimental features'],
      [/webviewTag\s*:\s*true/, 'webview enabled'],
      [/enableRemoteModule|@electron\/remote/, 'remote module'],
      [/shell\.openExternal/, 'openExternal (needs an allowlist first)'],
      [/loadURL\(\s*['"`]https?:/, 'remote content'],
      [/\beval\(|new Function\(/, 'eval'],
      [/insertCSS|executeJavaScript/, 'code injection into the page'],
      [/setPermissionRequestHandler\([^)]*callback\(true\)/, 'permission granted'],
      [/exposeInMainWorld\([^,]+,\s*ipcRenderer\)/, 'raw ipcRenderer exposed'],
    ];
    const findings = shell.flatMap(({ file, text }) => forbidden.filter(([re]) => re.test(text)).map(([, what]) => `${file}: ${what}`));
    expect(findings).toEqual([]);
  });

  it('denies navigation, new windows, webviews and permissions, and checks the sender of every IPC call', () => {
    expect(main).toMatch(/setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/);
    expect(main).toMatch(/'will-navigate'/);
    expect(main).toMatch(/'will-attach-webview', \(e\) => e\.preventDefault\(\)/);
    expect(main).toMatch(/setPermissionRequestHandler\(\(_wc, _permission, callback\) => callback\(false\)\)/);
    expect(main).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
    // The only ipcMain.handle is the contract loop, and it checks the sender frame first.
    expect(main.match(/ipcMain\.(handle|on)\(/g)).toEqual(['ipcMain.handle(']);
    expect(main).toMatch(
      /ipcMain\.handle\(ipcName\(channel\), \(event: IpcMainInvokeEvent, request: unknown\) => \{\s*if \(!isTrustedSender\(event\.senderFrame\?\.url, appUrl\)\)/,
    );
  });

  it('trusts only the app page as an IPC sender and a navigation target', () => {
    const file = 'file:///opt/Optical%20Meter%20Reader/resources/app.asar/out/renderer/index.html';
    expect(isTrustedSender(file, file)).toBe(true);
    expect(isTrustedSender('file:///etc/passwd', file)).toBe(false);
    expect(isTrustedSender('https://evil.example/', file)).toBe(false);
    expect(isTrustedSender(undefined, file)).toBe(false);
    expect(isTrustedSender('not a url', file)).toBe(false);
    expect(isTrustedSender('http://localhost:5173/#/read', 'http://localhost:5173/')).toBe(true);
    expect(isTrustedSender('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAllowedNavigation('https://example.org', file)).toBe(false);
  });

  it('serves a strict Content-Security-Policy, also in the built renderer', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|http:|https:/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'/);
    const html = readFileSync('renderer/index.html', 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    // The meta tag carries every directive of the policy a meta tag can carry.
    for (const directive of CONTENT_SECURITY_POLICY.split('; ').filter((d) => !d.startsWith('frame-ancestors'))) {
      expect(meta!.split('; ')).toContain(directive);
    }
  });

  it('keeps the preload to the contract bridge', () => {
    const preload = readFileSync('electron/preload/index.ts', 'utf8');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toMatch(/isInvokeChannel\(channel\)/);
    expect(preload).toMatch(/isEventChannel\(channel\)/);
  });
});
