/**
 * Finds the Electron binary without hanging: electron >= 45 downloads it the first time the
 * package is required, which fails (or could stall) on a machine without access to the download
 * server. The look-up runs in a child process with a time limit and reports why it failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ElectronBinary {
  path?: string;
  reason?: string;
}

export function findElectronBinary(timeoutMs = 60_000): ElectronBinary {
  if (process.env.ELECTRON_PATH) {
    return existsSync(process.env.ELECTRON_PATH)
      ? { path: process.env.ELECTRON_PATH }
      : { reason: `ELECTRON_PATH=${process.env.ELECTRON_PATH} does not exist` };
  }
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) return { reason: `looking up the Electron binary failed: ${r.error.message}` };
  if (r.status !== 0) {
    const lines = `${r.stderr}`.trim().split('\n');
    const last =
      lines.find((l) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(l)) ?? lines.filter((l) => /error|fail/i.test(l)).pop() ?? `exit ${r.status}`;
    return { reason: `the Electron binary is not installed and could not be downloaded (${last.trim().slice(0, 200)})` };
  }
  const path = r.stdout.trim();
  return existsSync(path) ? { path } : { reason: `the Electron binary is missing at ${path}` };
}
