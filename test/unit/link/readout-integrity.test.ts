/**
 * Integrity of a readout as runIec hands it on, with published readouts as the meter's data
 * (test/unit/iec62056-21/captures.ts): a failed BCC and a readout cut off are kept but marked
 * `verified: false`; a whole readout is not marked; the time stamp of a value is kept. A message
 * with its ETX and a good BCC but no `!` end line is not complete either (READOUT_INCOMPLETE).
 * Placeholders (` -.--`) stay as the meter sent them and count as no value for the monitor.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { encodeDataMessage } from '../../../electron/engine/iec62056-21/codec';
import { iecOptions, runIec } from '../../../electron/features/read/iec';
import { createVirtualPair } from '../../../electron/link/virtual';
import { numericValue } from '../../../shared/reading-value';
import { extractValues } from '../../../electron/features/monitor/anomaly';
import { APA_DATA_START, APA_IDENT_BYTES, E350_IDENT, E350_LINES, ISKRA_LINES, ZMD_IDENT, ZMD_LINES } from '../iec62056-21/captures';

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
  const run = await runIec(pair.host, {
    ...iecOptions({ ...DEFAULT_SETTINGS, maxBaud: 300 }, { purpose: 'readout' }),
    interCharTimeoutMs: 150,
    reactionTimeoutMs: 500,
  });
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
    msg[msg.length - 1] = msg[msg.length - 1]! ^ 0x01;
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

  it('a readout with ETX and a good BCC but no `!` end line (ZMD lines cut short) is incomplete: unverified, READOUT_INCOMPLETE', async () => {
    const cut = ZMD_LINES.slice(0, 16);
    const run = await readFrom(ZMD_IDENT, encodeDataMessage(cut.map((l) => `${l}\r\n`).join('')));
    expect(run.error?.code).toBe('READOUT_INCOMPLETE');
    expect(run.readings.length).toBe(cut.length);
    expect(run.readings.every((r) => r.verified === false)).toBe(true);
    expect(run.readings.find((r) => r.address === '1.8.1')).toMatchObject({ value: '0302.8260', unit: 'kWh' });
    // The same lines with their `!` are complete.
    const whole = await readFrom(ZMD_IDENT, encodeDataMessage(cut.map((l) => `${l}\r\n`).join('') + '!\r\n'));
    expect(whole.error).toBeUndefined();
    expect(whole.readings.every((r) => r.verified === undefined)).toBe(true);
  });

  it('keeps a ` -.--` placeholder as the meter sent it (trimmed); numeric consumers see no value', async () => {
    // The published E350 readout list with its instantaneous power not available (placeholder).
    const lines = [...E350_LINES, '1.7.0( -.--*kW)', '32.7.0(---.-*V)'];
    const run = await readFrom(E350_IDENT, encodeDataMessage(lines.map((l) => `${l}\r\n`).join('') + '!\r\n'));
    expect(run.error).toBeUndefined();
    const power = run.readings.find((r) => r.address === '1.7.0');
    expect(power).toMatchObject({ value: '-.--', unit: 'kW' });
    expect(run.readings.find((r) => r.address === '32.7.0')).toMatchObject({ value: '---.-', unit: 'V' });
    expect(numericValue(power!.value)).toBeUndefined();
    expect(numericValue(run.readings.find((r) => r.address === '1.8.0')!.value)).toBe('000065.3');
    const values = extractValues(run.readings, { plan: 'instantaneous', meterClock: 'utc' });
    expect(values.P).toBeUndefined();
    expect(values.U1).toBeUndefined();
    expect(values.Eimp).toBe('000065.3');
  });
});
