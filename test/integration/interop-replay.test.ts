/**
 * Replay of an exchange recorded with an independent DLMS/COSEM implementation (provenance in
 * test/fixtures/interop/README.md): the project's replay meter (`omr simulate --replay`) plays the
 * peer's recorded frames back and says where the client diverges from the recorded frames
 * (redacted bytes match anything), and the CLI's result must equal the one recorded. A change
 * that breaks interop with that peer fails here.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { omr, simulateOnTcp, stopSimulators } from '../kit/cli';

function load(name: string): { result: { readings: unknown[]; errors: unknown[] } } {
  return { result: JSON.parse(readFileSync(`test/fixtures/interop/${name}.result.json`, 'utf8')) };
}

afterEach(async () => {
  vi.useRealTimers();
  await stopSimulators();
});

describe('replay of recorded peer exchanges', () => {
  it('Gurux DLMS C example server: LLS association, object list by block transfer, registers with scalers', async () => {
    const { result } = load('gurux-c-lls-discover');
    // The discovery reads the last day of the load profile: the PC clock is set to the recording's
    // time (and runs on from there) so that the range asked is the recorded one.
    const started = JSON.parse(readFileSync('test/fixtures/interop/gurux-c-lls-discover.trace.jsonl', 'utf8').split('\n')[0]!).t as string;
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(new Date(started));
    const peer = await simulateOnTcp(['--replay', 'test/fixtures/interop/gurux-c-lls-discover.trace.jsonl']);
    const run = await omr([
      'read',
      '--tcp',
      `127.0.0.1:${peer.port}`,
      '--hdlc-direct',
      '--client-sap',
      '17',
      '--server-physical',
      '0',
      '--auth',
      'lls',
      '--password',
      'Gurux',
      '--discover',
      '--json',
    ]);
    expect(peer.out.stderr).not.toMatch(/diverged/);
    expect(peer.out.stderr).toMatch(/all \d+ recorded requests answered/);
    expect(run.code).toBe(0);
    const out = run.stdout;
    const json = JSON.parse(out);
    expect({ readings: json.readings, errors: json.errors }).toEqual(result);
    // What the peer's objects are: the logical device name and a register with its scaler.
    expect(json.readings).toContainEqual(expect.objectContaining({ obis: '1-1:21.25.0*255', unit: 'Wh', scaler: -2 }));
  });
});
