/**
 * Each unit and integration test file runs with HOME (and USERPROFILE) in a scratch folder of its
 * own (a setup file of vitest.config.ts), so nothing it runs — in-process `omr`, child processes,
 * the app's services — can write into the user's data folder ~/.optical-meter-reader. After the
 * file the scratch home is checked: anything written into its data folder fails the file (the
 * test leaned on the default data folder; on a developer's machine it would have written into
 * theirs), naming what was written.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll } from 'vitest';

export const DATA_FOLDER = '.optical-meter-reader';

/** Files under `dir`, relative to it (at most `limit`). */
export function filesUnder(dir: string, limit = 50): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (out.length >= limit) return;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

// Before the test file is imported: modules that read the home folder at load see the scratch one.
const home = mkdtempSync(join(tmpdir(), 'omr-test-home-'));
process.env.HOME = home;
process.env.USERPROFILE = home;

// Registered first, so it runs after the file's own afterAll hooks (children stopped by then).
afterAll(() => {
  const written = filesUnder(join(home, DATA_FOLDER));
  rmSync(home, { recursive: true, force: true });
  if (written.length) {
    throw new Error(
      `this test file wrote into the default data folder ~/${DATA_FOLDER} (here a scratch HOME); give its reads their own OMR_DATA_DIR or --data-dir:\n  ${written.join('\n  ')}`,
    );
  }
});
