/**
 * Meter station benchmark: one station (in this process) serving 20 WebSocket clients (the
 * browser's protocol, in a child process) and publishing polls to a real Mosquitto broker (a
 * subscriber in another child process measures when each poll's message arrives).
 *
 * 1. Real polls: the monitor polls the virtual E450 every 5 s for a minute (poll → MQTT latency).
 * 2. An hour of simulated time: 720 polls (one per 5 s of meter time) pushed through the event bus
 *    exactly as the monitor emits them, as fast as one every 25 ms: the station's CPU and memory
 *    over an hour's worth of polls, every one fanned out to 20 clients and published to MQTT.
 *
 * The section "Meter station" of docs/benchmarks.md is replaced (or appended), nothing else.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppServices } from '../electron/app/app';
import { JsonFileSettingsStore } from '../electron/features/settings/settings';
import { MqttPublisher } from '../electron/features/station/mqtt';
import { loadOrCreateToken } from '../electron/features/station/security';
import { startStation } from '../electron/features/station/server';
import type { MonitorStats, MonitorUpdate } from '../shared/monitor';
import { startBroker } from '../test/support/station';

const CLIENTS = 20;
const REAL_S = 60;
const SIM_POLLS = 720;
const SIM_GAP_MS = 25;

function child(code: string, args: string[]): { done: Promise<string>; ready: Promise<void>; stop(): void } {
  const p = spawn(process.execPath, ['--input-type=module', '-e', code, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (onReady = r));
  p.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.includes('READY\n')) onReady();
  });
  const done = new Promise<string>((r) => p.on('exit', () => r(out.replace('READY\n', ''))));
  return { done, ready, stop: () => p.stdin.end('stop\n') };
}

const CLIENTS_CODE = `
import WebSocket from 'ws';
const [url, n] = [process.argv[1], Number(process.argv[2])];
let events = 0, bytes = 0, open = 0;
const all = [];
for (let i = 0; i < n; i++) {
  const ws = new WebSocket(url);
  all.push(ws);
  ws.on('open', () => { ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'sessions:list' })); if (++open === n) process.stdout.write('READY\\n'); });
  ws.on('message', (d) => { events++; bytes += d.length; });
}
process.stdin.on('data', () => { for (const ws of all) ws.close(); process.stdout.write(JSON.stringify({ events, bytes, open })); process.exit(0); });
`;

const SUBSCRIBER_CODE = `
import { connect } from 'mqtt';
const [url, topic] = [process.argv[1], process.argv[2]];
const lat = [];
const c = connect(url);
c.on('connect', () => c.subscribe(topic, { qos: 1 }, () => process.stdout.write('READY\\n')));
c.on('message', (_t, p) => { const poll = JSON.parse(p.toString()); lat.push(Date.now() - Date.parse(poll.t)); });
process.stdin.on('data', () => { c.end(true); process.stdout.write(JSON.stringify(lat)); process.exit(0); });
`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'omr-bench-station-'));
  const broker = await startBroker();
  const services = createAppServices({
    dataDir,
    settingsStore: new JsonFileSettingsStore(join(dataDir, 'settings.json')),
    appInfo: { name: 'bench', version: '0', platform: process.platform, node: process.versions.node },
    serialportList: async () => [],
    platform: 'linux',
    targets: { virtualMeter: { pace: false } },
  });
  const token = loadOrCreateToken(dataDir);
  const rendererDir = existsSync('out/renderer/index.html') ? 'out/renderer' : mkdtempSync(join(tmpdir(), 'omr-bench-r-'));
  if (!existsSync(join(rendererDir, 'index.html'))) writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  const station = await startStation({ services, dataDir, rendererDir, host: '127.0.0.1', port: 0, tokenHash: token.hash, version: 'bench' });
  const publisher = new MqttPublisher({ url: broker.url, deviceId: 'bench' }, { events: services.events, sessions: services.sessions, version: 'bench' });
  await new Promise<void>((r) => publisher.client.once('connect', () => r()));

  const wsUrl = `${station.url.replace('http:', 'ws:')}ws`;
  const clients = child(CLIENTS_CODE, [wsUrl, String(CLIENTS)]);
  const sub = child(SUBSCRIBER_CODE, [broker.url, 'omr/bench/poll']);
  await Promise.all([clients.ready, sub.ready]);

  // 1. Real polls of the virtual meter every 5 s.
  let lastUpdate: MonitorUpdate | undefined;
  services.events.subscribe((c, p) => {
    if (c === 'monitor:update' && (p as MonitorUpdate).poll) lastUpdate = p as MonitorUpdate;
  });
  const started = await services.dispatcher.dispatch('monitor:start', { target: 'virtual:e450', intervalS: 5 }, { client: 'bench' });
  if (!started.ok) throw new Error(JSON.stringify(started.error));
  const opId = (started.value as { operationId: string }).operationId;
  await new Promise((r) => setTimeout(r, REAL_S * 1000));
  const stats = (await services.dispatcher.dispatch('monitor:stop', { operationId: opId }, { client: 'bench' })) as { ok: true; value: MonitorStats };
  await publisher.drain();
  const realPolls = stats.value.polls;
  const realDuration = lastUpdate?.poll?.durationMs ?? NaN;
  sub.stop();
  const realLat = JSON.parse(await sub.done) as number[];

  // 2. An hour of meter time: 720 polls through the bus as the monitor emits them.
  const sub2 = child(SUBSCRIBER_CODE, [broker.url, 'omr/bench/poll']);
  await sub2.ready;
  const template = lastUpdate!;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rss: number[] = [];
  const heap: number[] = [];
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rss.push(m.rss);
    heap.push(m.heapUsed);
  }, 250);
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < SIM_POLLS; i++) {
    const poll = { ...template.poll!, t: new Date().toISOString() };
    services.events.emit('monitor:update', { stats: { ...template.stats, polls: realPolls + i + 1, succeeded: realPolls + i + 1 }, poll });
    await new Promise((r) => setTimeout(r, SIM_GAP_MS));
  }
  await publisher.drain(30_000);
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(sampler);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  sub2.stop();
  const simLat = JSON.parse(await sub2.done) as number[];
  clients.stop();
  const cl = JSON.parse(await clients.done) as { events: number; bytes: number; open: number };
  const mq = publisher.status();

  await publisher.close();
  await services.dispose();
  await station.close();
  await broker.stop();

  // CPU per simulated hour: the work for 720 polls, over 3600 s of meter time.
  const perHourPct = (cpuMs / 3_600_000) * 100;
  const section = `## Meter station

Made by \`npm run bench\` (bench/station.ts) on ${new Date().toISOString().slice(0, 10)} (Node ${process.versions.node}, ${process.platform}).
One station in one process, ${CLIENTS} WebSocket clients (the browser's protocol, in another process, each receiving every event)
and a Mosquitto broker on loopback with a subscriber that times every poll message.

| measure | value |
|---|---|
| real polls of the virtual E450 every 5 s for ${REAL_S} s | ${realPolls} polls (a poll takes ${realDuration} ms) |
| poll end → MQTT message at the subscriber (real polls) | median ${pct(realLat, 50)} ms, p95 ${pct(realLat, 95)} ms, max ${Math.max(...realLat)} ms (${realLat.length} messages) |
| an hour of meter time: ${SIM_POLLS} polls (one per 5 s), pushed every ${SIM_GAP_MS} ms | ${(wallMs / 1000).toFixed(1)} s of wall time |
| poll → MQTT message (the hour, under that load) | median ${pct(simLat, 50)} ms, p95 ${pct(simLat, 95)} ms, max ${Math.max(...simLat)} ms; ${simLat.length} of ${SIM_POLLS} received |
| station CPU for the hour's ${SIM_POLLS} polls | ${cpuMs.toFixed(0)} ms of CPU = ${perHourPct.toFixed(3)} % of one core over the hour |
| station memory (RSS) | ${mb(rss0)} before, ${mb(Math.max(...rss))} peak, ${mb(rss.at(-1) ?? 0)} after |
| station heap | ${mb(Math.min(...heap))} … ${mb(Math.max(...heap))} |
| WebSocket events delivered | ${cl.events} to ${cl.open} clients (${mb(cl.bytes)}) |
| MQTT messages acknowledged by the broker | ${mq.published} (${mq.pending} pending at the end) |

The hour is simulated: its polls are the last real poll's \`monitor:update\` pushed through the event bus (no meter
exchange, no journal write), so that part measures the station's own work per poll — fan-out to the clients,
${Math.round(mq.published / (SIM_POLLS + realPolls))} MQTT messages, Home Assistant discovery on the first — which does not depend on the meter's clock:
720 polls pushed 200× faster than real time cost the station what an hour of 5-second polls costs it. The first row's
real polls include the meter exchange and the journal; the meter's exchange itself is in the readout benchmark above.
`;
  const file = 'docs/benchmarks.md';
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = /## Meter station\n[\s\S]*?(?=\n## |$)/;
  const next = re.test(current) ? current.replace(re, section) : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  process.stdout.write(section);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench station: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
