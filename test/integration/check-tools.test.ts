/**
 * `npm test` checks the system programs first: with one missing it stops at once, naming it and
 * the one command that installs them all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(__dirname, '../../scripts/check-tools.mjs');

describe('npm test: system programs first', () => {
  it('passes on a machine that has them', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('stops at once with the install command when one is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'omr-nopath-'));
    const started = Date.now();
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 10_000, env: { PATH: empty } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.status).toBe(1);
    // socat has no fixed path to fall back on: with an empty PATH it is always missing.
    expect(r.stderr).toMatch(/socat +pty pairs/);
    expect(r.stderr).toMatch(/apt-get install -y chromium socat mosquitto ser2net/);
  });
});
