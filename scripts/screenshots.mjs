#!/usr/bin/env node
// `npm run screenshots`: build when a source is newer than the build, then walk every step and
// dialog of the wizard in Chromium against the demo meter, in English and French at 1366 × 768,
// saving docs/screenshots/<view>-<lang>.png; the same walk checks accessibility with axe-core
// and writes docs/a11y-report.md and docs/a11y-report.json (test/e2e/a11y.test.ts).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildIfStale, ROOT } from './build.mjs';

buildIfStale({ prefix: 'npm run screenshots: ' });
const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', 'test/e2e/a11y.test.ts'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, OMR_SCREENSHOTS: '1' },
});
process.exit(run.status ?? 1);
