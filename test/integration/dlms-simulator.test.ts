/**
 * DLMS against the virtual E450's own DLMS server (electron/simulator/dlms): the IEC 62056-21
 * handshake with the mode E option select, the switch to HDLC 8N1, LLS association, billing +
 * instantaneous + a 60-day load profile, release; on the virtual link, through the real
 * serialport binding on a socat pty pair, and with `omr read --json` run in-process.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';
import { runDlmsRead, type DlmsReadResult } from '../../electron/features/read/dlms-read';
import { InvocationCounterStore } from '../../electron/features/read/dlms-session';
import { Targets } from '../../electron/features/ports/targets';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import type { TraceEntry } from '../../shared/types';
import { startPtyMeter, type PtyMeter } from '../kit/pty-meter';

const PASSWORD = '00000000';
const DAY = 86_400_000;

let pty: PtyMeter | undefined;
afterEach(async () => {
  await pty?.stop();
  pty = undefined;
});

function checkRead(r: DlmsReadResult, days: number) {
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
  expect(r.released).toBe(true);
  expect(r.identity).toMatchObject({ manufacturer: 'LGZ', modeE: true });
  expect(r.baudRate).toBe(9600);
  const by = new Map(r.run.readings.map((x) => [x.obis, x]));
  expect(by.get('1-0:1.8.0*255')).toMatchObject({ unit: 'Wh', source: 'dlms', value: expect.stringMatching(/^\d+(\.\d+)?$/) });
  expect(by.get('1-0:32.7.0*255')?.unit).toBe('V');
  const current = by.get('1-0:31.7.0*255');
  expect(current?.unit).toBe('A');
  // Scaler applied exactly: value = raw × 10^scaler, as decimal text.
  if (current?.scaler !== undefined && current.raw !== undefined) expect(Number(current.value)).toBeCloseTo(Number(current.raw) * 10 ** current.scaler, 9);
  expect(r.run.identity?.serialNumber).toMatch(/^\d+$/);
  const p = r.run.profile!;
  expect(p.columns[0]!.obis).toBe('0-0:1.0.0*255');
  expect(p.capturePeriodS).toBeGreaterThan(0);
  expect(p.rows.length).toBeGreaterThanOrEqual(Math.floor((days * 86_400) / p.capturePeriodS!) - 1);
  expect(p.rows.length).toBeLessThanOrEqual(Math.ceil((days * 86_400) / p.capturePeriodS!) + 1);
}

async function readOn(target: string, targets: Targets, days: number, trace: TraceEntry[] = []) {
  const opened = await targets.open(target);
  try {
    const to = new Date(Math.floor(Date.now() / DAY) * DAY).toISOString();
    const from = new Date(Date.parse(to) - days * DAY).toISOString();
    return await runDlmsRead(
      {
        link: opened.link,
        settings: DEFAULT_SETTINGS,
        address: { clientSap: 32, serverLogical: 1, serverPhysical: 17 },
        auth: 'lls',
        password: PASSWORD,
        plans: [{ plan: 'billing' }, { plan: 'instantaneous' }, { plan: 'profile', from, to }],
      },
      { onTrace: (t) => trace.push(t) },
    );
  } finally {
    await opened.close();
  }
}

describe('DLMS against the simulator', () => {
  it('mode E on the virtual link: LLS, billing + instantaneous + a 60-day profile; the password stays out of the trace', async () => {
    const trace: TraceEntry[] = [];
    const r = await readOn('virtual:e450', new Targets({ virtualMeter: { pace: false } }), 60, trace);
    checkRead(r, 60);
    const pwHex = Buffer.from(PASSWORD).toString('hex');
    expect(trace.some((t) => t.dir === 'tx' && t.hex.includes('**'))).toBe(true);
    // No frame of ours carries the password in clear (the AARQ's value is redacted).
    for (const t of trace.filter((x) => x.dir === 'tx')) expect(t.hex.includes(`8008${pwHex}`)).toBe(false);
  }, 120_000);

  it('mode E through the real serialport binding on a socat pty pair', async () => {
    pty = await startPtyMeter();
    const r = await readOn(pty.hostPath, new Targets(), 60);
    checkRead(r, 60);
  }, 120_000);

  it('HLS-GMAC: the invocation counter read with the public client, mode E again, then the management client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-hls-'));
    const targets = new Targets({ virtualMeter: { pace: false } });
    const opened = await targets.open('virtual:e450');
    try {
      const r = await runDlmsRead({
        link: opened.link,
        settings: DEFAULT_SETTINGS,
        address: { clientSap: 1, serverLogical: 1, serverPhysical: 17 },
        auth: 'hls-gmac',
        keys: {
          systemTitle: Buffer.from('4f4d520000000001', 'hex'),
          encryptionKey: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'),
          authenticationKey: Buffer.from('d0d1d2d3d4d5d6d7d8d9dadbdcdddedf', 'hex'),
        },
        counters: new InvocationCounterStore(join(dir, 'c.json')),
        plans: [{ plan: 'billing', obis: ['1-0:1.8.0'] }],
      });
      expect(r.error, JSON.stringify(r.error)).toBeUndefined();
      expect(r.run.readings.find((x) => x.obis === '1-0:1.8.0*255')?.unit).toBe('Wh');
      expect(Object.keys(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'))).length).toBeGreaterThan(0);
    } finally {
      await opened.close();
    }
  });

  it('omr read --protocol dlms --json: {identity, readings:[{obis, value, unit, scaler}], profile:{columns, rows}, errors}', async () => {
    const out = { stdout: '', stderr: '' };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (c) => (out.stdout += c));
    stderr.on('data', (c) => (out.stderr += c));
    const to = new Date(Math.floor(Date.now() / DAY) * DAY);
    const from = new Date(to.getTime() - 2 * DAY);
    const code = await runCli(
      [
        'read',
        '--simulator',
        '--no-pace',
        '--protocol',
        'dlms',
        '--password',
        PASSWORD,
        '--obis',
        '1-0:1.8.0,1-0:31.7.0',
        '--profile',
        '1-0:99.1.0',
        '--from',
        from.toISOString(),
        '--to',
        to.toISOString(),
        '--json',
      ],
      { stdout, stderr, env: { OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-cli-data-')) } },
    );
    const json = JSON.parse(out.stdout);
    expect(json.errors).toEqual([]);
    expect(code).toBe(0);
    expect(json.identity).toMatchObject({ manufacturer: 'LGZ', modeE: true });
    expect(json.readings.find((r: { obis: string }) => r.obis === '1-0:1.8.0*255')).toMatchObject({
      unit: 'Wh',
      scaler: expect.any(Number),
      value: expect.any(String),
    });
    expect(json.profile.columns[0].obis).toBe('0-0:1.0.0*255');
    expect(json.profile.rows.length).toBeGreaterThan(100);
  });
});
