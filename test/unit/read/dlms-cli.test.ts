/**
 * `omr read` over DLMS, in-process (runCli with a fake terminal), against the scripted E450 on a
 * TCP socket: HDLC over TCP (--hdlc-direct) and the IEC 62056-47 wrapper (--wrapper). The --json
 * shape, exit codes, the typed error line, and the password kept out of the trace file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/run';
import { concat, hex } from '../../../electron/engine/dlms/bytes';
import { encodeWrapper } from '../../../electron/engine/dlms/transport';
import { FakeE450, KEYS, type FixtureOptions } from './dlms-fixture';

const PASSWORD = 'Secr3t!LLS';

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c) => (out.stdout += c));
  stderr.on('data', (c) => (out.stderr += c));
  return { io: { stdout, stderr, env }, out };
}

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** The fixture on 127.0.0.1: HDLC frames, or wrapper-framed APDUs. */
async function serve(framing: 'hdlc' | 'wrapper', o: FixtureOptions = {}): Promise<{ port: number; meter: FakeE450 }> {
  const meter = new FakeE450(o);
  server = createServer((sock) => {
    sockets.add(sock);
    let buf: Uint8Array = new Uint8Array(0);
    sock.on('data', (chunk) => {
      if (framing === 'hdlc') {
        for (const a of meter.feed(new Uint8Array(chunk))) sock.write(a);
        return;
      }
      buf = concat(buf, new Uint8Array(chunk));
      while (buf.length >= 8) {
        const len = (buf[6]! << 8) | buf[7]!;
        if (buf.length < 8 + len) break;
        const src = (buf[2]! << 8) | buf[3]!;
        const dst = (buf[4]! << 8) | buf[5]!;
        const apdu = buf.slice(8, 8 + len);
        buf = buf.slice(8 + len);
        const answer = meter.handle(src, apdu);
        if (answer) sock.write(encodeWrapper(dst, src, answer));
      }
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { port: (server!.address() as { port: number }).port, meter };
}

describe('omr read over DLMS', () => {
  it('--hdlc-direct with LLS: billing + instantaneous as JSON {identity, readings, errors}; the password is not in the trace file', async () => {
    const { port, meter } = await serve('hdlc');
    const dir = mkdtempSync(join(tmpdir(), 'omr-cli-dlms-'));
    const { io: i, out } = io({ OMR_PASSWORD: PASSWORD });
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--json', '--trace', join(dir, 't.jsonl')], i);
    expect(code).toBe(0);
    // Warnings only (a missing optional object), no error line.
    expect(out.stderr).toContain('omr: warning: 1-0:73.7.0*255 is not in this meter');
    expect(out.stderr).not.toMatch(/^omr: [A-Z_]+: /m);
    const json = JSON.parse(out.stdout);
    expect(json.identity).toBeNull();
    expect(json.dlms).toMatchObject({ serialNumber: '12345678', logicalDeviceName: 'LGZ1030012345678' });
    expect(json.errors).toEqual([]);
    expect(json.readings.find((r: { obis: string }) => r.obis === '1-0:31.7.0*255')).toEqual({ obis: '1-0:31.7.0*255', value: '12.34', unit: 'A', scaler: -2, raw: '1234' });
    expect(json.readings.find((r: { obis: string }) => r.obis === '1-0:1.8.0*255')).toMatchObject({ value: '7136726', unit: 'Wh', scaler: 0 });
    expect(json.profile).toBeUndefined();
    expect(meter.aarqs.map((a) => [a.sap, a.mechanism])).toEqual([[32, 'lls']]);
    const trace = readFileSync(join(dir, 't.jsonl'), 'utf8');
    expect(trace).toContain('**');
    expect(trace).not.toContain(hex(new TextEncoder().encode(PASSWORD)));
    expect(trace).not.toContain(PASSWORD);
  });

  it('--obis, --profile with --from/--to and --events in one association', async () => {
    const { port } = await serve('hdlc');
    const { io: i, out } = io();
    const from = '2024-05-03T00:00:00';
    const to = '2024-05-04T00:00:00';
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--password', PASSWORD, '--obis', '1-0:1.8.0,1-0:32.7.0', '--profile', '1-0:99.1.0', '--from', from, '--to', to, '--events', '--json'], i);
    expect(code).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.readings.map((r: { obis: string }) => r.obis)).toEqual(['0-0:42.0.0*255', '0-0:96.1.0*255', '1-0:0.2.0*255', '0-0:1.0.0*255', '1-0:1.8.0*255', '1-0:32.7.0*255']);
    expect(json.profile.columns.map((c: { obis: string }) => c.obis)).toEqual(['0-0:1.0.0*255', '0-0:96.10.1*255', '1-0:1.8.0*255', '1-0:2.8.0*255']);
    expect(json.profile.rows).toHaveLength(97);
    expect(json.events).toHaveLength(9);
  });

  it('the IEC 62056-47 wrapper over TCP', async () => {
    const { port, meter } = await serve('wrapper');
    const { io: i, out } = io();
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--wrapper', '--obis', '1-0:1.8.0', '--json'], i);
    const json = JSON.parse(out.stdout);
    expect(json.readings.find((r: { obis: string }) => r.obis === '0-0:96.1.0*255')?.value).toBe('12345678');
    // The public client may not read energy: READ_DENIED, exit 1, what was read printed.
    expect(meter.aarqs.map((a) => a.sap)).toEqual([16]);
    expect(json.errors.map((e: { code: string }) => e.code)).toEqual(['READ_DENIED']);
    expect(code).toBe(1);
  });

  it('exit 1 with one typed error line and remedy; what was read is still printed', async () => {
    const { port } = await serve('hdlc', { denied: ['1-0:2.8.0*255/2'] });
    const { io: i, out } = io();
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--password', PASSWORD, '--json'], i);
    expect(code).toBe(1);
    const json = JSON.parse(out.stdout);
    expect(json.errors).toEqual([expect.objectContaining({ code: 'READ_DENIED' })]);
    expect(json.readings.length).toBeGreaterThan(20);
    expect(out.stderr).toMatch(/\nomr: READ_DENIED: .*\n {2}→ .+\n$/);
    expect(out.stderr.split('\n').filter((l) => /^omr: [A-Z_]+: /.test(l))).toHaveLength(1);

    const bad = io();
    expect(await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--password', 'wrong'], bad.io)).toBe(1);
    expect(bad.out.stderr).toMatch(/^omr: AUTH_REJECTED: .*\n {2}→ .*Do not retry at once.*\n$/);
    expect(bad.out.stdout).toMatch(/^0 readings\n$/);
  });

  it('HLS-GMAC from a key file: the counter is read with the public client, kept in OMR_DATA_DIR', async () => {
    const { port, meter } = await serve('hdlc');
    const dir = mkdtempSync(join(tmpdir(), 'omr-cli-hls-'));
    const keyFile = join(dir, 'keys.txt');
    writeFileSync(keyFile, `authentication_key=${hex(KEYS.authenticationKey)}\nencryption_key=${hex(KEYS.encryptionKey)}\nsystem_title=${hex(KEYS.systemTitle)}\n`);
    const { io: i, out } = io({ OMR_DATA_DIR: dir });
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--key-file', keyFile, '--obis', '1-0:1.8.0', '--json'], i);
    expect(out.stderr).toContain('invocation counter read with the public client');
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout).readings.find((r: { obis: string }) => r.obis === '1-0:1.8.0*255')?.value).toBe('7136726');
    expect(meter.aarqs.map((a) => [a.sap, a.mechanism])).toEqual([
      [16, 'none'],
      [1, 'hls-gmac'],
    ]);
    const stored = JSON.parse(readFileSync(join(dir, 'dlms-counters.json'), 'utf8'));
    expect(stored['12345678'].next).toBeGreaterThan(42);
    expect(readFileSync(join(dir, 'dlms-counters.json'), 'utf8')).not.toContain(hex(KEYS.encryptionKey));
  });

  it('usage errors for the DLMS flags (exit 2)', async () => {
    for (const args of [
      ['read', '--simulator', '--protocol', 'readout', '--events'],
      ['read', '--simulator', '--auth', 'lls'],
      ['read', '--simulator', '--auth', 'magic'],
      ['read', '--simulator', '--wrapper'],
      ['read', '--simulator', '--client-sap', '300'],
      ['read', '--simulator', '--profile', '1-0:99.1.0', '--from', 'yesterday'],
    ]) {
      const { io: i, out } = io();
      expect(await runCli(args, i), args.join(' ')).toBe(2);
      expect(out.stderr).toMatch(/Usage: omr read/);
    }
  });
});
