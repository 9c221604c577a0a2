/**
 * `omr` in a child process (one process: node with the tsx loader, no npm or npx in between, so
 * killing its pid kills everything it started except what it spawned itself). For the fault
 * tests: start, wait for a line, SIGKILL, read the data folder afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

export interface OmrChild {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolve with the first match in stdout+stderr; reject after `timeoutMs` or when the child exits. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGKILL (default) and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export function startOmr(args: string[], o: { env?: Record<string, string>; cwd?: string } = {}): OmrChild {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron', 'cli', 'main.ts'), ...args], {
    cwd: o.cwd ?? ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const poke = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (d) => ((out += d.toString()), poke()));
  child.stderr!.on('data', (d) => ((err += d.toString()), poke()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => (r(code), poke())));
  return {
    child,
    out: () => out,
    err: () => err,
    waitFor(re, timeoutMs = 30_000) {
      return new Promise((ok, fail) => {
        const check = () => {
          const m = re.exec(out + err);
          if (m) return done(() => ok(m));
          if (child.exitCode !== null || child.signalCode !== null) return done(() => fail(new Error(`omr exited before ${re}:\n${out}\n${err}`)));
        };
        const timer = setTimeout(() => done(() => fail(new Error(`no ${re} within ${timeoutMs} ms:\n${out}\n${err}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    exited,
  };
}
