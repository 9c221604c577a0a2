/**
 * The built CLI (`node out/main/cli.js serve`) started from another working directory (/tmp)
 * finds the renderer build from its package root and serves the page. Needs `npm run build`
 * (as the e2e tests do); this test does not build.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './omr-child';

const CLI = join(ROOT, 'out', 'main', 'cli.js');
const built = existsSync(CLI) && existsSync(join(ROOT, 'out', 'renderer', 'index.html'));

describe.skipIf(!built)('omr serve from outside the checkout', () => {
  it('serves the renderer when started with cwd=/tmp', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'omr-cwd-'));
    const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], { cwd: '/tmp', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const base = await new Promise<string>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`no URL within 30 s:\n${out}`)), 30_000);
        const check = () => {
          const m = /Meter station on (http:\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            ok(m[1]!);
          }
        };
        child.stdout.on('data', check);
        child.once('exit', (code) => fail(new Error(`omr serve exited (${code}):\n${out}`)));
      });
      const page = await fetch(base);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html.toLowerCase()).toContain('<!doctype html>');
      expect(html).toMatch(/<script[^>]+src="[^"]*assets\//);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  });
});
