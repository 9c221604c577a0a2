/**
 * A complete mode C readout through the real serialport binding, against the virtual E450 on a
 * socat pty pair: the handshake at 300 baud 7E1, the baud switch, the readout, and every fault
 * ending in a recovered reading or a typed error with what was read kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import type { SimFault } from '../../shared/target';
import { iecOptions, runIec } from '../../electron/features/read/iec';
import { Targets } from '../../electron/features/ports/targets';
import { startPtyMeter, type PtyMeter } from '../kit/pty-meter';

let meter: PtyMeter | undefined;
afterEach(async () => {
  await meter?.stop();
  meter = undefined;
});

async function readVia(
  faults: SimFault[],
  settings = DEFAULT_SETTINGS,
  purpose: 'readout' | 'identify' = 'readout',
  pullCableAfterBytes?: number,
  pace = false,
) {
  meter = await startPtyMeter({ faults, pace, ...(pace ? { reactionMs: 200 } : {}) });
  const m = meter;
  const targets = new Targets();
  const opened = await targets.open(meter.hostPath);
  const bauds: number[] = [];
  try {
    let pulled = false;
    const run = await runIec(opened.link, iecOptions(settings, { purpose }), {
      onProgress: (bytes) => {
        if (pullCableAfterBytes !== undefined && bytes >= pullCableAfterBytes && !pulled) {
          pulled = true;
          void m.unplug();
        }
      },
      onTrace: (e) => {
        if (e.dir === 'info' && /^line \d+/.test(e.summary)) bauds.push(Number(/^line (\d+)/.exec(e.summary)![1]));
      },
    });
    return { run, bauds, linkLine: opened.link.line };
  } finally {
    await opened.close();
  }
}

describe('mode C readout over a pty pair (real serialport binding)', () => {
  it('identifies, switches to 9600 baud and reads the whole data set', async () => {
    const { run, bauds } = await readVia([]);
    expect(run.error).toBeUndefined();
    expect(run.identity).toMatchObject({ manufacturer: 'LGZ', baudChar: '5', maxBaud: 9600, modeE: true });
    expect(run.identity!.raw).toMatch(/^\/LGZ5\\2/);
    expect(bauds).toContain(9600);
    const byObis = new Map(run.readings.map((r) => [r.obis, r]));
    expect(byObis.get('1-0:1.8.0*255')).toMatchObject({ unit: 'kWh', value: expect.stringMatching(/^\d{6}\.\d{3}$/) });
    expect(byObis.get('1-0:32.7.0*255')).toMatchObject({ unit: 'V' });
    expect(byObis.get('0-0:96.1.0*255')?.value).toMatch(/^\d+$/);
    expect(run.readings.length).toBeGreaterThan(20);
  });

  it('stays at 300 baud when told to use a fixed speed (smart probe)', async () => {
    const { run, bauds } = await readVia([], { ...DEFAULT_SETTINGS, fixedBaud: true });
    expect(run.error).toBeUndefined();
    expect(bauds.filter((b) => b !== 300)).toEqual([]);
    expect(run.readings.length).toBeGreaterThan(20);
  });

  // (A pty carries bytes whatever the speed, so 'ignore-baud' is proven on the virtual link, which
  // garbles bytes sent at the wrong speed: test/integration/virtual-link.test.ts.)
  const recovered: SimFault[][] = [['noise'], ['echo'], ['wakeup']];
  for (const faults of recovered) {
    it(`recovers from ${faults.join('+')}`, async () => {
      const { run } = await readVia(faults);
      expect(run.error, JSON.stringify(run.error)).toBeUndefined();
      expect(run.readings.length).toBeGreaterThan(20);
    });
  }

  const failing: [SimFault[], string[]][] = [
    [['silence'], ['NO_ECHO_NO_ANSWER']],
    [['echo', 'silence'], ['ECHO_ONLY']],
    [['slow'], ['TIMEOUT_REACTION', 'NO_ECHO_NO_ANSWER']],
    [['flip'], ['BCC_MISMATCH']],
    [['drop'], ['BCC_MISMATCH', 'TIMEOUT_INTERCHAR']],
  ];
  for (const [faults, codes] of failing) {
    it(`ends ${faults.join('+')} with a typed error (${codes.join(' or ')})`, async () => {
      const { run } = await readVia(faults);
      expect(run.error).toBeDefined();
      expect(codes).toContain(run.error!.code);
      expect(run.error!.remedy.length).toBeGreaterThan(10);
    });
  }

  it('keeps what was read when the cable is pulled mid-readout', async () => {
    // Pace the meter so the readout is still flowing when the pty pair disappears.
    const { run } = await readVia([], { ...DEFAULT_SETTINGS, maxBaud: 300 }, 'readout', 100, true);
    expect(run.error?.code).toMatch(/LINK_LOST|TIMEOUT_INTERCHAR/);
    expect(run.identity?.manufacturer).toBe('LGZ');
    // The lines that had fully arrived are kept.
    expect(run.readings.length).toBeGreaterThan(0);
    expect(run.readings.length).toBeLessThan(36);
  });
});
