/**
 * Integrity of a readout as runIec hands it on, with published readouts as the meter's data
 * (test/unit/iec62056-21/captures.ts): a failed BCC and a readout cut off are kept but marked
 * `verified: false`; a whole readout is not marked; the time stamp of a value is kept.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { encodeDataMessage } from '../../../electron/engine/iec62056-21/codec';
import { iecOptions, runIec } from '../../../electron/features/read/iec';
import { createVirtualPair } from '../../../electron/link/virtual';
import { APA_DATA_START, APA_IDENT_BYTES, ISKRA_LINES, ZMD_IDENT, ZMD_LINES } from '../iec62056-21/captures';

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A scripted meter: identification on the request, `data` after the option select. */
async function readFrom(ident: string, data: Uint8Array) {
  const pair = createVirtualPair('scripted meter');
  let got = '';
  pair.meter.onData((bytes) => {
    got += String.fromCharCode(...bytes);
    if (got.endsWith('/?!\r\n')) {
      got = '';
      void pair.meter.write(latin1(ident.endsWith('\r\n') ? ident : `${ident}\r\n`));
    } else if (got.startsWith('\x06') && got.endsWith('\r\n')) {
      got = '';
      void pair.meter.write(data);
    }
  });
  const run = await runIec(pair.host, { ...iecOptions({ ...DEFAULT_SETTINGS, maxBaud: 300 }, { purpose: 'readout' }), interCharTimeoutMs: 150, reactionTimeoutMs: 500 });
  await pair.host.close();
  return run;
}

describe('readout integrity (published readouts)', () => {
  it('a whole readout with a good BCC is verified (no flag)', async () => {
    const run = await readFrom(ZMD_IDENT, encodeDataMessage(ZMD_LINES.map((l) => `${l}\r\n`).join('') + '!\r\n'));
    expect(run.error).toBeUndefined();
    expect(run.readings.length).toBe(ZMD_LINES.length);
    expect(run.readings.every((r) => r.verified === undefined)).toBe(true);
  });

  it('a failed BCC keeps the readings, marked verified:false, and says BCC_MISMATCH', async () => {
    const msg = encodeDataMessage(ZMD_LINES.map((l) => `${l}\r\n`).join('') + '!\r\n');
    msg[msg.length - 1] ^= 0x01;
    const run = await readFrom(ZMD_IDENT, msg);
    expect(run.error?.code).toBe('BCC_MISMATCH');
    expect(run.readings.length).toBe(ZMD_LINES.length);
    expect(run.readings.every((r) => r.verified === false)).toBe(true);
    expect(run.readings.find((r) => r.address === '1.8.0')?.value).toBe('0302.8260');
  });

  it('a readout cut before its end (the APA capture) keeps the complete lines, marked verified:false', async () => {
    const run = await readFrom(APA_IDENT_BYTES, latin1(APA_DATA_START));
    expect(run.error?.code).toBe('TIMEOUT_INTERCHAR');
    expect(run.readings.length).toBeGreaterThan(5);
    expect(run.readings.every((r) => r.verified === false)).toBe(true);
    expect(run.readings[0]).toMatchObject({ address: '0-0:C.1.0', value: '72432595' });
  });

  it('keeps the time stamp of a value (capture time) from the published Iskra line', async () => {
    const run = await readFrom('/ISk5\\2MT382-1000', encodeDataMessage(ISKRA_LINES.map((l) => `${l}\r\n`).join('') + '!\r\n'));
    expect(run.error).toBeUndefined();
    const gas = run.readings.find((r) => r.address === '0-1:24.2.1');
    expect(gas).toMatchObject({ value: '12785.123', unit: 'm3' });
    expect(gas?.captureTime).toBeTruthy();
  });
});
