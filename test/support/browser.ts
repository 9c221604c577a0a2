/**
 * The Playwright side of the e2e tests: the built renderer served over HTTP, opened in Debian's
 * Chromium, with `window.omr` supplied by a test bridge to the real main-side services running in
 * the test process. The bridge carries the same contract and envelopes as the Electron preload.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AppServices } from '../../electron/app/app';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/security';

export const RENDERER_DIR = resolve('out/renderer');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export async function serveRenderer(dir = RENDERER_DIR): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`${dir}/index.html is missing: run npm run build first`);
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) file = join(dir, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CONTENT_SECURITY_POLICY });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server, close: () => new Promise((r) => server.close(() => r())) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const BRIDGE_SCRIPT = `(() => {
  const listeners = new Map();
  window.omr = {
    invoke: (channel, request) => window.__omrInvoke(channel, request === undefined ? null : request),
    on: (channel, listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return () => listeners.get(channel).delete(listener);
    },
  };
  window.__omrEmit = (channel, payload) => { for (const l of listeners.get(channel) ?? []) l(payload); };
})();`;

export interface OpenedApp {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen, for assertions. */
  errors: string[];
  close(): Promise<void>;
}

export async function openApp(browser: Browser, url: string, services: AppServices, options: { locale?: string } = {}): Promise<OpenedApp> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-GB', viewport: { width: 1200, height: 780 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.exposeBinding('__omrInvoke', (_source, channel: unknown, request: unknown) =>
    services.dispatcher.dispatch(channel, request === null ? undefined : request, { client: 'test' }),
  );
  await page.addInitScript(BRIDGE_SCRIPT);
  const unsubscribe = services.events.subscribe((channel, payload) => {
    void page
      .evaluate(([c, p]) => (window as unknown as { __omrEmit(c: string, p: unknown): void }).__omrEmit(c, p), [channel, payload] as const)
      .catch(() => undefined);
  });
  await page.goto(url);
  return {
    context,
    page,
    errors,
    async close() {
      unsubscribe();
      await context.close();
    },
  };
}

/**
 * One renderer server and one Chromium for a test file, started before its tests and closed
 * after them; screenshots go to docs/screenshots/.
 */
export function chromiumSuite(): { readonly browser: Browser; readonly url: string } {
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serveRenderer>> | undefined;
  beforeAll(async () => {
    mkdirSync('docs/screenshots', { recursive: true });
    server = await serveRenderer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get browser() {
      return browser!;
    },
    get url() {
      return server!.url;
    },
  };
}
