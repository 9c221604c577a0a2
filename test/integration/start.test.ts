/**
 * `npm start` as a user runs it (README, "Run it"): the script finds and runs its build tool,
 * runs the app in the browser where there is no Electron runtime (a loopback URL that serves the
 * app, Ctrl-C ends everything), and launches Electron through electron-vite where there is one.
 *
 * Every `npm start` runs in its own process group (npm → sh → node → station), ended by the
 * group's id, with HOME and the data folder in a temporary directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { electronViteBin } from '../../scripts/build.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const POSIX = process.platform !== 'win32';

interface Started {
  child: ChildProcess;
  out: () => string;
  exited: () => boolean;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const groups: number[] = [];
afterEach(() => {
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A scratch HOME and data folder, and an environment without any Electron hints from outside. */
function scratchEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'omr-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, OMR_DATA_DIR: join(home, 'data'), BROWSER: 'none', ...extra };
  for (const k of ['ELECTRON_OVERRIDE_DIST_PATH', 'ELECTRON_EXEC_PATH', 'OMR_START', 'OMR_START_DRY_RUN', 'DISPLAY', 'WAYLAND_DISPLAY'])
    if (!(k in extra)) delete env[k];
  return env;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Started {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  groups.push(child.pid!);
  let out = '';
  let exited = false;
  child.on('exit', () => (exited = true));
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, out: () => out, exited: () => exited, exit };
}

/** Polls `fn` until it returns a value; fails at the deadline, or when `s` ended first. */
async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs: number, s?: Started): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (s?.exited()) throw new Error(`npm start ended while waiting for ${what}:\n${s.out()}`);
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${s ? `:\n${s.out()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const NO_STACK = /^\s+at .+[:(]\d+|Error \[ERR_|Unhandled|TypeError|ReferenceError/m;

describe('the build tool of npm start', () => {
  it('is electron-vite, found through the "bin" field of its package.json, and it runs', () => {
    const bin = electronViteBin();
    const r = spawnSync(process.execPath, [bin, 'build', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('electron-vite build');
  });

  it.skipIf(!POSIX)('npm start says plainly when it cannot find the build tool, and stops', async () => {
    // The scripts without node_modules: electron-vite cannot be resolved.
    const dir = mkdtempSync(join(tmpdir(), 'omr-start-bare-'));
    cpSync(join(ROOT, 'scripts'), join(dir, 'scripts'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bare', type: 'module', scripts: { start: 'node scripts/start.mjs' } }));
    const s = start('npm', ['start'], scratchEnv(), dir);
    const { code } = await s.exit;
    expect(code).toBe(1);
    expect(s.out()).toMatch(/npm start: electron-vite, the build tool, cannot be found .*run npm ci/);
    expect(s.out()).not.toMatch(/^\s+at /m);
  });
});

describe.skipIf(!POSIX)('npm start', () => {
  it("the README's first command: without Electron, a loopback URL that serves the app; Ctrl-C ends it", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const runIt = /## Run it\n\n```sh\n([^\n]*)\n/.exec(readme)?.[1] ?? '';
    expect(runIt).toMatch(/^npm ci && npm start(\s|$)/);

    // `npm ci` has run (this test runs from the checkout's node_modules); the rest of the line as
    // written, forced to the browser as on a machine without the Electron runtime.
    const home = mkdtempSync(join(tmpdir(), 'omr-start-browser-'));
    writeFileSync(join(home, 'open-url'), '#!/bin/sh\necho "$1" > "$(dirname "$0")/opened"\n');
    chmodSync(join(home, 'open-url'), 0o755);
    const t0 = Date.now();
    const s = start('npm', ['start'], scratchEnv({ OMR_START: 'browser', HOME: home, OMR_DATA_DIR: join(home, 'data'), BROWSER: join(home, 'open-url') }));
    const url = await waitFor('the URL line', () => /^Optical Meter Reader is running at (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(s.out())?.[1], 60_000, s);
    const toUrl = Date.now() - t0;
    process.stderr.write(`[npm start] URL after ${toUrl} ms: ${url}\n`);
    expect(s.out()).toMatch(/OMR_START=browser: the app runs in your browser; without it, `npm start` opens the desktop window/);

    const page = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Optical Meter Reader</title>');
    expect(html).toContain('<div id="root">');
    const script = /<script type="module"[^>]* src="([^"]+)"/.exec(html)?.[1] ?? '';
    const js = await fetch(new URL(script, url), { signal: AbortSignal.timeout(10_000) });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    await js.arrayBuffer();
    // The opener got the same URL (BROWSER names it).
    expect(
      await waitFor(
        'the browser to be opened',
        () => (existsSync(join(home, 'opened')) ? readFileSync(join(home, 'opened'), 'utf8').trim() : undefined),
        10_000,
      ),
    ).toBe(url);
    expect(existsSync(join(home, 'data', 'station.json'))).toBe(true);

    // Ctrl-C in a terminal: SIGINT to the whole foreground process group.
    const t1 = Date.now();
    process.kill(-s.child.pid!, 'SIGINT');
    await s.exit;
    await waitFor('every process of npm start to end', () => (groupAlive(s.child.pid!) ? undefined : true), 2000);
    expect(Date.now() - t1).toBeLessThan(2000);
    await expect(fetch(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    expect(s.out()).toContain('Stopped.');
    expect(s.out()).not.toMatch(NO_STACK);
  }, 90_000);

  it('where the Electron runtime is missing, it chooses the browser and says why', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'omr-no-electron-'));
    const s = start('npm', ['start', '--silent'], scratchEnv({ ELECTRON_OVERRIDE_DIST_PATH: empty, OMR_START_DRY_RUN: '1' }));
    const { code } = await s.exit;
    expect(code, s.out()).toBe(0);
    expect(s.out()).toContain(`would run the app in the browser (no Electron runtime: it is not at ${join(empty, 'electron')} (ELECTRON_OVERRIDE_DIST_PATH))`);
    expect(s.out()).toMatch(/out\/main\/cli\.js serve --simulator --listen 127\.0\.0\.1:\d+/);
  });

  it('where there is a runtime, it runs it through electron-vite preview on the build; Ctrl-C ends it', async () => {
    // A stand-in for the Electron binary: it reports how it was started, then exits with
    // FAKE_EXIT, or runs until a signal.
    const dist = mkdtempSync(join(tmpdir(), 'omr-fake-electron-'));
    writeFileSync(
      join(dist, 'electron'),
      '#!/bin/sh\ntrap \'echo "fake electron: stopped"; exit 0\' INT TERM\necho "fake electron: $* in $PWD"\n[ -n "$FAKE_EXIT" ] && exit "$FAKE_EXIT"\nwhile :; do sleep 0.05; done\n',
    );
    chmodSync(join(dist, 'electron'), 0o755);

    // The app's exit code is npm start's.
    const once = start('npm', ['start', '--silent'], scratchEnv({ ELECTRON_OVERRIDE_DIST_PATH: dist, FAKE_EXIT: '3' }));
    expect((await once.exit).code, once.out()).toBe(3);
    expect(once.out()).toContain(`fake electron: . in ${ROOT}`);

    const s = start('npm', ['start', '--silent'], scratchEnv({ ELECTRON_OVERRIDE_DIST_PATH: dist }));
    await waitFor('the app to start', () => (s.out().includes('fake electron: ') ? true : undefined), 60_000, s);
    const t1 = Date.now();
    process.kill(-s.child.pid!, 'SIGINT');
    await s.exit;
    await waitFor('every process of npm start to end', () => (groupAlive(s.child.pid!) ? undefined : true), 2000);
    expect(Date.now() - t1).toBeLessThan(2000);
    expect(s.out()).toContain('fake electron: stopped');
    expect(s.out()).not.toMatch(NO_STACK);
  });

  it('takes another free port when 8450 is taken', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.once('error', () => r()).listen(8450, '127.0.0.1', () => r()));
    try {
      const s = start('npm', ['start', '--silent'], scratchEnv({ OMR_START: 'browser', OMR_START_DRY_RUN: '1' }));
      const { code } = await s.exit;
      expect(code, s.out()).toBe(0);
      expect(s.out()).toContain('would run the app in the browser (OMR_START=browser)');
      expect(s.out()).toMatch(/serve --simulator --listen 127\.0\.0\.1:0\n/);
    } finally {
      holder.close();
    }
  });
});
