/**
 * `npm run omr -- …` runs the build (out/main/cli.js), rebuilt first when a source is newer than
 * the build; the installed `omr` (bin/omr.js) runs the same build.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INPUTS, OUTPUTS, staleReason } from '../../scripts/build.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(command: string, args: string[], cwd = ROOT) {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-launcher-')) },
  });
}

describe('the build is stale', () => {
  it('when an output is missing, a source is newer, or a file was added or removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-stale-'));
    const put = (rel: string, text = 'x', ageS = 0) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
      const t = Date.now() / 1000 - ageS;
      utimesSync(join(dir, rel), t, t);
    };
    const inputs = ['src', 'config.ts'];
    const outputs = ['out/a.js', 'out/b.js'];
    put('src/deep/one.ts', 'x', 100);
    put('config.ts', 'x', 100);
    utimesSync(join(dir, 'src/deep'), Date.now() / 1000 - 100, Date.now() / 1000 - 100);
    utimesSync(join(dir, 'src'), Date.now() / 1000 - 100, Date.now() / 1000 - 100);
    put('out/a.js', 'x', 10);
    expect(staleReason(dir, inputs, outputs)).toBe('out/b.js is missing');
    put('out/b.js', 'x', 10);
    expect(staleReason(dir, inputs, outputs)).toBeUndefined();

    put('src/deep/one.ts', 'y', 5);
    expect(staleReason(dir, inputs, outputs)).toBe('src/deep/one.ts changed after the last build');
    put('out/a.js', 'x', 0);
    put('out/b.js', 'x', 0);
    expect(staleReason(dir, inputs, outputs)).toBeUndefined();

    // A removed (or moved) file shows as its folder's change.
    utimesSync(join(dir, 'out/a.js'), Date.now() / 1000 - 1, Date.now() / 1000 - 1);
    unlinkSync(join(dir, 'src/deep/one.ts'));
    expect(staleReason(dir, inputs, outputs)).toBe('src/deep changed after the last build');
  });

  it('covers what electron-vite builds from and what it writes', () => {
    const config = readFileSync(join(ROOT, 'electron.vite.config.ts'), 'utf8');
    for (const input of ['electron', 'renderer']) expect(INPUTS).toContain(input);
    for (const dir of config.matchAll(/outDir: '([^']+)'/g))
      expect(
        OUTPUTS.some((o) => o.startsWith(`${dir[1]}/`)),
        dir[1],
      ).toBe(true);
  });
});

describe('npm run omr', () => {
  it('runs the built command line, its output alone on stdout', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.omr).toBe('node scripts/omr.mjs');
    const help = run('npm', ['run', '--silent', 'omr', '--', 'help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: omr <command>/);
    const ports = run('npm', ['run', '--silent', 'omr', '--', 'ports', '--json']);
    expect(ports.status, ports.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(ports.stdout))).toContain('virtual');
  });

  it('the installed omr (bin/omr.js) runs the build too', () => {
    const r = run(process.execPath, [join(ROOT, 'bin/omr.js'), 'help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: omr <command>/);
  });

  it('rebuilds first when a source changed, so it never runs stale code', () => {
    // A scratch copy of the sources (node_modules linked) with no build yet.
    const copy = mkdtempSync(join(tmpdir(), 'omr-launcher-copy-'));
    for (const p of [...INPUTS, 'scripts']) cpSync(join(ROOT, p), join(copy, p), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'junction');

    const first = run(process.execPath, [join(copy, 'scripts/omr.mjs'), 'help'], copy);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^omr: building \(out\/main\/index\.js is missing\)/);
    expect(first.stdout).toMatch(/^Usage: omr <command>/);

    const fresh = run(process.execPath, [join(copy, 'scripts/omr.mjs'), 'help'], copy);
    expect(fresh.stderr).toBe('');

    // Change the usage text in whichever source holds it.
    const holder = (function find(dir: string): string | undefined {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) {
          const hit = find(p);
          if (hit) return hit;
        } else if (p.endsWith('.ts') && readFileSync(p, 'utf8').includes('Usage: omr <command>')) return p;
      }
      return undefined;
    })(join(copy, 'electron'));
    expect(holder).toBeDefined();
    writeFileSync(holder!, readFileSync(holder!, 'utf8').replace('Usage: omr <command>', 'Usage: omr <changed>'));
    const changed = run(process.execPath, [join(copy, 'scripts/omr.mjs'), 'help'], copy);
    expect(changed.status, changed.stderr).toBe(0);
    expect(changed.stderr).toMatch(/^omr: building \(electron\/.+ changed after the last build\)/);
    expect(changed.stdout).toMatch(/^Usage: omr <changed>/);
  });
});
