/**
 * `npm run bench` (bench/startup.ts): how long the command line takes to start, as a ratio to
 * `node -e 0` (Node itself starting and exiting), with `npm run --silent` of an empty script
 * beside it (npm's own share of `npm run omr`). Each command runs `omr help`, which starts the CLI
 * and prints its usage; the figure is the median wall time of several runs after a warm-up.
 *
 * The section "Command-line start-up" of docs/benchmarks.md is replaced (or appended), nothing else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { buildIfStale } from '../scripts/build.mjs';

const RUNS = 21;
const WARMUP = 2;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Case {
  name: string;
  command: string;
  args: string[];
  runs?: number;
}

const CASES: Case[] = [
  { name: '`node -e 0` (the unit)', command: process.execPath, args: ['-e', '0'] },
  { name: '`node out/main/cli.js help`', command: process.execPath, args: ['out/main/cli.js', 'help'] },
  { name: '`omr help` (bin/omr.js, installed)', command: process.execPath, args: ['bin/omr.js', 'help'] },
  { name: '`node scripts/omr.mjs help` (build check + CLI)', command: process.execPath, args: ['scripts/omr.mjs', 'help'] },
  { name: '`npm run --silent noop` (npm alone: `node -e 0`)', command: npm, args: ['run', '--silent', 'noop'] },
  { name: '`npm run --silent omr -- help`', command: npm, args: ['run', '--silent', 'omr', '--', 'help'] },
  {
    name: '`tsx electron/cli/main.ts help` (what `npm run omr` ran before)',
    command: process.execPath,
    args: ['node_modules/tsx/dist/cli.mjs', 'electron/cli/main.ts', 'help'],
    runs: 9,
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function once(c: Case): number {
  const t0 = performance.now();
  const r = spawnSync(c.command, c.args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.command} ${c.args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return t;
}

/** Median wall time per case; the cases take turns, so that a change of load meets them all alike. */
function timeAll(cases: Case[]): number[] {
  const ms = cases.map(() => [] as number[]);
  for (let round = 0; round < WARMUP + RUNS; round++) {
    cases.forEach((c, i) => {
      if (round >= WARMUP + (c.runs ?? RUNS)) return;
      const t = once(c);
      if (round >= WARMUP) ms[i]!.push(t);
    });
  }
  return ms.map(median);
}

function main(): void {
  if (!buildIfStale({ prefix: 'bench: ' })) throw new Error('the build failed');
  const load = loadavg()[0]!;
  const cases = CASES.filter((c) => c.args.every((a) => !a.includes('/') || existsSync(a)));
  const times = timeAll(cases);
  const results = cases.map((c, i) => ({ ...c, ms: times[i]! }));
  const unit = results[0]!.ms;
  const rows = results.map((r) => `| ${r.name} | ${r.ms.toFixed(0)} ms | ${(r.ms / unit).toFixed(2)} |`);
  const at = (prefix: string) => results.find((r) => r.name.startsWith(prefix));
  const npmShare = at('`npm run --silent noop`')!.ms - unit;
  const section = `## Command-line start-up

Made by \`npm run bench\` (bench/startup.ts) on ${new Date().toISOString().slice(0, 10)} (Node ${process.versions.node}, ${process.platform}, ${availableParallelism()} cores, load average ${load.toFixed(1)} at the start).
Wall time from spawn to exit of \`omr help\` (start the CLI, print the usage), median of ${RUNS} runs (tsx: ${CASES.at(-1)!.runs}) after ${WARMUP} warm-up runs, the commands taking turns;
ratio = time / \`node -e 0\`.

| command | median | ratio to \`node -e 0\` |
|---|---|---|
${rows.join('\n')}

\`npm run omr\` runs the build (scripts/omr.mjs checks that no source is newer than out/, then imports out/main/cli.js,
rebuilding first when one is). npm itself adds about ${npmShare.toFixed(0)} ms to any script (the \`noop\` row against \`node -e 0\`),
so the installed \`omr\` or \`node out/main/cli.js\` is the quick way for scripts that call it often.
`;
  const file = 'docs/benchmarks.md';
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = /## Command-line start-up\n[\s\S]*?(?=\n## |$)/;
  const next = re.test(current) ? current.replace(re, section) : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  process.stdout.write(section);
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench startup: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
