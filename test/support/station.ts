/**
 * The meter station as the tests use it: `omr serve` as a real child process (its address and
 * token read from what it prints), a real Mosquitto broker on a free loopback port, and an MQTT
 * subscriber that records what it receives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type MqttClient } from 'mqtt';

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p));

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunningStation {
  url: string;
  token: string;
  dataDir: string;
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  /** Ctrl-C: a clean stop (resolves with the exit code). */
  stop(): Promise<number | null>;
  /** SIGKILL: the process vanishes without a word. */
  kill(): Promise<void>;
}

/**
 * `omr serve` in a child process: the built CLI (out/main/cli.js) when `built`, else through tsx.
 * `--listen 127.0.0.1:0` unless the arguments say otherwise.
 */
export async function startStationProcess(args: string[], o: { built?: boolean; dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunningStation> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'omr-station-'));
  const cli = o.built ? [resolve('out/main/cli.js')] : ['--import', 'tsx', resolve('electron/cli/main.ts')];
  const full = [...cli, 'serve', ...(args.includes('--listen') ? [] : ['--listen', '127.0.0.1:0']), '--data-dir', dataDir, ...args];
  const child = spawn(process.execPath, full, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out.stderr += c.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      exited = code;
      r(code);
    }),
  );
  const url = await waitFor(
    'the station address',
    () => {
      if (exited !== undefined) throw new Error(`omr serve exited (${exited}): ${out.stderr}${out.stdout}`);
      return /Meter station on (http:\/\/\S+\/)/.exec(out.stdout)?.[1];
    },
    30_000,
  );
  const token = /Station token \(shown once, keep it\): (\S+)/.exec(out.stdout)?.[1] ?? '';
  return {
    url,
    token,
    dataDir,
    child,
    out,
    stop: async () => {
      if (exited === undefined) child.kill('SIGINT');
      return exit;
    },
    kill: async () => {
      if (exited === undefined) child.kill('SIGKILL');
      await exit;
    },
  };
}

export interface Broker {
  port: number;
  url: string;
  dir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Mosquitto on 127.0.0.1 (persistence on, so a restart keeps the subscribers' sessions). */
export async function startBroker(): Promise<Broker> {
  if (!MOSQUITTO) throw new Error('mosquitto is not installed (apt-get install mosquitto; .ci/run installs it)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'omr-mosquitto-'));
  mkdirSync(join(dir, 'db'), { recursive: true });
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${join(dir, 'db')}/`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | undefined;
  const broker: Broker = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    async start() {
      const p = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      proc = p;
      // Ready when it accepts a connection.
      const until = Date.now() + 10_000;
      for (;;) {
        const ok = await new Promise<boolean>((r) => {
          const c = connect(broker.url, { reconnectPeriod: 0, connectTimeout: 1000 });
          c.once('connect', () => c.end(true, () => r(true)));
          c.once('error', () => c.end(true, () => r(false)));
        });
        if (ok) return;
        if (p.exitCode !== null) throw new Error(`mosquitto exited: ${err}`);
        if (Date.now() > until) throw new Error(`mosquitto did not start: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      const p = proc;
      proc = undefined;
      if (!p || p.exitCode !== null) return;
      const gone = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await gone;
    },
  };
  await broker.start();
  return broker;
}

export interface Message {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

/** A subscriber to `#` that keeps every message (a persistent session when `clientId` is given). */
export async function subscribe(
  url: string,
  o: { clientId?: string; topic?: string } = {},
): Promise<{ client: MqttClient; messages: Message[]; close(): Promise<void> }> {
  const messages: Message[] = [];
  const client = connect(url, { reconnectPeriod: 100, ...(o.clientId ? { clientId: o.clientId, clean: false } : {}) });
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), retain: packet.retain, at: Date.now() }));
  await new Promise<void>((ok, fail) => {
    client.once('connect', () => ok());
    client.once('error', fail);
  });
  await client.subscribeAsync(o.topic ?? '#', { qos: 1 });
  return { client, messages, close: () => client.endAsync(true) };
}
