/**
 * `omr read` over DLMS, in-process (runCli with a fake terminal), against the REAL simulator's
 * DLMS server on a TCP socket (test kit): HDLC over TCP (--hdlc-direct) and the IEC 62056-47
 * wrapper (--wrapper). The --json shape, exit codes, the typed error line, and the password kept
 * out of the trace file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/run';
import { hex } from '../../../electron/engine/dlms/bytes';
import { dlmsOnTcp, type DlmsServerKitOptions } from '../../kit/meters';
import { KEYS, PASSWORD } from '../../kit/dlms';
import { createDlmsMeterState } from '../../../electron/simulator/dlms/server';
import { generateEvents, POWER_QUALITY_EVENTS, STANDARD_EVENTS } from '../../../electron/simulator/dlms/event-patterns';

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c) => (out.stdout += c));
  stderr.on('data', (c) => (out.stderr += c));
  // Each read saves a session: into a folder of its own, never the user's data folder.
  return { io: { stdout, stderr, env: { OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-cli-data-')), ...env } }, out };
}

let meter: Awaited<ReturnType<typeof dlmsOnTcp>> | undefined;
afterEach(async () => {
  await meter?.stop();
  meter = undefined;
});

/** The simulator on 127.0.0.1: HDLC frames, or wrapper-framed APDUs. */
async function serve(framing: 'hdlc' | 'wrapper', o: DlmsServerKitOptions = {}) {
  meter = await dlmsOnTcp({ llsPassword: PASSWORD, framing, ...o });
  return { port: meter.port, meter };
}

/** Local midnight `days` ago, as the CLI takes it. */
function localDay(days: number): string {
  const d = new Date(Date.now() - days * 86_400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T00:00:00`;
}

describe('omr read over DLMS', () => {
  it('--hdlc-direct with LLS: billing + instantaneous as JSON {identity, readings, errors}; the password is not in the trace file', async () => {
    const { port, meter } = await serve('hdlc');
    const dir = mkdtempSync(join(tmpdir(), 'omr-cli-dlms-'));
    const { io: i, out } = io({ OMR_PASSWORD: PASSWORD });
    const data = meter.state.data;
    const t0 = Date.now();
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--json', '--trace', join(dir, 't.jsonl')], i);
    expect(code).toBe(0);
    // Warnings only (a missing optional object), no error line.
    expect(out.stderr).toContain('omr: warning: 1-0:73.7.0*255 is not in this meter');
    expect(out.stderr).not.toMatch(/^omr: [A-Z_]+: /m);
    const json = JSON.parse(out.stdout);
    expect(json.identity).toBeNull();
    expect(json.dlms).toMatchObject({ serialNumber: data.serial, logicalDeviceName: `LGZ${data.serial.padStart(13, '0')}` });
    expect(json.errors).toEqual([]);
    const current = json.readings.find((r: { obis: string }) => r.obis === '1-0:31.7.0*255');
    expect(Object.keys(current)).toEqual(['obis', 'value', 'unit', 'scaler', 'raw']);
    expect(current).toMatchObject({ unit: 'A', scaler: -2 });
    expect(Number(current.value)).toBeCloseTo(Number(current.raw) / 100, 6);
    const energy = json.readings.find((r: { obis: string }) => r.obis === '1-0:1.8.0*255');
    expect(energy).toMatchObject({ unit: 'Wh', scaler: 0 });
    expect(Number(energy.value)).toBeGreaterThanOrEqual(data.energy(t0).importWh);
    expect(Number(energy.value)).toBeLessThanOrEqual(data.energy(Date.now()).importWh);
    expect(json.profile).toBeUndefined();
    expect(meter.tap.aarqs().map((a) => [a.sap, a.mechanism])).toEqual([[32, 'lls']]);
    const trace = readFileSync(join(dir, 't.jsonl'), 'utf8');
    expect(trace).toContain('**');
    expect(trace).not.toContain(hex(new TextEncoder().encode(PASSWORD)));
    expect(trace).not.toContain(PASSWORD);
  });

  it('--obis, --profile with --from/--to and --events in one association', async () => {
    const state = createDlmsMeterState();
    const { port } = await serve('hdlc', { state });
    const { io: i, out } = io();
    // A past local day in which the meter's history holds events (most days have none).
    const held = (k: number) =>
      [STANDARD_EVENTS, POWER_QUALITY_EVENTS].flatMap((spec) => generateEvents(state.data, spec, Date.parse(localDay(k + 1)), Date.parse(localDay(k))));
    const day = [...Array(60).keys()].map((k) => k + 2).find((k) => held(k).length > 0)!;
    const from = localDay(day + 1);
    const to = localDay(day);
    const code = await runCli(
      [
        'read',
        '--tcp',
        `127.0.0.1:${port}`,
        '--hdlc-direct',
        '--password',
        PASSWORD,
        '--obis',
        '1-0:1.8.0,1-0:32.7.0',
        '--profile',
        '1-0:99.1.0',
        '--from',
        from,
        '--to',
        to,
        '--events',
        '--json',
      ],
      i,
    );
    expect(code).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.readings.map((r: { obis: string }) => r.obis)).toEqual([
      '0-0:42.0.0*255',
      '0-0:96.1.0*255',
      '1-0:0.2.0*255',
      '0-0:1.0.0*255',
      '1-0:1.8.0*255',
      '1-0:32.7.0*255',
    ]);
    expect(json.profile.columns.map((c: { obis: string; part?: string }) => c.part ?? c.obis)).toEqual([
      '0-0:1.0.0*255',
      'clockStatus',
      'deviation',
      '0-0:96.10.1*255',
      '1-0:1.8.0*255',
      '1-0:2.8.0*255',
    ]);
    expect(json.profile.rows).toHaveLength(97);
    const codes = (list: { code: number }[]) => list.map((e) => e.code).sort((a, b) => a - b);
    expect(codes(json.events)).toEqual(codes(held(day)));
  });

  it('--event-log reads the logs named (repeatable or comma separated), not the default pair; a bad OBIS is a usage error', async () => {
    const { port, meter } = await serve('hdlc');
    const { io: i, out } = io();
    const code = await runCli(
      [
        'read',
        '--tcp',
        `127.0.0.1:${port}`,
        '--hdlc-direct',
        '--password',
        PASSWORD,
        '--event-log',
        '0-0:99.98.4',
        '--from',
        localDay(300),
        '--to',
        localDay(0),
        '--json',
      ],
      i,
    );
    expect(code).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.events.length).toBeGreaterThan(0);
    expect(new Set(json.events.map((e: { log: string }) => e.log))).toEqual(new Set(['0-0:99.98.4*255']));
    expect(meter.events.some((e) => e.type === 'request' && e.detail.includes('0-0:99.98.0'))).toBe(false);
    const two = io();
    expect(
      await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--password', PASSWORD, '--event-log', '0-0:99.98.4,0-0:99.98.0', '--json'], two.io),
    ).toBe(0);
    expect(new Set(JSON.parse(two.out.stdout).events.map((e: { log: string }) => e.log))).toEqual(new Set(['0-0:99.98.4*255', '0-0:99.98.0*255']));
    const bad = io();
    expect(await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--event-log', 'log-one'], bad.io)).toBe(2);
    expect(bad.out.stderr).toMatch(/--event-log wants an OBIS code/);
  });

  it('the IEC 62056-47 wrapper over TCP', async () => {
    const { port, meter } = await serve('wrapper');
    const { io: i, out } = io();
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--wrapper', '--obis', '1-0:1.8.0', '--json'], i);
    const json = JSON.parse(out.stdout);
    expect(json.readings.find((r: { obis: string }) => r.obis === '0-0:96.1.0*255')?.value).toBe(meter.state.data.serial);
    // The public client's object list leaves energy out: not asked for, a partial read (exit 3)
    // that says what it could not read; what was read is printed.
    expect(meter.tap.aarqs().map((a) => a.sap)).toEqual([16]);
    expect(meter.events.some((e) => e.type === 'request' && e.detail.includes('1-0:1.8.0'))).toBe(false);
    expect(json.errors).toEqual([]);
    expect(json.status).toBe('partial');
    expect(json.warnings).toContain("not read, not in this client's object list: 1-0:1.8.0*255");
    expect(code).toBe(3);
  });

  it('the public client without its object list (refused): every object asked for, the refusals reported, exit 3', async () => {
    const { port, meter } = await serve('hdlc', { deny: ['0-0:40.0.0*255/2'] });
    const { io: i, out } = io();
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--obis', '1-0:1.8.0', '--json'], i);
    expect(code).toBe(3);
    const json = JSON.parse(out.stdout);
    expect(json.status).toBe('partial');
    expect(json.warnings[0]).toMatch(/^object list not read \(READ_DENIED\)/);
    expect(json.errors.map((e: { code: string }) => e.code)).toEqual(['READ_DENIED']);
    expect(json.warnings.at(-1)).toMatch(/^not read: 1-0:1\.8\.0\*255 attribute 2: .* \(READ_DENIED\)$/);
    expect(meter.events.some((e) => e.type === 'request' && e.detail.includes('1-0:1.8.0'))).toBe(true);
    expect(out.stderr).toMatch(/omr: partial read: \n {2}not read: 1-0:1\.8\.0\*255 attribute 2: .*\n {2}→ .+\n$/);
    expect(out.stderr).not.toMatch(/^omr: [A-Z_]+: /m);
  });

  it('a refused object: exit 3 (partial), listed on stderr and in the JSON warnings; a failed read: exit 1 with one typed error line', async () => {
    const { port } = await serve('hdlc', { deny: ['1-0:2.8.0*255/2'] });
    const { io: i, out } = io();
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--password', PASSWORD, '--json'], i);
    expect(code).toBe(3);
    const json = JSON.parse(out.stdout);
    expect(json.status).toBe('partial');
    expect(json.errors).toEqual([expect.objectContaining({ code: 'READ_DENIED' })]);
    expect(json.warnings).toContainEqual(expect.stringMatching(/^not read: 1-0:2\.8\.0\*255 attribute 2: .*\(READ_DENIED\)$/));
    expect(json.readings.length).toBeGreaterThan(20);
    expect(out.stderr).toMatch(/\nomr: partial read: \n {2}not read: 1-0:2\.8\.0\*255.*\n {2}→ .+\n$/);
    expect(out.stderr).not.toMatch(/^omr: [A-Z_]+: /m);

    const bad = io();
    expect(await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--password', 'wrong'], bad.io)).toBe(1);
    // One typed error line with its remedy, last (a line naming the session journal may come first).
    expect(bad.out.stderr).toMatch(/(^|\n)omr: AUTH_REJECTED: .*\n {2}→ .*Do not retry at once.*\n$/);
    expect(bad.out.stderr.split('\n').filter((l) => /^omr: [A-Z_]+: /.test(l))).toHaveLength(1);
    expect(bad.out.stdout).toMatch(/^0 readings\n$/);
  });

  it('HLS-GMAC from a key file: the counter is read with the public client, kept in OMR_DATA_DIR', async () => {
    const { port, meter } = await serve('hdlc');
    const dir = mkdtempSync(join(tmpdir(), 'omr-cli-hls-'));
    const keyFile = join(dir, 'keys.txt');
    writeFileSync(
      keyFile,
      `authentication_key=${hex(KEYS.authenticationKey)}\nencryption_key=${hex(KEYS.encryptionKey)}\nsystem_title=${hex(KEYS.systemTitle)}\n`,
    );
    const { io: i, out } = io({ OMR_DATA_DIR: dir });
    const code = await runCli(['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--key-file', keyFile, '--obis', '1-0:1.8.0', '--json'], i);
    expect(out.stderr).toContain('invocation counter read with the public client');
    expect(code).toBe(0);
    expect(Number(JSON.parse(out.stdout).readings.find((r: { obis: string }) => r.obis === '1-0:1.8.0*255')?.value)).toBeGreaterThan(0);
    expect(meter.tap.aarqs().map((a) => [a.sap, a.mechanism])).toEqual([
      [16, 'none'],
      [1, 'hls-gmac'],
    ]);
    // Kept for this meter (by its serial number), whatever else the store keys it by.
    expect(readFileSync(join(dir, 'dlms-counters.json'), 'utf8')).toContain(meter.state.data.serial);
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
