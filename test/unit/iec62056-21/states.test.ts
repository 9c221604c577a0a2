/**
 * The client's state table, edge by edge: what each state does with a byte, a deadline, a line
 * change, a cancel or a lost link, where client.test.ts does not already pin it down.
 */
import { describe, expect, it } from 'vitest';
import { OmrError } from '../../../shared/errors';
import { IecClient, type IecClientOptions } from '../../../electron/engine/iec62056-21/client';
import { ACK, encodeCommand, encodeDataMessage, latin1 } from '../../../electron/engine/iec62056-21/codec';
import { E350_LINES, ZMD_IDENT } from './captures';
import { type A, b, failure, isDone, ofType, sends, setLine, wake } from './harness';

const REQ = '/?!\r\n';
const B0 = latin1(encodeCommand({ command: 'B', type: '0' }));
const P0 = encodeCommand({ command: 'P', type: '0', data: '(00123456)' });
const block = (lines: string[]) => lines.map((l) => `${l}\r\n`).join('') + '!\r\n';
const readout = (o: Partial<IecClientOptions> = {}) => new IecClient({ purpose: 'readout', maxBaud: 9600, ...o });
const garbage = (n: number) => Uint8Array.from({ length: n }, (_, i) => 0x80 | ((i * 37) & 0x7f));

/** Readout at 9600: identification at 500, line changed at 900 (reaction deadline 2400). */
function toData(c: IecClient): A[] {
  return [...c.start(0), ...c.receive(b(`${ZMD_IDENT}\r\n`), 500), ...c.lineChanged(900)];
}

/** Programming at 9600: identification at 500, line changed at 900; waiting for P0. */
function toP0(o: Partial<IecClientOptions> = {}): { c: IecClient; acts: A[] } {
  const c = new IecClient({ purpose: 'programming', maxBaud: 9600, password: 'S3cr3t!x', reads: ['1.8.0', 'C.1.0'], ...o });
  const acts = [...c.start(0), ...c.receive(b(`${ZMD_IDENT}\r\n`), 500), ...c.lineChanged(900)];
  return { c, acts };
}

/** Programming, logged in: P0 at 1200, password accepted at 1300, R1 1.8.0 out. */
function toR1(o: Partial<IecClientOptions> = {}): { c: IecClient; acts: A[] } {
  const { c } = toP0(o);
  c.receive(P0, 1200);
  const acts = c.receive(Uint8Array.of(ACK), 1300);
  expect(sends(acts)[0]!.startsWith('\x01R1\x021.8.0()')).toBe(true);
  return { c, acts };
}

describe('options', () => {
  it('an explicit undefined limit gets its default', () => {
    const c = readout({ reactionTimeoutMs: undefined as unknown as number });
    expect(wake(c.start(0))).toBe(167 + 1500);
  });
  it('out-of-range options are INVALID_REQUEST', () => {
    expect(() => readout({ maxBaud: 299 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => readout({ requestAttempts: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('ident', () => {
  it('a cut-off identification is TIMEOUT_INTERCHAR once the requests are used up', () => {
    const c = readout({ requestAttempts: 1 });
    c.start(0);
    const a1 = c.receive(b('/LGZ5'), 300);
    expect(wake(a1)).toBe(1800);
    expect(failure(c.tick(1800))).toMatchObject({ code: 'TIMEOUT_INTERCHAR', detail: 'identification cut off after 5 bytes' });
  });
  it('noise, a restarted "/" and an overlong line all count as noise', () => {
    const c = readout({ requestAttempts: 1 });
    c.start(0);
    // zz: 2; "/ab" dropped at the next "/": 3; "/" + 128 × x is over 128 bytes: 129
    const a = c.receive(b(`zz/ab/${'x'.repeat(128)}`), 400);
    expect(failure(c.tick(wake(a)!))).toMatchObject({ code: 'GARBLED', detail: '134 byte(s) received, no identification' });
  });
});

describe('data', () => {
  it('a lost link mid-readout keeps the complete data sets, sends nothing and ends with the link error', () => {
    const c = readout();
    toData(c);
    c.receive(encodeDataMessage(block(E350_LINES)).slice(0, 40), 1000);
    const a = c.linkLost(new OmrError('LINK_LOST', 'cable'), 1100);
    expect(a.map((x) => x.type)).toEqual(['event', 'fail']);
    expect(ofType(a, 'readings')[0]).toMatchObject({ complete: false });
    expect(ofType(a, 'readings')[0]!.readings.map((r) => r.address)).toEqual(['F.F', 'C.1.1']);
    expect(failure(a)?.code).toBe('LINK_LOST');
    expect(c.linkLost(new OmrError('LINK_LOST'), 1200)).toEqual([]);
    expect(c.cancel(1200)).toEqual([]);
  });
  it('a message longer than maxMessageBytes is GARBLED; its complete data sets are kept', () => {
    const c = readout({ maxMessageBytes: 60 });
    toData(c);
    const a = c.receive(encodeDataMessage(block(E350_LINES)), 1000);
    expect(failure(a)?.code).toBe('GARBLED');
    expect(ofType(a, 'readings')[0]!.readings.map((r) => r.address)).toEqual(['F.F', 'C.1.1', '1.8.0']);
  });
  it('noise without a switch before it is GARBLED, not a fallback', () => {
    const c = readout();
    c.start(0);
    const a1 = c.receive(b('/ABC7TYPE\r\n'), 500); // mode A: data at 300 baud
    expect(wake(a1)).toBe(500 + 1500 + 34);
    c.receive(Uint8Array.of(0x55, 0x55, 0x55), 600);
    const a2 = c.tick(2034);
    expect(ofType(a2, 'warning')).toHaveLength(0);
    expect(failure(a2)).toMatchObject({ code: 'GARBLED', detail: '3 byte(s) received, no data message' });
  });
  it('progress counts the data message from its STX', () => {
    const c = readout();
    toData(c);
    const a = c.receive(Uint8Array.of(0x00, ...encodeDataMessage(block(E350_LINES)).slice(0, 10)), 1000);
    expect(ofType(a, 'progress')).toEqual([{ type: 'progress', bytes: 10 }]);
  });
});

describe('fallback and drain', () => {
  it('mode B: after a fallback the host stays at 300 baud', () => {
    const c = readout();
    c.start(0);
    expect(setLine(c.receive(b('/ABCETYPE\r\n'), 500))?.line.baudRate).toBe(9600);
    const a1 = c.lineChanged(510);
    const a2 = c.tick(wake(a1)!);
    expect(ofType(a2, 'warning')[0]!.warning).toMatchObject({ code: 'BAUD_NOT_ACCEPTED' });
    const a3 = c.lineChanged(wake(a1)! + 10);
    expect(ofType(a3, 'baud')[0]!.baudRate).toBe(300);
    const a4 = c.tick(wake(a3)!);
    expect(sends(a4)).toEqual([REQ]);
    const a5 = c.receive(b('/ABCETYPE\r\n'), wake(a3)! + 200);
    expect(setLine(a5)).toBeUndefined();
    expect(isDone(c.receive(encodeDataMessage(block(E350_LINES)), wake(a3)! + 900))).toBe(true);
  });
  it('a meter that keeps talking at 300 baud is asked again at the drain cap (10 min)', () => {
    const c = readout();
    const a0 = toData(c);
    c.tick(wake(a0)!);
    c.lineChanged(3000); // cap: 603000
    expect(wake(c.receive(b('1.8.0(1)'), 10_000))).toBe(11_500);
    expect(wake(c.receive(b('2.8.0(2)'), 602_000))).toBe(603_000);
    expect(sends(c.tick(603_000))).toEqual([REQ]);
  });
});

describe('mode E', () => {
  const identified = (o: Partial<IecClientOptions> = {}) => {
    const c = new IecClient({ purpose: 'modeE', maxBaud: 19200, ...o });
    c.start(0);
    const a = c.receive(b(`${ZMD_IDENT}\r\n`), 500);
    expect(sends(a)).toEqual(['\x06252\r\n']);
    // The ACK starts tr = 200 ms after the identification (700) and leaves at 900; the meter's
    // own acknowledgement is awaited until max(900, 700 + 300) + its wire time 200.
    expect(a.find((x) => x.type === 'send')).toMatchObject({ notBefore: 700 });
    expect(wake(a)).toBe(1200);
    return c;
  };
  it('an acknowledgement under way gets one extension of its wire time, no more', () => {
    const c = identified();
    c.receive(b('\x06252\r\n'), 950); // head echo
    c.receive(b('\x062'), 1150); // the meter's acknowledgement starts
    const a1 = c.tick(1200);
    expect(setLine(a1)).toBeUndefined();
    expect(wake(a1)).toBe(1400);
    c.receive(b('5'), 1300);
    const a2 = c.tick(1400);
    expect(setLine(a2)).toMatchObject({ line: { baudRate: 9600, dataBits: 8, parity: 'none' }, notBefore: 1400 });
  });
  it('smart probe (fixedBaud): 8N1 at the unchanged speed, handover at 300', () => {
    const c = identified({ fixedBaud: true });
    expect(setLine(c.tick(1200))?.line).toEqual({ baudRate: 300, dataBits: 8, parity: 'none' });
    expect(ofType(c.lineChanged(1210), 'handover')[0]).toMatchObject({ baudRate: 300 });
  });
});

describe('programming mode', () => {
  it('garbage at the new speed before P0 falls back to 300 baud', () => {
    const { c } = toP0();
    const a = c.receive(garbage(12), 1000);
    expect(ofType(a, 'warning')[0]!.warning.code).toBe('BAUD_NOT_ACCEPTED');
    expect(setLine(a)?.line.baudRate).toBe(300);
    expect(sends(a)).toEqual([]);
  });
  it('silence at the new speed before P0 falls back to 300 baud', () => {
    const { c, acts } = toP0();
    const a = c.tick(wake(acts)!);
    expect(ofType(a, 'warning')[0]!.warning.detail).toMatch(/^no answer: /);
    expect(setLine(a)?.line.baudRate).toBe(300);
  });
  it('an answer split in blocks (EOT) is acknowledged block by block and read as one', () => {
    const { c } = toR1();
    expect(sends(c.receive(encodeDataMessage('1.8.0(', 0x04), 1400))).toEqual(['\x06']);
    expect(sends(c.receive(encodeDataMessage('00', 0x04), 1500))).toEqual(['\x06']);
    const a = c.receive(encodeDataMessage('01*kWh)'), 1600);
    expect(ofType(a, 'readings')[0]!.readings[0]).toMatchObject({ address: '1.8.0', value: '0001', unit: 'kWh' });
  });
  it('progress counts every programming-mode byte (P0, ACK, answer so far)', () => {
    const { c } = toR1();
    expect(ofType(c.receive(encodeDataMessage('1.8.0(1)').slice(0, 3), 1400), 'progress')).toEqual([{ type: 'progress', bytes: P0.length + 1 + 3 }]);
  });
  it('NAK limit before P0: no B0; after P0: B0', () => {
    const bad = P0.slice();
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    const before = toP0({ maxNak: 0 }).c.receive(bad, 1200);
    expect(failure(before)?.code).toBe('BCC_MISMATCH');
    expect(sends(before)).toEqual([]);
    const { c } = toR1({ maxNak: 0 });
    const answer = encodeDataMessage('1.8.0(1)');
    answer[answer.length - 1] = answer[answer.length - 1]! ^ 1;
    const after = c.receive(answer, 1400);
    expect(failure(after)?.code).toBe('BCC_MISMATCH');
    expect(sends(after)).toEqual([B0]);
  });
  it("the meter's B0: AUTH_REJECTED after the password, METER_ERROR before P0; no B0 back", () => {
    const { c } = toP0();
    c.receive(P0, 1200);
    const a1 = c.receive(encodeCommand({ command: 'B', type: '0' }), 1300);
    expect(failure(a1)?.code).toBe('AUTH_REJECTED');
    expect(sends(a1)).toEqual([]);
    const a2 = toP0().c.receive(encodeCommand({ command: 'B', type: '0' }), 1200);
    expect(failure(a2)?.code).toBe('METER_ERROR');
    expect(sends(a2)).toEqual([]);
  });
  it('a second P0 during the session is NAKed', () => {
    const { c } = toR1();
    const a = c.receive(P0, 1400);
    expect(sends(a)).toEqual(['\x15']);
    expect(a).toContainEqual({ type: 'trace', summary: 'unexpected command P0' });
  });
  it('an address that cannot be encoded is skipped with INVALID_REQUEST', () => {
    const { c } = toP0({ reads: ['x\x02y', '1.8.0'] });
    c.receive(P0, 1200);
    const a = c.receive(Uint8Array.of(ACK), 1300);
    expect(ofType(a, 'warning')[0]!.warning).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(sends(a)[0]!.startsWith('\x01R1\x021.8.0()')).toBe(true);
  });
  it('an empty password is still sent (P1 with "()")', () => {
    const { c } = toP0({ password: '' });
    expect(sends(c.receive(P0, 1200))[0]!.startsWith('\x01P1\x02()\x03')).toBe(true);
  });
  it('no password: R1 right after P0; no reads: B0 and done', () => {
    const { c } = toP0({ password: undefined, reads: [] });
    const a = c.receive(P0, 1200);
    expect(sends(a)).toEqual([B0]);
    expect(isDone(a)).toBe(true);
  });
  it('a message longer than maxMessageBytes: B0 and GARBLED', () => {
    const { c } = toP0({ maxMessageBytes: 10 });
    const a = c.receive(P0, 1200);
    expect(failure(a)?.code).toBe('GARBLED');
    expect(sends(a)).toEqual([B0]);
  });
  it('a silent meter: the timeout names the address read (B0 first)', () => {
    const { c, acts } = toR1();
    const a = c.tick(wake(acts)!);
    expect(sends(a)).toEqual([B0]);
    expect(failure(a)).toMatchObject({ code: 'TIMEOUT_REACTION', detail: 'no answer to R1 1.8.0' });
    const p1 = toP0();
    const a1 = p1.c.receive(P0, 1200);
    expect(failure(p1.c.tick(wake(a1)!))).toMatchObject({ code: 'TIMEOUT_REACTION', detail: 'no answer in programming mode' });
  });
  it('cancel before P0 sends no B0', () => {
    const { c } = toP0();
    const a = c.cancel(1000);
    expect(sends(a)).toEqual([]);
    expect(failure(a)?.code).toBe('CANCELLED');
  });
});
