/**
 * `omr` in-process (runCli with a fake terminal): usage errors, read against the simulator and
 * through a pty made by `omr simulate --pty`, --json shape, --trace, --csv, exit codes, Ctrl-C.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';

function io(signal?: AbortSignal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c) => (out.stdout += c));
  stderr.on('data', (c) => (out.stderr += c));
  // omr read saves a session: into a temporary data folder, never the user's.
  return { io: { stdout, stderr, env: { OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-cli-data-')) }, ...(signal ? { signal } : {}) }, out };
}

describe('omr command line', () => {
  it('prints usage for bad arguments (exit 2), never a stack trace', async () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['read'],
      ['read', '--simulator', '--port', '/dev/x'],
      ['read', '--simulator', '--max-baud', 'fast'],
      ['read', '--tcp', 'nohostport'],
      ['read', '--simulator', '--fault', 'gremlins'],
      ['read', '--bogus'],
    ]) {
      const { io: i, out } = io();
      const code = await runCli(args, i);
      expect(code, args.join(' ')).toBe(2);
      expect(out.stderr + out.stdout).toMatch(/Usage: omr/);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('reads the simulator and prints {identity, readings, errors} as JSON, with a trace file and CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-cli-'));
    const { io: i, out } = io();
    const code = await runCli(['read', '--simulator', '--no-pace', '--json', '--trace', join(dir, 't.jsonl'), '--csv', join(dir, 'r.csv')], i);
    expect(code).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.identity).toEqual({ manufacturer: 'LGZ', baudChar: '5', ident: 'ZMF100AC.d2', modeE: true, raw: '/LGZ5\\2ZMF100AC.d2' });
    expect(json.errors).toEqual([]);
    expect(json.readings.find((r: { obis: string }) => r.obis === '1-0:1.8.0*255')).toMatchObject({
      address: '1.8.0',
      unit: 'kWh',
      value: expect.stringMatching(/^\d{6}\.\d{3}$/),
    });
    const trace = readFileSync(join(dir, 't.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(trace[0]).toMatchObject({ dir: 'tx', hex: '2f3f210d0a', summary: '/?!' });
    expect(trace.some((t: { dir: string }) => t.dir === 'rx')).toBe(true);
    const csv = readFileSync(join(dir, 'r.csv'), 'utf8');
    // The app's readings export header, column for column.
    expect(csv.split('\r\n')[0]).toBe('\ufeffOBIS,Name,Meter address,Value,Unit,Scaler,Meter time,PC time,Source,Other values,Verified');
    expect(csv.split('\r\n').length).toBe(json.readings.length + 2);
  });

  it('DLMS with the public client (the default): identification read, billing and instantaneous not in its object list: exit 3, listed', async () => {
    const { io: i, out } = io();
    const code = await runCli(['read', '--simulator', '--no-pace', '--protocol', 'dlms', '--json'], i);
    expect(code).toBe(3);
    const json = JSON.parse(out.stdout);
    expect(json.status).toBe('partial');
    // What an E450's public client may read: logical device name, serial, firmware, clock.
    expect(json.readings.map((r: { obis: string }) => r.obis)).toEqual(['0-0:42.0.0*255', '0-0:96.1.0*255', '1-0:0.2.0*255', '0-0:1.0.0*255']);
    expect(json.dlms).toMatchObject({ serialNumber: '62707394' });
    // Nothing the object list hides was asked for, so nothing was refused.
    expect(json.errors).toEqual([]);
    expect(json.warnings.at(-1)).toMatch(/^not read, not in this client's object list: 1-0:1\.8\.0\*255, .*1-0:32\.7\.0\*255/);
    expect(out.stderr).toMatch(/omr: partial read: \n {2}not read, not in this client's object list: 1-0:1\.8\.0\*255.*\n {2}→ .*--password.*\n$/);
    // With the reading client the same read is complete.
    const reader = io();
    expect(await runCli(['read', '--simulator', '--no-pace', '--protocol', 'dlms', '--password', '00000000', '--json'], reader.io)).toBe(0);
    const full = JSON.parse(reader.out.stdout);
    expect(full.status).toBe('complete');
    expect(full.readings.some((r: { obis: string }) => r.obis === '1-0:1.8.0*255')).toBe(true);
  });

  it('exits 1 with one typed error line and its remedy, and still prints what it had', async () => {
    const { io: i, out } = io();
    const code = await runCli(['read', '--simulator', '--no-pace', '--fault', 'flip', '--json'], i);
    expect(code).toBe(1);
    const json = JSON.parse(out.stdout);
    expect(json.errors[0].code).toBe('BCC_MISMATCH');
    expect(json.identity.manufacturer).toBe('LGZ');
    expect(json.readings.length).toBeGreaterThan(0);
    expect(out.stderr).toMatch(/^omr: BCC_MISMATCH: .*\n {2}→ .+\n$/);
  });

  it('logs into programming mode with the password and reads the billing registers by R1; a wrong password is refused once', async () => {
    const ok = io();
    expect(await runCli(['read', '--simulator', '--no-pace', '--protocol', 'readout', '--password', '00000000', '--json'], ok.io)).toBe(0);
    const json = JSON.parse(ok.out.stdout);
    expect(json.readings.map((r: { address: string }) => r.address)).toEqual([
      '1.8.0',
      '1.8.1',
      '1.8.2',
      '2.8.0',
      '2.8.1',
      '2.8.2',
      '0.9.1',
      '0.9.2',
      'C.1.0',
      'F.F',
    ]);
    expect(json.readings[0]).toMatchObject({ obis: '1-0:1.8.0*255', unit: 'kWh' });
    const bad = io();
    expect(
      await runCli(['read', '--simulator', '--no-pace', '--protocol', 'readout', '--password', '12345678', '--json', '--trace', '/dev/null'], bad.io),
    ).toBe(1);
    expect(JSON.parse(bad.out.stdout).errors[0].code).toBe('AUTH_REJECTED');
    expect(bad.out.stdout + bad.out.stderr).not.toContain('12345678');
  });

  it('reads `omr simulate --pty` through the real serialport binding, and Ctrl-C stops both cleanly', async () => {
    const stopSim = new AbortController();
    const sim = io(stopSim.signal);
    const simDone = runCli(['simulate', '--pty', '--pace'], sim.io);
    await expect.poll(() => sim.out.stdout, { timeout: 10_000 }).toMatch(/read it on (\S+)/);
    const path = /read it on (\S+)/.exec(sim.out.stdout)![1]!;

    const { io: i, out } = io();
    expect(await runCli(['read', '--port', path], i)).toBe(0);
    expect(out.stdout).toMatch(/^Meter: \/LGZ5\\2ZMF100AC\.d2/);
    expect(out.stdout).toMatch(/1-0:32\.7\.0\*255\s+32\.7\.0\s+\d+\.\d V\s+Voltage L1/);

    // Ctrl-C in the middle of a read at 300 baud: the partial read is printed, exit 1 (CANCELLED).
    const ctrlC = new AbortController();
    const slow = io(ctrlC.signal);
    const reading = runCli(['read', '--port', path, '--max-baud', '300', '--json'], slow.io);
    setTimeout(() => ctrlC.abort(), 1500);
    expect(await reading).toBe(1);
    expect(JSON.parse(slow.out.stdout).errors[0].code).toBe('CANCELLED');

    stopSim.abort();
    expect(await simDone).toBe(0);
  });
});
