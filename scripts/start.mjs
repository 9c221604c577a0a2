#!/usr/bin/env node
// `npm start`: build (when a source is newer than the build), then the desktop app with Electron.
// Where the Electron runtime cannot be had (Electron downloads it on first use, from its own
// release server), the same app runs in the browser instead: the meter station (`omr serve`) on
// loopback with the demo meter.
//
//   OMR_START=browser | electron   no detection: this mode (electron fails without the runtime)
//   OMR_START_DRY_RUN=1            build and detect, print the command that would run, stop
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { buildIfStale, electronViteBin, ROOT } from './build.mjs';

const env = process.env;
const PREFIX = 'npm start: ';
/** Finding the runtime includes its download on the first run; past this, the browser it is. */
const PROBE_MS = 30_000;
/** The station has this long to print its address. */
const READY_MS = 30_000;
/** After Ctrl-C, the station has this long to stop before it is killed. */
const STOP_MS = 1500;
const POSIX = process.platform !== 'win32';

function fail(message) {
  process.stderr.write(`${PREFIX}${message}\n`);
  process.exit(1);
}

/** Ends a child; with `group` (a child spawned detached on POSIX), everything it started too. */
function killTree(child, signal, group = false) {
  try {
    if (group && POSIX) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/**
 * The Electron binary, asked of the electron package in a child process: require('electron')
 * returns its path (ELECTRON_OVERRIDE_DIST_PATH included) or downloads it first, and throws when
 * that fails. Resolves { path } or { reason }.
 */
function probeElectron() {
  if (env.ELECTRON_EXEC_PATH) {
    return Promise.resolve(
      existsSync(env.ELECTRON_EXEC_PATH) ? { path: env.ELECTRON_EXEC_PATH } : { reason: `ELECTRON_EXEC_PATH=${env.ELECTRON_EXEC_PATH} does not exist` },
    );
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write('\\n' + require('electron'))"], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: POSIX,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const onSigint = () => {
      killTree(child, 'SIGKILL', true);
      process.exit(130);
    };
    process.once('SIGINT', onSigint);
    const timer = setTimeout(() => {
      killTree(child, 'SIGKILL', true);
      resolve({ reason: `finding or downloading it took longer than ${PROBE_MS / 1000} s` });
    }, PROBE_MS);
    child.on('error', (e) => resolve({ reason: e.message }));
    child.on('close', (code) => {
      clearTimeout(timer);
      process.off('SIGINT', onSigint);
      const path = out.trim().split('\n').pop() ?? '';
      if (code === 0 && path && existsSync(path)) return resolve({ path });
      if (code === 0)
        return resolve({ reason: `it is not at ${path || '(no path)'}${env.ELECTRON_OVERRIDE_DIST_PATH ? ' (ELECTRON_OVERRIDE_DIST_PATH)' : ''}` });
      // The first message of the child's stderr, skipping stack frames and source excerpts.
      const lines = err
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !/^at |^\^|^throw |^Node\.js v|:\d+$/.test(l));
      const why = lines.find((l) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|HTTPError/.test(l)) ?? lines[0] ?? `exit ${code}`;
      resolve({ reason: `it could not be downloaded: ${why.slice(0, 160)}` });
    });
  });
}

/** 8450 when it is free on loopback, else 0 (the system picks a free port). */
function stationPort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(0));
    s.listen(8450, '127.0.0.1', () => s.close(() => resolve(8450)));
  });
}

/** Opens the URL in the user's browser: BROWSER if set ("none": never), else the system's opener, if there is a display. */
function openBrowser(url) {
  let command;
  let args = [url];
  if (env.BROWSER) {
    if (env.BROWSER === 'none') return false;
    command = `${env.BROWSER} "${url}"`;
    args = [];
  } else if (process.platform === 'darwin') command = 'open';
  else if (process.platform === 'win32') [command, args] = ['cmd', ['/c', 'start', '""', url]];
  else if (env.DISPLAY || env.WAYLAND_DISPLAY) command = 'xdg-open';
  else return false;
  // Its own process group: Ctrl-C here does not reach the browser.
  const child = spawn(command, args, { stdio: 'ignore', detached: true, shell: !!env.BROWSER, windowsVerbatimArguments: process.platform === 'win32' });
  child.on('error', () => {});
  child.unref();
  return true;
}

function runElectron(bin, electronPath) {
  const args = [bin, 'preview', '--skipBuild'];
  if (env.OMR_START_DRY_RUN) {
    process.stdout.write(`${PREFIX}would run the desktop app: ELECTRON_EXEC_PATH=${electronPath} node ${args.join(' ')}\n`);
    return;
  }
  // electron-vite runs the binary named by ELECTRON_EXEC_PATH: the one found above.
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...env, ELECTRON_EXEC_PATH: electronPath } });
  // electron-vite passes signals on to Electron. Ctrl-C in a terminal reaches it directly; a
  // signal sent to this script alone is passed on as SIGTERM. Then this script waits for the app.
  let stopping = false;
  const stop = () => {
    if (!stopping) child.kill('SIGTERM');
    stopping = true;
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, stop);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function runBrowser(electron) {
  const port = await stationPort();
  const args = [join(ROOT, 'out/main/cli.js'), 'serve', '--simulator', '--listen', `127.0.0.1:${port}`];
  if (env.OMR_START_DRY_RUN) {
    process.stdout.write(
      `${PREFIX}would run the app in the browser (${electron.forced ? 'OMR_START=browser' : `no Electron runtime: ${electron.reason}`}): node ${args.join(' ')}\n`,
    );
    return;
  }
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let url;
  const notReady = setTimeout(() => {
    process.stderr.write(`${PREFIX}the station printed no address within ${READY_MS / 1000} s:\n${out}`);
    killTree(child, 'SIGKILL');
    process.exit(1);
  }, READY_MS);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    if (url) return;
    out += chunk;
    url = /Meter station on (http:\/\/\S+\/)/.exec(out)?.[1];
    if (!url) return;
    clearTimeout(notReady);
    const opened = openBrowser(url);
    process.stdout.write(
      electron.forced
        ? `\nOMR_START=browser: the app runs in your browser; without it, \`npm start\` opens the desktop window where the Electron runtime is available.\n`
        : `\nThe Electron runtime is not available here (${electron.reason}), so the app runs in your browser; for the desktop window, run \`npx install-electron\` where Electron's download server is reachable (or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron) and then \`npm start\`.\n`,
    );
    process.stdout.write(
      `Optical Meter Reader is running at ${url} (${opened ? 'opening it in your browser' : 'open it in your browser'}; the demo meter is ready; Ctrl-C stops it)\n`,
    );
  });

  // Ctrl-C reaches the station too (same process group); SIGTERM asks the same clean stop and is
  // harmless when it already stops, where a second SIGINT would make it quit at once.
  let stopping = false;
  const stop = () => {
    child.kill('SIGTERM');
    if (stopping) return;
    stopping = true;
    setTimeout(() => killTree(child, 'SIGKILL'), STOP_MS).unref();
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, stop);
  child.on('exit', (code, signal) => {
    clearTimeout(notReady);
    if (stopping) {
      process.stdout.write(signal === 'SIGKILL' ? `${PREFIX}the station did not stop within ${STOP_MS} ms and was killed\n` : 'Stopped.\n');
      process.exit(signal === 'SIGKILL' ? 1 : 0);
    }
    if (!url) process.stderr.write(out);
    process.stderr.write(`${PREFIX}the station ended (${code ?? signal})\n`);
    process.exit(code || 1);
  });
}

const mode = env.OMR_START ?? 'auto';
if (!['auto', 'browser', 'electron'].includes(mode)) fail(`OMR_START wants browser or electron, got '${mode}'`);
let bin;
try {
  bin = electronViteBin();
} catch (e) {
  fail(`electron-vite, the build tool, cannot be found (${e.message.split('\n')[0]}): run npm ci`);
}
if (!buildIfStale({ prefix: PREFIX })) process.exit(1);

const electron = mode === 'browser' ? { forced: true } : await probeElectron();
if (electron.path) runElectron(bin, electron.path);
else if (mode === 'electron') fail(`the Electron runtime is not available: ${electron.reason}`);
else await runBrowser(electron);
