/**
 * Replay: a read of the demo meter is recorded with `omr read --trace`, played back by
 * `omr simulate --replay TRACE --tcp`, and read again with the same options: the same readings
 * and profile rows come back. A reader that asks what the recording does not hold gets the
 * divergence reported, with both sides. Everything runs in-process through the real CLI.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { omr, simulateOnTcp as simulate, stopSimulators } from '../kit/cli';

afterEach(stopSimulators);

async function read(args: string[]) {
  const r = await omr(['read', ...args, '--json']);
  return { code: r.code, json: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

const strip = (readings: { obis: string; value: string; unit: string }[]) => readings.map((r) => ({ obis: r.obis, value: r.value, unit: r.unit }));

describe('omr simulate --replay', () => {
  it('replays a recorded data readout: the second read gets the same readings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-replay-'));
    const trace = join(dir, 'readout.jsonl');
    const live = await simulate([]);
    const first = await read(['--tcp', `127.0.0.1:${live.port}`, '--trace', trace]);
    expect(first.code).toBe(0);
    const replay = await simulate(['--replay', trace]);
    const second = await read(['--tcp', `127.0.0.1:${replay.port}`]);
    expect(second.code).toBe(0);
    expect(strip(second.json.readings)).toEqual(strip(first.json.readings));
    expect(first.json.readings.length).toBeGreaterThan(10);
    expect(replay.out.stderr).toMatch(/all \d+ recorded requests answered/);
  });

  it('replays a DLMS read with LLS (password redacted in the trace) and a load profile: same readings, same rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-replay-'));
    const trace = join(dir, 'dlms.jsonl');
    const opts = [
      '--hdlc-direct',
      '--auth',
      'lls',
      '--password',
      '00000000',
      '--profile',
      '1-0:99.1.0',
      '--from',
      '2026-11-01T00:00:00Z',
      '--to',
      '2026-11-01T06:00:00Z',
    ];
    const live = await simulate(['--hdlc']);
    const first = await read(['--tcp', `127.0.0.1:${live.port}`, ...opts, '--trace', trace]);
    expect(first.code).toBe(0);
    expect(first.json.profile.rows.length).toBeGreaterThan(0);
    const replay = await simulate(['--replay', trace]);
    const second = await read(['--tcp', `127.0.0.1:${replay.port}`, ...opts]);
    expect(second.code).toBe(0);
    expect(strip(second.json.readings)).toEqual(strip(first.json.readings));
    expect(second.json.profile.rows).toEqual(first.json.profile.rows);
    expect(replay.out.stderr).toMatch(/all \d+ recorded requests answered/);
  });

  it('reports where a reader diverges from the recording, with what was expected and what came', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-replay-'));
    const trace = join(dir, 'dlms.jsonl');
    const live = await simulate(['--hdlc']);
    expect((await read(['--tcp', `127.0.0.1:${live.port}`, '--hdlc-direct', '--auth', 'lls', '--password', '00000000', '--trace', trace])).code).toBe(0);
    const replay = await simulate(['--replay', trace]);
    // Asking for a load profile that was not read in the recording: the association replays,
    // the profile's GET is not in the recording.
    const other = await read([
      '--tcp',
      `127.0.0.1:${replay.port}`,
      '--hdlc-direct',
      '--auth',
      'lls',
      '--password',
      '00000000',
      '--profile',
      '1-0:99.1.0',
      '--from',
      '2026-11-01T00:00:00Z',
      '--to',
      '2026-11-01T06:00:00Z',
    ]);
    expect(other.code).toBe(1);
    const m = /diverged from the recording at step (\d+) of \d+\n {2}expected: ([^\n]*)\n {2}received: (7e[0-9a-f]+)/.exec(replay.out.stderr);
    expect(m, replay.out.stderr).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(2);
    expect(m![3]).toContain('0100630100ff'); // the profile's logical name 1-0:99.1.0*255 in the request
  });
});
