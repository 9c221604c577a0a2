/**
 * `npm run bench`: wall time of real exchanges against the physical limit, with the simulator's
 * pacing on (bytes leave at the line's speed, the meter reacts after its reaction time). The limit
 * is the wire time of every byte at the speed of its phase (10 bits per character) plus the
 * meter's reaction time before each answer and, for IEC 62056-21, the client's own shortest
 * reaction time (tr = 200 ms) before its option select: the standard's floor on both sides.
 * Results go to docs/benchmarks.md.
 */
import { writeFileSync } from 'node:fs';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { createVirtualPair } from '../electron/link/virtual';
import { iecOptions, runIec } from '../electron/features/read/iec';
import { startIecSimulator } from '../electron/simulator/iec/runner';
import { E450Data } from '../electron/simulator/e450-data';
import { runDlmsRead } from '../electron/features/read/dlms-read';
import { startVirtualMeter } from '../electron/simulator/virtual-meter';
import { dlmsPoll } from '../electron/features/monitor/dlms-poll';
import { listenTcp, TcpLink } from '../electron/link/tcp';
import { createPtyPair } from '../electron/link/pty';
import { SerialLink } from '../electron/link/serial';
import { startSer2net } from '../test/support/ser2net';
import { IEC_TIMING, minReactionMs } from '../electron/engine/iec62056-21/timing';

interface Row {
  name: string;
  wallMs: number;
  limitMs: number;
  bytes: number;
  roundTrips: number;
  note: string;
}

/** The client's hold before its option select (the shortest reaction time tr of an LGZ meter). */
const CLIENT_HOLD_MS = minReactionMs('LGZ', IEC_TIMING);

/** Wire time (ms) of `chars` characters at `baud` (10 bits each: 7E1 and 8N1 alike). */
const wire = (chars: number, baud: number) => (chars * 10 * 1000) / baud;

async function modeCReadout(name: string, historyEntries: number, reactionMs: number, maxBaud: number): Promise<Row> {
  const pair = createVirtualPair();
  const sim = startIecSimulator(pair.meter, { pace: true, reactionMs, data: new E450Data({ historyEntries, historyPeriod: 'day' }) });
  // Bytes per phase, from the trace: tx/rx at the line speed in force when they were sent.
  const phases: { dir: string; bytes: number; baud: number }[] = [];
  const t0 = performance.now();
  const run = await runIec(pair.host, iecOptions({ ...DEFAULT_SETTINGS, maxBaud }, { purpose: 'readout' }), {
    onTrace: (e) => {
      if (e.dir !== 'info') phases.push({ dir: e.dir, bytes: e.hex.length / 2, baud: pair.host.line.baudRate });
    },
  });
  const wallMs = performance.now() - t0;
  sim.stop();
  await pair.host.close();
  if (run.error) throw new Error(`${name}: ${run.error.code} ${run.error.detail ?? ''}`);
  // Received chunks are traced when they arrive; the speed they came at is the line's speed then.
  const wireMs = phases.reduce((s, p) => s + wire(p.bytes, p.baud), 0);
  // Two answers: the identification after the request, the readout after the option select;
  // one hold of ours: the option select after the identification.
  const limitMs = wireMs + 2 * reactionMs + CLIENT_HOLD_MS;
  return {
    name,
    wallMs,
    limitMs,
    bytes: phases.reduce((s, p) => s + p.bytes, 0),
    roundTrips: 2,
    note: `${run.readings.length} readings, ${phases.filter((p) => p.dir === 'rx').reduce((s, p) => s + p.bytes, 0)} bytes received`,
  };
}

/**
 * The same readout over raw TCP: the simulated meter behind a TCP server on loopback (as behind
 * ser2net or a network head), paced at its own line's speed, the client on a TCP link that cannot
 * change the line (fixedBaud: the far end follows the meter's switch, as auto-baud heads do).
 * The limit is the wire time at the meter's line speed in force for each phase, plus its reaction.
 */
async function tcpReadout(name: string, reactionMs: number, maxBaud: number): Promise<Row> {
  let stop: (() => void) | undefined;
  /** The readout as the meter sent it: its size and the speed it paced it at. */
  let readout: { bytes: number; baudRate: number } | undefined;
  const server = await listenTcp(0, '127.0.0.1', (link) => {
    const sim = startIecSimulator(link, { pace: true, reactionMs, data: new E450Data({ historyEntries: 2, historyPeriod: 'day' }) });
    sim.on((e) => {
      if (e.type === 'readout') readout = { bytes: e.bytes, baudRate: e.baudRate };
    });
    stop = () => sim.stop();
    link.onClose(() => sim.stop());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const link = await TcpLink.connect('127.0.0.1', port);
  const phases: { dir: string; bytes: number; baud: number }[] = [];
  const t0 = performance.now();
  const run = await runIec(link, iecOptions({ ...DEFAULT_SETTINGS, maxBaud, fixedBaud: true }, { purpose: 'readout' }), {
    onTrace: (e) => {
      if (e.dir !== 'info') phases.push({ dir: e.dir, bytes: e.hex.length / 2, baud: 300 });
    },
  });
  const wallMs = performance.now() - t0;
  stop?.();
  await link.close();
  await new Promise<void>((r) => server.close(() => r()));
  if (run.error || !readout) throw new Error(`${name}: ${run.error?.code ?? 'no readout'} ${run.error?.detail ?? ''}`);
  // Everything but the readout went at 300 baud (request, identification, option select).
  const all = phases.reduce((s, p) => s + p.bytes, 0);
  const wireMs = wire(all - readout.bytes, 300) + wire(readout.bytes, readout.baudRate);
  return {
    name,
    wallMs,
    limitMs: wireMs + 2 * reactionMs + CLIENT_HOLD_MS,
    bytes: phases.reduce((s, p) => s + p.bytes, 0),
    roundTrips: 2,
    note: `${run.readings.length} readings, ${phases.filter((p) => p.dir === 'rx').reduce((s, p) => s + p.bytes, 0)} bytes received over TCP`,
  };
}

/**
 * The readout through Debian's ser2net in raw mode (`accepter: tcp`, the line 300 7E1), the
 * simulated meter on the other end of a socat pty pair, paced at its line's speed: what an
 * installer's network head does. A raw link cannot change the speed, so the client proposes the
 * line's own 300 baud and the whole readout runs at 300 baud: the limit is every byte's wire time
 * at 300 baud plus the meter's two reactions and the client's hold. One sign-on.
 */
async function ser2netReadout(name: string, reactionMs: number): Promise<Row> {
  const pty = await createPtyPair();
  const meterLink = await SerialLink.open(pty.meterPath);
  const sim = startIecSimulator(meterLink, { pace: true, reactionMs, data: new E450Data({ historyEntries: 2, historyPeriod: 'day' }) });
  let signOns = 0;
  sim.on((e) => {
    if (e.type === 'request') signOns++;
  });
  const server = await startSer2net(pty.hostPath, 'raw');
  let bytes = 0;
  let received = 0;
  try {
    const link = await TcpLink.connect('127.0.0.1', server.port);
    const t0 = performance.now();
    const run = await runIec(link, iecOptions({ ...DEFAULT_SETTINGS, maxBaud: 9600 }, { purpose: 'readout' }), {
      onTrace: (e) => {
        if (e.dir === 'tx') bytes += e.hex.length / 2;
        if (e.dir === 'rx') received += e.hex.length / 2;
      },
    });
    const wallMs = performance.now() - t0;
    await link.close();
    if (run.error) throw new Error(`${name}: ${run.error.code} ${run.error.detail ?? ''}`);
    return {
      name,
      wallMs,
      limitMs: wire(bytes + received, 300) + 2 * reactionMs + CLIENT_HOLD_MS,
      bytes: bytes + received,
      roundTrips: 2,
      note: `${run.readings.length} readings, ${received} bytes received through ser2net; ${signOns} sign-on`,
    };
  } finally {
    sim.stop();
    await meterLink.close().catch(() => undefined);
    await server.stop();
    await pty.close();
  }
}

/**
 * DLMS over direct HDLC at 9600 baud 8N1, server reaction 20 ms (paced): billing + instantaneous
 * registers (value and scaler_unit each) and a 30-day 15-minute load profile, with the reading
 * client (LLS). HDLC runs with window 1, so every frame we send is answered by one frame: the limit
 * is the wire time of every byte plus one reaction per answer. Round trips are frames we sent;
 * the naive plan would send one GET per attribute instead of each GET-with-list.
 */
type DlmsPlans = Parameters<typeof runDlmsRead>[0]['plans'];
async function dlmsRead(name: string, plans: DlmsPlans): Promise<Row & { naiveRoundTrips: number }> {
  const pair = createVirtualPair();
  await pair.host.setLine({ baudRate: 9600, dataBits: 8, parity: 'none' });
  await pair.meter.setLine({ baudRate: 9600, dataBits: 8, parity: 'none' });
  const meter = startVirtualMeter(pair.meter, { pace: true, directHdlc: true, hdlcBaudRate: 9600, dlmsReactionMs: 20 });
  // Bytes are counted on the link (the trace hides how long a password is).
  let txBytes = 0;
  let rxBytes = 0;
  pair.meter.onData((b) => (txBytes += b.length));
  pair.host.onData((b) => (rxBytes += b.length));
  let txFrames = 0;
  let listRequests = 0;
  let listItems = 0;
  const t0 = performance.now();
  const r = await runDlmsRead(
    {
      link: pair.host,
      settings: DEFAULT_SETTINGS,
      address: { clientSap: 32, serverLogical: 1, serverPhysical: 17 },
      auth: 'lls',
      password: '00000000',
      direct: true,
      directBaud: 9600,
      identify: false,
      plans,
    },
    {
      onTrace: (e) => {
        if (e.dir === 'tx') txFrames++;
        else if (e.dir === 'info') {
          const m = /^GET with-list (.*)$/.exec(e.summary);
          if (m) {
            listRequests++;
            listItems += m[1]!.split(', ').length;
          }
        }
      },
    },
  );
  const wallMs = performance.now() - t0;
  meter.stop();
  await pair.host.close();
  if (r.error) throw new Error(`dlms: ${r.error.code} ${r.error.detail ?? ''}`);
  const registers = r.run.readings.length;
  const rows = r.run.profile?.rows.length ?? 0;
  // One answer frame per frame sent (window 1); the reaction comes before each.
  const limitMs = wire(txBytes + rxBytes, 9600) + txFrames * 20;
  return {
    name,
    wallMs,
    limitMs,
    bytes: txBytes + rxBytes,
    roundTrips: txFrames,
    naiveRoundTrips: txFrames - listRequests + listItems,
    note: `${registers} readings, ${rows} profile rows; ${listRequests} GET-with-list carrying ${listItems} attributes`,
  };
}

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/**
 * DLMS monitoring: polls of the clock and the 12 monitored registers with the reading client
 * (LLS) over direct HDLC at 9600 baud against the paced simulator (reaction 20 ms). The first
 * poll associates; the association is kept, so each later poll is one GET-with-list (and its
 * HDLC segments). The row is the worst of the polls after the first; its limit is the wire time
 * of that poll's own bytes plus one reaction per frame sent (window 1). Goal: at most 1.3.
 */
async function dlmsMonitorPolls(name: string, polls: number): Promise<Row> {
  const pair = createVirtualPair();
  await pair.host.setLine({ baudRate: 9600, dataBits: 8, parity: 'none' });
  await pair.meter.setLine({ baudRate: 9600, dataBits: 8, parity: 'none' });
  const meter = startVirtualMeter(pair.meter, { pace: true, directHdlc: true, hdlcBaudRate: 9600, dlmsReactionMs: 20 });
  const poll = dlmsPoll(() => DEFAULT_SETTINGS, { plan: 'instantaneous', intervalS: 5, hdlcDirect: true, password: '00000000' });
  const signal = new AbortController().signal;
  const measured: { wallMs: number; limitMs: number; bytes: number; frames: number; associated: boolean }[] = [];
  // Bytes are counted on the link, both ways (the trace hides how long a password is).
  let bytes = 0;
  pair.meter.onData((b) => (bytes += b.length));
  pair.host.onData((b) => (bytes += b.length));
  for (let i = 0; i < polls; i++) {
    bytes = 0;
    let frames = 0;
    let associated = false;
    const t0 = performance.now();
    const r = await poll(pair.host, signal, {
      onTrace: (e) => {
        if (e.dir === 'tx') frames++;
        else if (e.dir === 'info' && /^AARQ/.test(e.summary)) associated = true;
      },
    });
    const wallMs = performance.now() - t0;
    if (r.error) throw new Error(`${name}: poll ${i + 1}: ${r.error.code} ${r.error.detail ?? ''}`);
    measured.push({ wallMs, limitMs: wire(bytes, 9600) + frames * 20, bytes, frames, associated });
  }
  await poll.close?.();
  meter.stop();
  await pair.host.close();
  const later = measured.slice(1);
  if (later.some((m) => m.associated)) throw new Error(`${name}: a poll after the first associated again`);
  const worst = later.reduce((a, b) => (b.wallMs / b.limitMs > a.wallMs / a.limitMs ? b : a));
  const first = measured[0]!;
  return {
    name,
    wallMs: worst.wallMs,
    limitMs: worst.limitMs,
    bytes: worst.bytes,
    roundTrips: worst.frames,
    note: `worst of polls 2..${polls}; mean ${fmt(later.reduce((s, m) => s + m.wallMs, 0) / later.length)}; the first poll (SNRM, AARQ, scaler_unit) took ${fmt(first.wallMs)} for ${first.bytes} bytes`,
  };
}

async function main(): Promise<void> {
  // BENCH_ONLY=iec,monitor,tcp,ser2net,dlms runs only those groups and prints their rows (docs/benchmarks.md untouched).
  const only = process.env.BENCH_ONLY?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const wants = (group: string) => !only || only.includes(group);
  const rows: Row[] = [];
  if (wants('iec')) {
    rows.push(await modeCReadout('mode C readout, E450 data set, 300 → 9600 baud', 2, 200, 9600));
    rows.push(await modeCReadout('mode C readout, 60 days of history, 300 → 9600 baud', 60, 200, 9600));
    rows.push(await modeCReadout('mode C readout, E450 data set, 300 baud throughout', 2, 200, 300));
  }
  if (wants('monitor'))
    rows.push(await dlmsMonitorPolls('DLMS monitor poll after the first, direct HDLC 9600, LLS: clock + 12 registers, association kept', 6));
  if (wants('tcp'))
    rows.push(
      await tcpReadout('mode C readout over raw TCP (simulator behind a loopback TCP server, the head follows the switch), 300 → 9600 baud', 200, 9600),
    );
  if (wants('ser2net')) rows.push(await ser2netReadout('mode C readout through ser2net raw (TCP, line 300 7E1, meter on a pty), 300 baud throughout', 200));
  if (only) {
    const table = rows.map(
      (r) => `| ${r.name} | ${fmt(r.wallMs)} | ${fmt(r.limitMs)} | ${(r.wallMs / r.limitMs).toFixed(3)} | ${r.bytes} | ${r.roundTrips} | ${r.note} |`,
    );
    process.stdout.write(`${table.join('\n')}\n`);
    if (!wants('dlms')) return;
  }
  const to = new Date();
  const from = new Date(to.getTime() - 30 * 86_400_000);
  const dlms = await dlmsRead('DLMS direct HDLC 9600, LLS: billing + instantaneous registers with scaler_unit', [
    { plan: 'billing' },
    { plan: 'instantaneous' },
  ]);
  rows.push(dlms);
  const profile = await dlmsRead('DLMS direct HDLC 9600, LLS: 30-day 15-minute load profile (range access)', [
    { plan: 'profile', from: from.toISOString(), to: to.toISOString() },
  ]);
  rows.push(profile);
  if (only) {
    process.stdout.write(
      `${[dlms, profile].map((r) => `| ${r.name} | ${fmt(r.wallMs)} | ${fmt(r.limitMs)} | ${(r.wallMs / r.limitMs).toFixed(3)} | ${r.bytes} | ${r.roundTrips} | ${r.note} |`).join('\n')}\n`,
    );
    return;
  }
  const lines = [
    '# Benchmarks',
    '',
    `Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.versions.node}, ${process.platform}).`,
    'The simulator paces its bytes at the line speed and reacts after its reaction time (200 ms);',
    'the limit is the wire time of every byte at its phase’s speed (10 bits per character) plus the',
    'reaction time before each answer, and for IEC 62056-21 the client’s own shortest reaction time',
    '(200 ms) before its option select. Ratio = wall time / limit (goal: at most 1.05).',
    '',
    '| exchange | wall time | physical limit | ratio | bytes on the wire | round trips | notes |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) => `| ${r.name} | ${fmt(r.wallMs)} | ${fmt(r.limitMs)} | ${(r.wallMs / r.limitMs).toFixed(3)} | ${r.bytes} | ${r.roundTrips} | ${r.note} |`,
    ),
    '',
    `DLMS registers: ${dlms.roundTrips} round trips (HDLC connect, association, GET-with-list, release) against ${dlms.naiveRoundTrips} for one GET per attribute: ${(dlms.naiveRoundTrips / dlms.roundTrips).toFixed(1)}× fewer. The profile's round trips are its blocks and segments (the simulator's 128-byte HDLC information field, as on many E450s), the same for any plan.`,
    'A ratio just under 1 is measurement noise: the limit assumes each answer waits the full 20 ms reaction after the last byte of the request.',
    'The raw TCP row (goal: at most 1.1) reads the same data set through a loopback TCP socket: the meter paces its bytes at its own line speed behind the socket, so the limit is the same wire time; what is above it is the socket and the event loop.',
    '',
    'Where the time goes: the client sees a message the moment it is complete (CR LF, or the one byte',
    'after ETX), holds the standard’s shortest reaction time (200 ms after the meter’s last byte) before',
    'its option select, and switches speed 300 ms after the option select starts (the configurable',
    'baud-switch delay), which is inside the 200 ms the option select takes on the wire plus the',
    'meter’s 200 ms reaction: the hold is the only wait the client adds, and the limit counts it.',
    '',
  ];
  const md = lines.join('\n');
  writeFileSync('docs/benchmarks.md', md);
  process.stdout.write(md);
  const worst = Math.max(...rows.map((r) => r.wallMs / r.limitMs));
  if (worst > 1.05) process.stdout.write(`\nNOTE: worst ratio ${worst.toFixed(3)} is above the 1.05 goal.\n`);
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
