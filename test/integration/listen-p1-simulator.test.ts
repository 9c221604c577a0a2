/**
 * `omr simulate --p1 --tcp 0` and `omr listen --tcp … --json` together: telegrams arrive every
 * interval with a good CRC and moving values; with --p1-fault bad-crc the damaged ones are
 * flagged and listening goes on.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';

async function simulateAndListen(extra: string[], listenMs: number): Promise<any[]> {
  const simAbort = new AbortController();
  const simOut = new PassThrough();
  let simText = '';
  simOut.on('data', (c) => (simText += c));
  const sim = runCli(['simulate', '--p1', '--tcp', '0', '--interval', '150', ...extra], {
    stdout: simOut,
    stderr: new PassThrough(),
    env: {},
    signal: simAbort.signal,
  });
  const deadline = Date.now() + 5000;
  while (!/tcp:\/\/127\.0\.0\.1:(\d+)/.test(simText) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const port = /tcp:\/\/127\.0\.0\.1:(\d+)/.exec(simText)![1]!;
  const listenAbort = new AbortController();
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += c));
  const timer = setTimeout(() => listenAbort.abort(), listenMs);
  const code = await runCli(['listen', '--tcp', `127.0.0.1:${port}`, '--silence', '100', '--json'], {
    stdout: out,
    stderr: new PassThrough(),
    env: { OMR_DATA_DIR: '/nonexistent-omr-test' },
    signal: listenAbort.signal,
  });
  clearTimeout(timer);
  simAbort.abort();
  expect(await sim).toBe(0);
  expect(code).toBe(0);
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('omr simulate --p1 with omr listen', () => {
  it('telegrams with a good CRC and moving values', async () => {
    const lines = await simulateAndListen([], 1300);
    const good = lines.filter((l) => l.kind === 'p1' && l.crc === 'good');
    expect(good.length).toBeGreaterThanOrEqual(4);
    const power = good.map((l) => l.readings.find((r: any) => r.obis === '1-0:1.7.0*255').value);
    expect(new Set(power).size).toBeGreaterThan(1);
    expect(good[0].identity).toBe('OMR5\\2SIM-P1-1');
  });

  it('bad CRC telegrams are flagged, the others read', async () => {
    const lines = await simulateAndListen(['--p1-fault', 'bad-crc'], 1300);
    const layers = lines.map((l) => l.verdict.layer);
    expect(layers).toContain('crc-bad');
    expect(layers.filter((l) => l === 'ok').length).toBeGreaterThanOrEqual(2);
    for (const l of lines.filter((x) => x.verdict.layer === 'crc-bad')) expect(l.readings).toEqual([]);
  });
});
