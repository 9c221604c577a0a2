/**
 * Programming mode: a register the meter answers with its error code (`(ER01)`, `1.8.0(ER12)`)
 * is reported as an error for that register with the meter's code, never stored as a value,
 * and the read goes on with the next register.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { IecClient, encodeCommand, encodeDataMessage, encodeIdentification } from '../../../electron/engine/iec62056-21';
import type { IecAction } from '../../../electron/engine/iec62056-21/events';
import { iecOptions, runIec } from '../../../electron/features/read/iec';
import { createVirtualPair } from '../../../electron/link/virtual';
import { startVirtualMeter } from '../../../electron/simulator/virtual-meter';
import { E350_LINES } from './captures';

describe('R1 answered with an error code', () => {
  it('the simulated E450 answers an unknown register (ER01): an error for it, values for the others', async () => {
    const pair = createVirtualPair('programming');
    const meter = startVirtualMeter(pair.meter, { pace: false });
    const run = await runIec(
      pair.host,
      iecOptions({ ...DEFAULT_SETTINGS, baudSwitchDelayMs: 0 }, { purpose: 'programming', password: '00000000', reads: ['1.8.0', '99.99.9', '2.8.0'] }),
    );
    await pair.host.close();
    meter.stop();
    expect(run.error).toBeUndefined();
    expect(run.readings.map((r) => r.address)).toEqual(['1.8.0', '2.8.0']);
    expect(run.registerErrors).toEqual([expect.objectContaining({ address: '99.99.9', meterCode: 'ER01' })]);
    expect(run.warnings).toContainEqual({ code: 'METER_ERROR', detail: '99.99.9: ER01' });
    expect(run.readings.some((r) => r.value.startsWith('ER'))).toBe(false);
  });

  it('`address(ER12)` among the sets of an answer: that register is an error, the published E350 values are readings', () => {
    const c = new IecClient({ purpose: 'programming', maxBaud: 300, reads: ['1.8.0', '2.8.0'] });
    const out: IecAction[] = [];
    let now = 0;
    const feed = (bytes: Uint8Array) => out.push(...c.receive(bytes, (now += 300)));
    out.push(...c.start(now));
    feed(encodeIdentification({ manufacturer: 'LGZ', baudChar: '0', ident: 'ZCF100AC.MXX' }));
    feed(encodeCommand({ command: 'P', type: '0', data: '(12345678)' }));
    // R1 1.8.0 → the E350's line for it; R1 2.8.0 → `2.8.0(ER12)`.
    feed(encodeDataMessage(`${E350_LINES.find((l) => l.startsWith('1.8.0'))!}\r\n`));
    feed(encodeDataMessage('2.8.0(ER12)\r\n'));
    const r = c.result;
    expect(r.error).toBeUndefined();
    expect(r.done).toBe(true);
    expect(r.readings).toEqual([expect.objectContaining({ address: '1.8.0', value: '000065.3', unit: 'kWh', source: 'programming' })]);
    expect(r.registerErrors).toEqual([expect.objectContaining({ address: '2.8.0', obis: '1-0:2.8.0*255', meterCode: 'ER12' })]);
  });
});
