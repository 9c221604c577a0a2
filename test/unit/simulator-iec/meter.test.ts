import { describe, expect, it } from 'vitest';
import { IecClient, collectIecResult } from '../../../electron/engine/iec62056-21/client';
import { ACK, NAK, decodeDataMessage, encodeCommand, encodeOptionSelect, encodeRequest, latin1 } from '../../../electron/engine/iec62056-21/codec';
import { parseReadout } from '../../../electron/engine/iec62056-21/readout';
import { E450Data } from '../../../electron/simulator/e450-data';
import { IecMeter, type MeterAction } from '../../../electron/simulator/iec/meter';
import { cosim } from './cosim';

const T0 = Date.UTC(2025, 4, 17, 10, 30, 0);
const sent = (a: MeterAction[]) => a.flatMap((x) => (x.type === 'send' ? [x.bytes] : []));
const wakeOf = (a: MeterAction[]) => a.filter((x): x is Extract<MeterAction, { type: 'wakeAt' }> => x.type === 'wakeAt').pop()?.at;

describe('E450 data set', () => {
  it('is deterministic for a seed and a time, and energy grows with time', () => {
    const a = new E450Data({ seed: 7 });
    const b = new E450Data({ seed: 7 });
    expect(a.readout(T0)).toEqual(b.readout(T0));
    expect(new E450Data({ seed: 8 }).readout(T0)).not.toEqual(a.readout(T0));
    const v = (t: number, addr: string) => a.read(addr, t)!.groups[0]!.value;
    const later = T0 + 3 * 3_600_000;
    expect(Number(v(later, '1.8.0'))).toBeGreaterThan(Number(v(T0, '1.8.0')));
    expect(Number(v(later, '2.8.0'))).toBeGreaterThan(Number(v(T0, '2.8.0')));
    // tariffs add up exactly to the total (compared as integers of Wh, not floats)
    const wh = (s: string) => BigInt(s.replace('.', ''));
    expect(wh(v(T0, '1.8.1')) + wh(v(T0, '1.8.2'))).toBe(wh(v(T0, '1.8.0')));
    expect(v(T0, '0.9.1')).toBe('10:30:00');
    expect(v(T0, '0.9.2')).toBe('25-05-17');
    expect(v(T0, 'C.1.0')).toMatch(/^\d{8}$/);
  });
  it('has per-phase instantaneous values and can be made long', () => {
    const d = new E450Data({ seed: 3, historyEntries: 500, historyPeriod: 'day' });
    const lines = d.readout(T0);
    for (const a of ['32.7.0', '52.7.0', '72.7.0', '31.7.0', '51.7.0', '71.7.0', '14.7.0', '13.7.0', '1.7.0', '3.8.0', '4.8.0', 'F.F'])
      expect(d.read(a, T0)).toBeDefined();
    expect(lines.filter((l) => l.address.startsWith('1.8.0*'))).toHaveLength(500);
    const hist = lines.filter((l) => /^1\.8\.0\*/.test(l.address)).map((l) => BigInt(l.groups[0]!.value.replace('.', '')));
    for (let i = 1; i < hist.length; i++) expect(hist[i]! <= hist[i - 1]!).toBe(true);
  });
});

describe('meter machine', () => {
  it('answers a request after its reaction time and only for its address', () => {
    const m = new IecMeter({ data: { seed: 1, serial: '12345678' } });
    expect(sent(m.receive(encodeRequest('99999999'), 0))).toEqual([]);
    const a = m.receive(encodeRequest('12345678'), 0);
    expect(wakeOf(a)).toBe(200);
    expect(sent(m.tick(199))).toEqual([]);
    expect(latin1(sent(m.tick(200))[0]!)).toBe('/LGZ5\\2ZMF100AC.d2\r\n');
  });
  it('keeps the reaction time at least 200 ms, or 20 ms with a lower-case flag', () => {
    expect(new IecMeter({ reactionMs: 5 }).reactionMs).toBe(200);
    expect(new IecMeter({ reactionMs: 5, data: { identification: { manufacturer: 'LGz', baudChar: '5', ident: 'X' } } }).reactionMs).toBe(20);
  });
  it('switches baud on the option select, sends the readout, goes back to 300', () => {
    const m = new IecMeter({ data: { seed: 2 } });
    m.receive(encodeRequest(), 0);
    m.tick(200);
    m.receive(encodeOptionSelect({ protocol: '0', baudChar: '5', mode: '0' }), 1000);
    const a = m.tick(1200);
    expect(a[0]).toEqual({ type: 'setLine', line: { baudRate: 9600, dataBits: 7, parity: 'even' } });
    const msg = sent(a)[0]!;
    const r = parseReadout(decodeDataMessage(msg).text, { readAt: 'x' });
    expect(r.find((x) => x.address === '1.8.0')?.unit).toBe('kWh');
    expect(a[a.length - 1]).toEqual({ type: 'setLine', line: { baudRate: 300, dataBits: 7, parity: 'even' } });
  });
  it('programming mode: P0, wrong password → (ER05) and idle; right password → R1, NAK repeat, bad BCC → NAK, B0', () => {
    const m = new IecMeter({ password: 'abc' });
    const enter = (t: number) => {
      m.receive(encodeRequest(), t);
      m.tick(t + 200);
      m.receive(encodeOptionSelect({ protocol: '0', baudChar: '5', mode: '1' }), t + 300);
      const p0 = sent(m.tick(t + 500))[0]!;
      expect(latin1(p0).startsWith('\x01P0\x02(')).toBe(true);
    };
    enter(0);
    m.receive(encodeCommand({ command: 'P', type: '1', data: '(xyz)' }), 600);
    expect(latin1(sent(m.tick(800))[0]!)).toContain('(ER05)');
    expect(m.currentState).toBe('idle');
    enter(10_000);
    m.receive(encodeCommand({ command: 'P', type: '1', data: '(abc)' }), 10_600);
    expect(Array.from(sent(m.tick(10_800))[0]!)).toEqual([ACK]);
    m.receive(encodeCommand({ command: 'R', type: '1', data: '1.8.0()' }), 10_900);
    const ans = sent(m.tick(11_100))[0]!;
    expect(decodeDataMessage(ans).text).toMatch(/^1\.8\.0\(\d{6}\.\d{3}\*kWh\)$/);
    m.receive(Uint8Array.of(NAK), 11_200);
    expect(sent(m.tick(11_400))[0]).toEqual(ans);
    m.receive(encodeCommand({ command: 'R', type: '1', data: '9.9.9()' }), 11_500);
    expect(latin1(sent(m.tick(11_700))[0]!)).toContain('(ER01)');
    const bad = encodeCommand({ command: 'R', type: '1', data: '1.8.0()' });
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    m.receive(bad, 11_800);
    expect(Array.from(sent(m.tick(12_000))[0]!)).toEqual([NAK]);
    const a = m.receive(encodeCommand({ command: 'B', type: '0' }), 12_100);
    expect(a.some((x) => x.type === 'event' && x.event.type === 'break')).toBe(true);
    expect(m.currentState).toBe('idle');
  });
  it('mode E: acknowledges (when set), switches to 8N1 and hands over', () => {
    const m = new IecMeter({ modeEAck: true });
    m.receive(encodeRequest(), 0);
    m.tick(200);
    m.receive(encodeOptionSelect({ protocol: '2', baudChar: '5', mode: '2' }), 1000);
    const a = m.tick(1200);
    expect(latin1(sent(a)[0]!)).toBe('\x06252\r\n');
    expect(a).toContainEqual({ type: 'setLine', line: { baudRate: 9600, dataBits: 8, parity: 'none' } });
    expect(a).toContainEqual({ type: 'event', event: { type: 'handover', baudRate: 9600 } });
    expect(m.receive(encodeRequest(), 2000)).toEqual([]);
  });
});

describe('IecClient against the simulated meter (virtual time, wire time, speed mismatch)', () => {
  it('mode C readout at 9600: every register of the data set arrives exactly', () => {
    const data = new E450Data({ seed: 5, start: 0 });
    const r = cosim(new IecClient({ purpose: 'readout', maxBaud: 19200 }), new IecMeter({ data }));
    const res = collectIecResult(r.hostActions);
    expect(res.error).toBeUndefined();
    expect(res.done).toBe(true);
    expect(res.identity?.raw).toBe('/LGZ5\\2ZMF100AC.d2');
    expect(r.meterEvents).toContainEqual(expect.objectContaining({ type: 'readout', baudRate: 9600 }));
    // the readout was taken at the meter's send time; compare with the data set at that time
    const expected = data.readout(0).map((l) => l.address);
    expect(res.readings.map((x) => x.address)).toEqual(expected);
    const energy = res.readings.find((x) => x.address === '1.8.0')!;
    expect(energy.obis).toBe('1-0:1.8.0*255');
    expect(energy.value).toMatch(/^\d{6}\.\d{3}$/);
  });
  it('echo of the head, a sleepy meter and a meter that ignores the baud rate', () => {
    const r = cosim(new IecClient({ purpose: 'readout', maxBaud: 9600 }), new IecMeter({ sleepy: true, ignoreBaud: true }), { echo: true });
    const res = collectIecResult(r.hostActions);
    expect(res.error).toBeUndefined();
    expect(res.warnings.map((w) => w.code)).toContain('BAUD_NOT_ACCEPTED');
    expect(res.readings.length).toBeGreaterThan(20);
    expect(r.meterEvents.filter((e) => e.type === 'request').map((e) => e.type === 'request' && e.answered)).toEqual([false, true, true]);
  });
  it('programming mode with the password reads the asked registers and ends with B0', () => {
    const r = cosim(
      new IecClient({ purpose: 'programming', maxBaud: 9600, password: 'pw', reads: ['1.8.0', 'C.1.0', '7.7.7'] }),
      new IecMeter({ password: 'pw', data: { serial: '87654321' } }),
    );
    const res = collectIecResult(r.hostActions);
    expect(res.error).toBeUndefined();
    expect(res.readings.map((x) => [x.address, x.source])).toEqual([
      ['1.8.0', 'programming'],
      ['C.1.0', 'programming'],
    ]);
    expect(res.readings[1]!.value).toBe('87654321');
    expect(res.warnings).toEqual([{ code: 'METER_ERROR', detail: '7.7.7: ER01' }]);
    expect(r.meterEvents.map((e) => e.type)).toEqual(['request', 'programming', 'login', 'read', 'read', 'read', 'break']);
    // Each of our messages (option select, P1, three R1, B0) starts no sooner than tr = 200 ms
    // after the meter's last byte, and well within the 1500 ms the meter waits.
    expect(r.hostReactions).toHaveLength(6);
    for (const ms of r.hostReactions) expect(ms).toBeGreaterThanOrEqual(200);
    for (const ms of r.hostReactions) expect(ms).toBeLessThan(250);
  });
  it('a meter with a lower-case flag (reduced reaction time) is answered 20 ms after its message, not 200', () => {
    const r = cosim(
      new IecClient({ purpose: 'programming', maxBaud: 9600, password: 'pw', reads: ['1.8.0'] }),
      new IecMeter({ password: 'pw', data: { identification: { manufacturer: 'LGz', baudChar: '5', ident: 'ZMF100' } } }),
    );
    expect(collectIecResult(r.hostActions).error).toBeUndefined();
    expect(r.hostReactions.length).toBeGreaterThanOrEqual(3);
    for (const ms of r.hostReactions) expect(ms).toBeGreaterThanOrEqual(20);
    for (const ms of r.hostReactions) expect(ms).toBeLessThan(50);
  });
  it('a wrong password ends with AUTH_REJECTED', () => {
    const r = cosim(new IecClient({ purpose: 'programming', maxBaud: 9600, password: 'bad', reads: ['1.8.0'] }), new IecMeter({ password: 'pw' }));
    expect(collectIecResult(r.hostActions).error?.code).toBe('AUTH_REJECTED');
  });
  it.each([true, false])('mode E hand-over, meter acknowledgement %s: both ends at 9600 8N1', (modeEAck) => {
    const r = cosim(new IecClient({ purpose: 'modeE', maxBaud: 9600 }), new IecMeter({ modeEAck }));
    const res = collectIecResult(r.hostActions);
    expect(res.handover).toEqual({ baudRate: 9600, line: { baudRate: 9600, dataBits: 8, parity: 'none' } });
    expect(r.meterEvents).toContainEqual({ type: 'handover', baudRate: 9600 });
    expect(r.hostBaud).toBe(9600);
    expect(r.meterBaud).toBe(9600);
    // the host switched after the meter's acknowledgement had arrived (no garbage at 8N1)
    expect(res.error).toBeUndefined();
  });
  it('a long readout (2000 history entries) completes with progress events', () => {
    const r = cosim(new IecClient({ purpose: 'readout', maxBaud: 19200 }), new IecMeter({ data: { historyEntries: 2000, historyPeriod: 'day' } }));
    const res = collectIecResult(r.hostActions);
    expect(res.error).toBeUndefined();
    expect(res.readings.length).toBeGreaterThan(10_000);
    const progress = r.hostActions.filter((a) => a.type === 'event' && a.event.type === 'progress');
    expect(progress.length).toBeGreaterThan(1);
  });
});
