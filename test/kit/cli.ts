/**
 * The `omr` command line in-process, as tests drive it: a fake terminal that collects what a
 * command prints, and `omr simulate … --tcp 0` started in the background until the test ends.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../electron/cli/run';
import type { CliIo } from '../../electron/cli/options';

export interface CliOutput {
  stdout: string;
  stderr: string;
}

/** A terminal for runCli: output collected as text; sessions go to a fresh data folder. */
export function cliIo(signal?: AbortSignal, env: NodeJS.ProcessEnv = {}): { io: CliIo; out: CliOutput } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c) => (out.stdout += c));
  stderr.on('data', (c) => (out.stderr += c));
  return { io: { stdout, stderr, env: { OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-cli-data-')), ...env }, ...(signal ? { signal } : {}) }, out };
}

/** Run one command to its end. */
export async function omr(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number } & CliOutput> {
  const { io, out } = cliIo(undefined, env);
  const code = await runCli(args, io);
  return { code, ...out };
}

const running: { stop: AbortController; done: Promise<number> }[] = [];

/** Start `omr simulate --tcp 0 …` and resolve with its port once it says it listens. */
export async function simulateOnTcp(args: string[]): Promise<{ port: number; out: CliOutput }> {
  const stop = new AbortController();
  const { io, out } = cliIo(stop.signal);
  const done = runCli(['simulate', '--tcp', '0', ...args], io);
  running.push({ stop, done });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = /listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out.stdout);
    if (m) return { port: Number(m[1]), out };
    if (Date.now() > deadline) throw new Error(`simulate did not listen: ${out.stdout}${out.stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Stop every simulator started by {@link simulateOnTcp} (call in afterEach). */
export async function stopSimulators(): Promise<void> {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done;
  }
}
