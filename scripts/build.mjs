// The build as `npm start` and `npm run omr` use it: electron-vite's command (found through the
// "bin" field of its package.json, which the package exports), and a rebuild only when a source is
// newer than the build, so neither ever runs stale code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What the build reads: a change to any of these (or a file added, moved, removed) rebuilds. */
export const INPUTS = ['electron', 'shared', 'renderer', 'electron.vite.config.ts', 'tsconfig.json', 'package.json', 'package-lock.json'];
/** What one `electron-vite build` writes; the oldest of them is the time of the build. */
export const OUTPUTS = ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

/** The electron-vite command's script, from the "bin" field of its package.json. */
export function electronViteBin(root = ROOT) {
  const require = createRequire(join(root, 'package.json'));
  const pkgFile = require.resolve('electron-vite/package.json');
  const { bin } = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const rel = typeof bin === 'string' ? bin : bin?.['electron-vite'];
  if (!rel) throw new Error(`${pkgFile} names no electron-vite command in "bin"`);
  const file = join(dirname(pkgFile), rel);
  if (!existsSync(file)) throw new Error(`electron-vite's command ${file} is missing`);
  return file;
}

/** The first input (file or folder) changed after `since` (ms), or undefined. */
function changedAfter(path, since, name) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  if (st.mtimeMs > since) return name;
  if (!st.isDirectory()) return undefined;
  for (const entry of readdirSync(path)) {
    const hit = changedAfter(join(path, entry), since, `${name}/${entry}`);
    if (hit) return hit;
  }
  return undefined;
}

/** Why the build is stale ("out/main/cli.js is missing", "electron/x.ts changed after the build"), or undefined when it is fresh. */
export function staleReason(root = ROOT, inputs = INPUTS, outputs = OUTPUTS) {
  let built = Infinity;
  for (const out of outputs) {
    try {
      built = Math.min(built, statSync(join(root, out)).mtimeMs);
    } catch {
      return `${out} is missing`;
    }
  }
  for (const input of inputs) {
    const hit = changedAfter(join(root, input), built, input);
    if (hit) return `${hit} changed after the last build`;
  }
  return undefined;
}

/**
 * Runs `electron-vite build` when the build is stale. Its warnings and errors go to stderr, so that the
 * standard output of a command run after it (`omr read --json`) stays clean.
 * Returns true when the build is fresh afterwards.
 */
export function buildIfStale({ root = ROOT, prefix = '' } = {}) {
  const bin = electronViteBin(root);
  const reason = staleReason(root);
  if (!reason) return true;
  process.stderr.write(`${prefix}building (${reason})…\n`);
  const r = spawnSync(process.execPath, [bin, 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status === 0) return true;
  process.stderr.write(`${prefix}the build failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`})\n`);
  return false;
}
