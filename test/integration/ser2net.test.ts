/**
 * Network heads for real: Debian's ser2net in front of one end of a socat pty pair, the virtual
 * E450 on the other. RFC 2217 (the speed switched remotely, mode C and mode E → HDLC → DLMS),
 * raw TCP (one sign-on per read, at the speed the line has) and a ser2net set to 7E1 that hands
 * 7-bit bytes over TCP (no parity alarm). ser2net and socat are stopped by pid after each test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';
import { probeLink } from '../../electron/features/doctor/service';
import { Targets } from '../../electron/features/ports/targets';
import { createPtyPair, type PtyPair } from '../../electron/link/pty';
import { SerialLink } from '../../electron/link/serial';
import type { Link } from '../../electron/link/types';
import { startVirtualMeter, type VirtualMeterEvent } from '../../electron/simulator/virtual-meter';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import type { AlignUpdate } from '../../shared/session';
import { SER2NET, SevenBitUart, startSer2net, type Ser2net } from '../support/ser2net';
import { testServices } from '../support/services';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface Bench {
  pair: PtyPair;
  ser2net: Ser2net;
  events: VirtualMeterEvent[];
}

async function setup(accepter: 'rfc2217' | 'raw', opts: { sevenBit?: boolean } = {}): Promise<Bench> {
  const pair = await createPtyPair();
  cleanups.push(() => pair.close());
  const meterLink = await SerialLink.open(pair.meterPath);
  cleanups.push(() => meterLink.close());
  const link: Link = opts.sevenBit ? await SevenBitUart.over(meterLink) : meterLink;
  const meter = startVirtualMeter(link, { pace: false });
  cleanups.push(async () => meter.stop());
  const events: VirtualMeterEvent[] = [];
  meter.on((e) => events.push(e));
  const ser2net = await startSer2net(pair.hostPath, accepter);
  cleanups.push(() => ser2net.stop());
  return { pair, ser2net, events };
}

function cliIo() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c) => (out.stdout += c));
  stderr.on('data', (c) => (out.stderr += c));
  // omr read saves a session: into a temporary data folder, never the user's.
  return { io: { stdout, stderr, env: { OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-cli-data-')) } }, out };
}

/** The speeds ser2net sets on its end of the pty, sampled with stty while `during` runs. */
async function speedsWhile<T>(device: string, during: Promise<T>): Promise<{ value: T; speeds: Set<number> }> {
  const speeds = new Set<number>();
  let done = false;
  const sample = async () => {
    // Bounded by the read it watches: stops when `during` settles.
    while (!done) {
      const s = await new Promise<string>((resolve) => execFile('stty', ['-F', device, 'speed'], (err, out) => resolve(err ? '' : out.trim())));
      if (/^\d+$/.test(s)) speeds.add(Number(s));
      await new Promise((r) => setTimeout(r, 40));
    }
  };
  const sampler = sample();
  try {
    return { value: await during, speeds };
  } finally {
    done = true;
    await sampler;
  }
}

const requests = (events: VirtualMeterEvent[]) => events.filter((e) => e.type === 'iec' && e.event.type === 'request').length;

describe.skipIf(!existsSync(SER2NET))('ser2net in front of the virtual E450', () => {
  it('RFC 2217: omr read --port rfc2217:// reads a mode C readout with the speed switched remotely', async () => {
    const b = await setup('rfc2217');
    const { io, out } = cliIo();
    const { value: code, speeds } = await speedsWhile(b.pair.hostPath, runCli(['read', '--port', `rfc2217://127.0.0.1:${b.ser2net.port}`, '--json'], io));
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(out.stdout) as { identity: { raw: string }; readings: { obis: string; value: string; verified?: boolean }[] };
    expect(json.identity.raw).toMatch(/^\/LGZ5/);
    expect(json.readings.length).toBeGreaterThan(20);
    expect(json.readings.every((r) => r.verified === undefined)).toBe(true);
    // The meter switched to 9600 for the readout, and ser2net's device was set to 9600 by the client.
    const readout = b.events.find((e) => e.type === 'iec' && e.event.type === 'readout');
    expect(readout).toMatchObject({ event: { baudRate: 9600 } });
    expect(speeds.has(9600)).toBe(true);
    expect(requests(b.events)).toBe(1);
  }, 30_000);

  it('RFC 2217: mode E → HDLC → DLMS through the same channel (0xFF escaped both ways)', async () => {
    const b = await setup('rfc2217');
    const { io, out } = cliIo();
    const code = await runCli(
      ['read', '--port', `rfc2217://127.0.0.1:${b.ser2net.port}`, '--protocol', 'dlms', '--password', '00000000', '--obis', '1-0:1.8.0,0-0:96.1.0', '--json'],
      io,
    );
    expect(out.stderr.replace(/^omr: warning.*\n/gm, '')).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(out.stdout) as { readings: { obis: string; value: string }[] };
    const byObis = new Map(json.readings.map((r) => [r.obis, r.value]));
    expect(byObis.get('1-0:1.8.0*255')).toMatch(/^\d+(\.\d+)?$/);
    expect(b.events.some((e) => e.type === 'mode' && e.mode === 'dlms')).toBe(true);
  }, 30_000);

  it('raw TCP: one sign-on per read, the option select proposes the speed the line has', async () => {
    const b = await setup('raw');
    const { io, out } = cliIo();
    const started = Date.now();
    const code = await runCli(['read', '--tcp', `127.0.0.1:${b.ser2net.port}`, '--json'], io);
    const ms = Date.now() - started;
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout).readings.length).toBeGreaterThan(20);
    expect(requests(b.events)).toBe(1);
    expect(b.events.find((e) => e.type === 'iec' && e.event.type === 'readout')).toMatchObject({ event: { baudRate: 300 } });
    // No fallback after a failed switch (that took ~3.4 s more).
    expect(ms).toBeLessThan(3000);
  }, 30_000);

  it('raw TCP to a ser2net set to 7E1 (7-bit bytes): no parity alarm from the doctor nor the alignment', async () => {
    const b = await setup('raw', { sevenBit: true });
    const targets = new Targets();
    const opened = await targets.open(`tcp://127.0.0.1:${b.ser2net.port}`);
    let probe;
    try {
      probe = await probeLink(opened, DEFAULT_SETTINGS);
      expect(opened.link.parityCheck).toBe('stripped');
    } finally {
      await opened.close();
    }
    expect(probe.identity?.raw).toMatch(/^\/LGZ5/);
    expect(probe.parityErrors).toBe(0);
    expect(probe.garbage).toBe(false);
    expect(probe.shortReadOk).toBe(true);

    const s = testServices({ alignGapMs: 20 });
    const updates: AlignUpdate[] = [];
    s.events.subscribe((channel, payload) => {
      if (channel === 'align:update') updates.push(payload as AlignUpdate);
    });
    const env = await s.dispatcher.dispatch('align:start', { target: `tcp://127.0.0.1:${b.ser2net.port}`, steadyAfter: 3 }, { client: 'test' });
    expect(env.ok).toBe(true);
    const deadline = Date.now() + 20_000;
    while (!updates.some((u) => !u.running) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const last = updates.at(-1)!;
    expect(last.state).toBe('steady');
    expect(last.parityErrors).toBe(0);
    expect(updates.every((u) => !u.noise)).toBe(true);
  }, 40_000);
});
