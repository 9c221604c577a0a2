/**
 * `omr read --tcp H:P --hdlc-direct --protocol dlms --json` in a child process against each
 * hostile meter of test/kit/hostile-meter.ts on a loopback TCP port. Each ends by itself within
 * 30 s with a typed error (non-zero exit) and a peak resident size under 300 MB, measured from
 * /proc/<pid>/status while it runs; the figures are printed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHostileTcp, type HostileOptions } from '../kit/hostile-meter';
import { startOmr } from './omr-child';

const KEY_FILE_TEXT = 'ak=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\nek=000102030405060708090A0B0C0D0E0F\nsystemtitle=4D4D4D0000000001\n';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** Peak resident size of a process so far (VmHWM, else VmRSS), in MB; undefined once it is gone. */
function residentMb(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? /VmRSS:\s+(\d+)/.exec(s)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined; // a process being reaped has no sizes
  } catch {
    return undefined;
  }
}

async function readAgainst(meter: HostileOptions, extra: string[] = []) {
  const server = await startHostileTcp(meter);
  stop = server.close;
  const dataDir = mkdtempSync(join(tmpdir(), 'omr-hostile-'));
  const started = Date.now();
  const omr = startOmr(['read', '--tcp', `127.0.0.1:${server.port}`, '--hdlc-direct', '--protocol', 'dlms', '--json', ...extra], {
    env: { OMR_DATA_DIR: dataDir },
  });
  let peakMb = 0;
  const poll = setInterval(() => {
    const mb = residentMb(omr.child.pid!);
    if (mb !== undefined) peakMb = Math.max(peakMb, mb);
  }, 50);
  const killer = setTimeout(() => void omr.kill(), 60_000);
  const code = await omr.exited;
  clearInterval(poll);
  clearTimeout(killer);
  const seconds = (Date.now() - started) / 1000;
  let json: { readings: { obis: string; value: string }[]; errors: { code: string; detail?: string }[] } | undefined;
  try {
    json = JSON.parse(omr.out());
  } catch {
    json = undefined;
  }
  console.log(
    `hostile ${meter.misbehaviour}: exit ${code} after ${seconds.toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB, errors ${json?.errors.map((e) => e.code).join(',')}, ${json?.readings.length ?? 0} readings`,
  );
  return { code, seconds, peakMb, json, err: omr.err(), dataDir };
}

describe('omr read against a hostile meter (loopback TCP, HDLC direct)', () => {
  const rows: [HostileOptions['misbehaviour'], string, Partial<HostileOptions>?][] = [
    ['wrong-invoke-id', 'PROTOCOL_VIOLATION'],
    ['rr-acks-nothing', 'PROTOCOL_VIOLATION'],
    ['endless-blocks', 'TOO_LARGE', { blockBytes: 4000, maxInfo: 2030 }],
    ['stale-ns', 'PROTOCOL_VIOLATION'],
    ['trickle', 'SLOW_ANSWER'],
  ];
  for (const [misbehaviour, code, more] of rows) {
    it(`${misbehaviour}: ${code} within 30 s, under 300 MB`, async () => {
      const r = await readAgainst({ misbehaviour, ...more });
      expect(r.code).not.toBe(0);
      expect(r.json?.errors.map((e) => e.code)).toContain(code);
      expect(r.json?.errors.map((e) => e.code)).not.toContain('CANCELLED');
      expect(r.json?.errors.map((e) => e.code)).not.toContain('TIMEOUT_REACTION');
      expect(r.seconds).toBeLessThan(30);
      expect(r.peakMb).toBeGreaterThan(0);
      expect(r.peakMb).toBeLessThan(300);
    }, 70_000);
  }

  it('trailing bytes after one object: that object is DECODE_ERROR, every other reading is kept', async () => {
    const r = await readAgainst({ misbehaviour: 'trailing-bytes', badObis: '1-0:1.8.0' });
    expect(r.seconds).toBeLessThan(30);
    expect(r.peakMb).toBeLessThan(300);
    const obis = r.json!.readings.map((x) => x.obis);
    expect(obis).not.toContain('1-0:1.8.0*255');
    expect(obis).toEqual(expect.arrayContaining(['1-0:1.8.1*255', '1-0:1.8.2*255', '1-0:2.8.0*255', '0-0:96.1.0*255']));
    expect(obis.length).toBeGreaterThan(10);
    // The one object is reported (as an error, or a "not read" line of a partial read).
    expect(JSON.stringify(r.json)).toMatch(/DECODE_ERROR/);
    expect(r.code).not.toBe(0);
    expect(r.json!.errors.map((e) => e.code)).not.toContain('PROTOCOL_VIOLATION');
  }, 70_000);

  it('the impostor that knows no key is refused with SECURITY, non-zero exit, nothing it said kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-hostile-key-'));
    const keyFile = join(dir, 'keys.txt');
    writeFileSync(keyFile, KEY_FILE_TEXT);
    const r = await readAgainst({ misbehaviour: 'impostor' }, ['--auth', 'hls-gmac', '--key-file', keyFile]);
    expect(r.code).not.toBe(0);
    expect(r.json?.errors.map((e) => e.code)).toContain('SECURITY');
    expect(r.json?.readings).toEqual([]);
    expect(r.seconds).toBeLessThan(30);
    expect(r.peakMb).toBeLessThan(300);
  }, 70_000);
});
