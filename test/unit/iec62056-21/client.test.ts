import { describe, expect, it } from 'vitest';
import { IecClient, collectIecResult, type IecClientOptions } from '../../../electron/engine/iec62056-21/client';
import { ACK, NAK, add7E1, encodeCommand, encodeDataMessage, latin1 } from '../../../electron/engine/iec62056-21/codec';
import { ZMD_IDENT, ZMD_LINES, E350_IDENT, E350_LINES } from './captures';
import { type A, b, failure, isDone, ofType, sends, setLine, wake } from './harness';

const REQ = '/?!\r\n';
const block = (lines: string[]) => lines.map((l) => `${l}\r\n`).join('') + '!\r\n';
const readout = (o: Partial<IecClientOptions> = {}) => new IecClient({ purpose: 'readout', maxBaud: 9600, ...o });

/** Start, get the identification, switch: returns the client after lineChanged at t = 900. */
function toDataPhase(c: IecClient, ident = ZMD_IDENT): A[] {
  const all: A[] = [];
  all.push(...c.start(0));
  all.push(...c.receive(b(`${ident}\r\n`), 500));
  all.push(...c.lineChanged(900));
  return all;
}

describe('mode C readout (Landis+Gyr ZMD identification and data from pwitab/iec62056-21#16)', () => {
  it('requests, switches to 9600 and reads the data block the moment its BCC arrives', () => {
    const c = readout();
    const a0 = c.start(0);
    expect(sends(a0)).toEqual([REQ]);
    // reaction deadline = wire time of 5 chars at 300 baud (167 ms) + 1500 ms
    expect(wake(a0)).toBe(167 + 1500);
    const a1 = c.receive(b(`${ZMD_IDENT}\r\n`), 520);
    expect(ofType(a1, 'identity')[0]!.identity.ident).toBe('ZMD4054459.B40');
    expect(sends(a1)).toEqual(['\x06050\r\n']);
    // The option select waits the shortest reaction time (200 ms) after the identification; the
    // speed changes 300 ms after the option select started.
    expect(a1.find((a) => a.type === 'send')).toMatchObject({ notBefore: 720 });
    expect(setLine(a1)).toEqual({ type: 'setLine', line: { baudRate: 9600, dataBits: 7, parity: 'even' }, notBefore: 1020 });
    const a2 = c.lineChanged(1020);
    expect(ofType(a2, 'baud')[0]!.baudRate).toBe(9600);
    expect(wake(a2)).toBe(2520);
    const msg = encodeDataMessage(block(ZMD_LINES));
    const cut = 100;
    const a3 = c.receive(msg.slice(0, cut), 1000);
    expect(ofType(a3, 'progress')[0]!.bytes).toBe(cut);
    expect(ofType(a3, 'readings')).toHaveLength(0);
    expect(wake(a3)).toBe(2500); // inter-character deadline
    const a4 = c.receive(msg.slice(cut), 1100);
    const r = ofType(a4, 'readings')[0]!;
    expect(r.complete).toBe(true);
    expect(r.readings).toHaveLength(ZMD_LINES.length);
    expect(r.readings[15]).toMatchObject({ address: '1.8.1', obis: '1-0:1.8.1*255', value: '0302.8260', unit: 'kWh', readAt: new Date(1100).toISOString() });
    expect(isDone(a4)).toBe(true);
    const res = c.result;
    expect(res.done).toBe(true);
    expect(res.identity?.raw).toBe(ZMD_IDENT);
    expect(res.readings).toHaveLength(ZMD_LINES.length);
  });

  it('reads exactly one byte after ETX even when the BCC is LF', () => {
    // Find a data block whose BCC is LF by appending a filler data set.
    let text = '';
    search: for (let i = 0x30; i < 0x7b; i++) {
      for (let j = 0x30; j < 0x7b; j++) {
        text = `0.0.0(${String.fromCharCode(i, j)})\r\n1.8.0(0001.234*kWh)\r\n!\r\n`;
        const m = encodeDataMessage(text);
        if (m[m.length - 1] === 0x0a) break search;
      }
    }
    const msg = encodeDataMessage(text);
    expect(msg[msg.length - 1]).toBe(0x0a);
    const c = readout();
    toDataPhase(c);
    const a = c.receive(msg, 1000);
    expect(isDone(a)).toBe(true);
    expect(ofType(a, 'readings')[0]!.readings[1]!.value).toBe('0001.234');
  });

  it('skips the echo of the head (request and option select)', () => {
    const c = readout();
    c.start(0);
    const a1 = c.receive(b(`${REQ}${ZMD_IDENT.slice(0, 6)}`), 170);
    expect(ofType(a1, 'identity')).toHaveLength(0);
    const a2 = c.receive(b(`${ZMD_IDENT.slice(6)}\r\n`), 500);
    expect(ofType(a2, 'identity')).toHaveLength(1);
    // echo of ACK 0 5 0 at the old speed, before the switch
    const a3 = c.receive(b('\x06050\r\n'), 700);
    expect(failure(a3)).toBeUndefined();
    c.lineChanged(900);
    const a4 = c.receive(encodeDataMessage(block(E350_LINES)), 1200);
    expect(ofType(a4, 'readings')[0]!.readings).toHaveLength(E350_LINES.length);
  });

  it('an answer that starts like the echo is not lost', () => {
    // The meter answers "/" + … without echo: the first byte matches the echo but the next does not.
    const c = readout();
    c.start(0);
    const a = c.receive(b(`${ZMD_IDENT}\r\n`), 400);
    expect(ofType(a, 'identity')[0]!.identity.raw).toBe(ZMD_IDENT);
  });

  it('fails ECHO_ONLY when only our own light comes back', () => {
    const c = readout();
    const a0 = c.start(0);
    c.receive(b(REQ), 170);
    const a1 = c.tick(wake(a0)!);
    expect(sends(a1)).toEqual([REQ]); // second request
    c.receive(b(REQ), wake(a0)! + 170);
    const a2 = c.tick(wake(a1)!);
    expect(failure(a2)?.code).toBe('ECHO_ONLY');
  });

  it('fails NO_ECHO_NO_ANSWER after the bounded number of silent requests', () => {
    const c = readout({ requestAttempts: 3 });
    let a = c.start(0);
    let requests = 1;
    for (let i = 0; i < 10 && !failure(a); i++) {
      a = c.tick(wake(a)!);
      requests += sends(a).length;
    }
    expect(failure(a)?.code).toBe('NO_ECHO_NO_ANSWER');
    expect(requests).toBe(3);
  });

  it('wakes a meter that answers only the second request', () => {
    const c = readout();
    const a0 = c.start(0);
    const a1 = c.tick(wake(a0)! - 1);
    expect(sends(a1)).toEqual([]); // an early tick does nothing
    expect(wake(a1)).toBe(wake(a0));
    const a2 = c.tick(wake(a0)!);
    expect(sends(a2)).toEqual([REQ]);
    const a3 = c.receive(b(`${E350_IDENT}\r\n`), wake(a0)! + 600);
    expect(ofType(a3, 'identity')).toHaveLength(1);
    // 300-baud meter: ACK 0 0 0, no line change
    expect(sends(a3)).toEqual(['\x06000\r\n']);
    expect(setLine(a3)).toBeUndefined();
  });

  it('skips noise (0x00, 0x7F) before the "/"', () => {
    const c = readout();
    c.start(0);
    const a = c.receive(Uint8Array.of(0x00, 0x7f, 0x7f, 0x00, ...b(`${ZMD_IDENT}\r\n`)), 400);
    expect(ofType(a, 'identity')).toHaveLength(1);
  });

  it('retries, then fails GARBLED on a line that is not an identification', () => {
    const c = readout();
    c.start(0);
    const a1 = c.receive(b('/L#Z5\r\n'), 400);
    expect(sends(a1)).toEqual([REQ]);
    const a2 = c.receive(b('/L#Z5\r\n'), 2400);
    expect(failure(a2)?.code).toBe('GARBLED');
  });

  it('keeps the readings of a cut-off readout and fails TIMEOUT_INTERCHAR', () => {
    const c = readout();
    toDataPhase(c);
    const msg = encodeDataMessage(block(ZMD_LINES));
    const part = latin1(msg).indexOf('1.8.1(');
    const a1 = c.receive(msg.slice(0, part + 8), 1000);
    const a2 = c.tick(wake(a1)!);
    expect(failure(a2)?.code).toBe('TIMEOUT_INTERCHAR');
    const r = ofType(a2, 'readings')[0]!;
    expect(r.complete).toBe(false);
    expect(r.readings.map((x) => x.address)).toEqual(ZMD_LINES.slice(0, 15).map((l) => l.slice(0, l.indexOf('('))));
    expect(collectIecResult([...a1, ...a2]).error?.code).toBe('TIMEOUT_INTERCHAR');
  });

  it('reports BCC_MISMATCH and keeps the (suspect) readings marked incomplete', () => {
    const c = readout();
    toDataPhase(c);
    const msg = encodeDataMessage(block(E350_LINES));
    msg[msg.length - 1] = msg[msg.length - 1]! ^ 0x01;
    const a = c.receive(msg, 1000);
    expect(failure(a)?.code).toBe('BCC_MISMATCH');
    expect(ofType(a, 'readings')[0]).toMatchObject({ complete: false });
  });

  it('falls back to 300 baud when the meter ignores the proposed speed (garbage at the new speed)', () => {
    const c = readout();
    toDataPhase(c);
    const garbage = Uint8Array.from({ length: 12 }, (_, i) => 0x80 | ((i * 37) & 0x7f));
    const a1 = c.receive(garbage, 1000);
    const w = ofType(a1, 'warning')[0]!.warning;
    expect(w.code).toBe('BAUD_NOT_ACCEPTED');
    expect(setLine(a1)).toMatchObject({ line: { baudRate: 300, dataBits: 7, parity: 'even' } });
    expect(failure(a1)).toBeUndefined();
    const a2 = c.lineChanged(1010);
    // The meter still talks at 300 (its readout): wait until it ends with ETX + BCC.
    const a3 = c.receive(b('2.8.0(0000.0000*kWh)\r\n!\r\n\x03'), 1500);
    expect(sends(a3)).toEqual([]);
    const a4 = c.receive(b('Z'), 1510);
    expect(sends(a4)).toEqual([REQ]);
    const a5 = c.receive(b(`${ZMD_IDENT}\r\n`), 2000);
    expect(sends(a5)).toEqual(['\x06000\r\n']);
    expect(setLine(a5)).toBeUndefined();
    const a6 = c.receive(encodeDataMessage(block(E350_LINES)), 3000);
    expect(isDone(a6)).toBe(true);
    expect(c.result.warnings.map((x) => x.code)).toEqual(['BAUD_NOT_ACCEPTED']);
    expect(c.result.readings).toHaveLength(E350_LINES.length);
    expect(ofType(a2, 'baud')[0]!.baudRate).toBe(300);
  });

  it('falls back when nothing at all arrives at the new speed, and does not fall back twice', () => {
    const c = readout();
    const a0 = toDataPhase(c);
    const a1 = c.tick(wake(a0)!);
    expect(ofType(a1, 'warning')[0]!.warning.code).toBe('BAUD_NOT_ACCEPTED');
    const a2 = c.lineChanged(wake(a0)! + 10);
    const a3 = c.tick(wake(a2)!); // quiet line: request again
    expect(sends(a3)).toEqual([REQ]);
    const a4 = c.receive(b(`${ZMD_IDENT}\r\n`), wake(a2)! + 500);
    const a5 = c.tick(wake(a4)!);
    expect(failure(a5)?.code).toBe('TIMEOUT_REACTION');
  });

  it('handles 7E1 over an 8N1 line in software and reports parity errors', () => {
    const c = readout({ parityInSoftware: true });
    const a0 = c.start(0);
    expect(Array.from((a0.find((a) => a.type === 'send') as Extract<A, { type: 'send' }>).bytes)).toEqual(Array.from(add7E1(b(REQ))));
    const ident = add7E1(b(`${ZMD_IDENT}\r\n`));
    expect(ident[0]).toBe(0xaf);
    const a1 = c.receive(ident, 500);
    expect(ofType(a1, 'identity')).toHaveLength(1);
    expect(setLine(a1)!.line).toEqual({ baudRate: 9600, dataBits: 8, parity: 'none' });
    c.lineChanged(900);
    const msg = add7E1(encodeDataMessage(block(E350_LINES)));
    msg[5] = msg[5]! ^ 0x80; // one character with a wrong parity bit
    const a2 = c.receive(msg, 1000);
    expect(isDone(a2)).toBe(true);
    expect(ofType(a2, 'warning').map((w) => w.warning.code)).toEqual(['PARITY_ERROR']);
  });

  it('detects 7E1 over 8N1 from a 0xAF "/" even when not told', () => {
    const c = readout();
    c.start(0);
    const a1 = c.receive(add7E1(b(`${ZMD_IDENT}\r\n`)), 500);
    expect(ofType(a1, 'identity')).toHaveLength(1);
    expect(ofType(a1, 'warning')[0]!.warning.code).toBe('PARITY_ERROR');
    // the option select goes out with parity bits (CR = 0x8D)
    expect(Array.from((a1.find((a) => a.type === 'send') as Extract<A, { type: 'send' }>).bytes)).toEqual(Array.from(add7E1(b('\x06050\r\n'))));
    expect((a1.find((a) => a.type === 'send') as Extract<A, { type: 'send' }>).bytes[4]).toBe(0x8d);
  });

  it('smart probe (fixedBaud): proposes the speed but never changes the line', () => {
    const c = readout({ fixedBaud: true });
    c.start(0);
    const a = c.receive(b(`${ZMD_IDENT}\r\n`), 500);
    expect(sends(a)).toEqual(['\x06050\r\n']);
    expect(setLine(a)).toBeUndefined();
    const a2 = c.receive(encodeDataMessage(block(E350_LINES)), 900);
    expect(isDone(a2)).toBe(true);
  });

  it('mode A: no option select, the data follows the identification at 300 baud', () => {
    const c = readout();
    c.start(0);
    const a = c.receive(b('/ABC7TYPE\r\n'), 500);
    expect(sends(a)).toEqual([]);
    expect(setLine(a)).toBeUndefined();
    expect(isDone(c.receive(encodeDataMessage(block(E350_LINES)), 900))).toBe(true);
  });

  it('mode B: no option select, the host follows the meter to the announced speed', () => {
    const c = readout();
    c.start(0);
    const a = c.receive(b('/ABCETYPE\r\n'), 500);
    expect(sends(a)).toEqual([]);
    expect(setLine(a)).toEqual({ type: 'setLine', line: { baudRate: 9600, dataBits: 7, parity: 'even' }, notBefore: 500 });
    c.lineChanged(510);
    expect(isDone(c.receive(encodeDataMessage(block(E350_LINES)), 900))).toBe(true);
  });

  it("purpose 'identify' ends after the identification", () => {
    const c = new IecClient({ purpose: 'identify', maxBaud: 19200, address: '54800102' });
    expect(sends(c.start(0))).toEqual(['/?54800102!\r\n']);
    const a = c.receive(b(`${ZMD_IDENT}\r\n`), 500);
    expect(isDone(a)).toBe(true);
    expect(sends(a)).toEqual([]);
  });

  it('cancel in the data phase keeps what was read', () => {
    const c = readout();
    toDataPhase(c);
    c.receive(encodeDataMessage(block(E350_LINES)).slice(0, 40), 1000);
    const a = c.cancel(1100);
    expect(failure(a)?.code).toBe('CANCELLED');
    expect(ofType(a, 'readings')[0]!.readings.map((r) => r.address)).toEqual(['F.F', 'C.1.1']);
    expect(c.cancel(1200)).toEqual([]);
  });
});

describe('programming mode', () => {
  const P0 = encodeCommand({ command: 'P', type: '0', data: '(00123456)' });
  const start = (o: Partial<IecClientOptions> = {}) => {
    const c = new IecClient({ purpose: 'programming', maxBaud: 9600, password: 'S3cr3t!x', reads: ['1.8.0', 'C.1.0', '2.8.0'], ...o });
    c.start(0);
    const a = c.receive(b(`${ZMD_IDENT}\r\n`), 500);
    expect(sends(a)).toEqual(['\x06051\r\n']);
    c.lineChanged(900);
    return c;
  };

  it('logs in with a redacted password, reads with R1, survives NAK and (ERxx), ends with B0', () => {
    const c = start();
    const a1 = c.receive(P0, 1200);
    const p1 = a1.find((a): a is Extract<A, { type: 'send' }> => a.type === 'send')!;
    const text = latin1(p1.bytes);
    expect(text.startsWith('\x01P1\x02(S3cr3t!x)\x03')).toBe(true);
    // every password byte and the BCC are redacted; the summary says nothing
    const redacted = new Set<number>();
    for (const [s, e] of p1.redact ?? []) for (let i = s; i < e; i++) redacted.add(i);
    for (let i = 5; i < 5 + 8; i++) expect(redacted.has(i)).toBe(true);
    expect(redacted.has(p1.bytes.length - 1)).toBe(true);
    expect(JSON.stringify(a1.filter((a) => a.type !== 'send'))).not.toContain('S3cr3t');
    expect(p1.summary).not.toContain('S3cr3t');
    const a2 = c.receive(Uint8Array.of(ACK), 1300);
    expect(sends(a2)[0]!.startsWith('\x01R1\x021.8.0()\x03')).toBe(true);
    const a3 = c.receive(encodeDataMessage('1.8.0(0001234.567*kWh)'), 1400);
    expect(ofType(a3, 'readings')[0]!.readings[0]).toMatchObject({ address: '1.8.0', value: '0001234.567', unit: 'kWh', source: 'programming' });
    expect(sends(a3)[0]!.startsWith('\x01R1\x02C.1.0()\x03')).toBe(true);
    const a4 = c.receive(Uint8Array.of(NAK), 1500);
    expect(sends(a4)[0]!.startsWith('\x01R1\x02C.1.0()\x03')).toBe(true); // repeated
    // some meters answer without the address
    const a5 = c.receive(encodeDataMessage('(12345678)'), 1600);
    expect(ofType(a5, 'readings')[0]!.readings[0]).toMatchObject({ address: 'C.1.0', obis: '0-0:96.1.0*255', value: '12345678' });
    const a6 = c.receive(encodeDataMessage('(ER05)'), 1700);
    expect(ofType(a6, 'warning')[0]!.warning).toEqual({ code: 'METER_ERROR', detail: '2.8.0: ER05' });
    expect(sends(a6)).toEqual([latin1(encodeCommand({ command: 'B', type: '0' }))]);
    expect(isDone(a6)).toBe(true);
  });

  it('a refused password is AUTH_REJECTED, never retried', () => {
    const c = start();
    c.receive(P0, 1200);
    const a = c.receive(encodeDataMessage('(ER05)'), 1300);
    expect(failure(a)?.code).toBe('AUTH_REJECTED');
    expect(sends(a)).toEqual([latin1(encodeCommand({ command: 'B', type: '0' }))]);
  });

  it('asks for a repeat of a damaged answer and gives up with NAK_LIMIT on a meter that keeps NAKing', () => {
    const c = start({ maxNak: 2 });
    c.receive(P0, 1200);
    c.receive(Uint8Array.of(ACK), 1300);
    const bad = encodeDataMessage('1.8.0(1*kWh)');
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    const a1 = c.receive(bad, 1400);
    expect(sends(a1)).toEqual(['\x15']);
    c.receive(Uint8Array.of(NAK), 1500);
    c.receive(Uint8Array.of(NAK), 1600);
    const a = c.receive(Uint8Array.of(NAK), 1700);
    expect(failure(a)?.code).toBe('NAK_LIMIT');
  });

  it('cancel sends B0', () => {
    const c = start();
    c.receive(P0, 1200);
    const a = c.cancel(1250);
    expect(sends(a)).toEqual([latin1(encodeCommand({ command: 'B', type: '0' }))]);
    expect(failure(a)?.code).toBe('CANCELLED');
  });

  it('a silent meter in programming mode: TIMEOUT_REACTION and B0', () => {
    const c = start();
    const a1 = c.receive(P0, 1200);
    const a2 = c.tick(wake(a1)!);
    expect(failure(a2)?.code).toBe('TIMEOUT_REACTION');
    expect(sends(a2)).toHaveLength(1);
  });
});

describe('mode E', () => {
  const start = () => {
    const c = new IecClient({ purpose: 'modeE', maxBaud: 19200 });
    c.start(0);
    return c;
  };
  it('ACK 2 Z 2, then 8N1 at the new speed as soon as the meter acknowledges, then handover', () => {
    const c = start();
    const a1 = c.receive(b(`${ZMD_IDENT}\r\n`), 500);
    expect(sends(a1)).toEqual(['\x06252\r\n']);
    expect(setLine(a1)).toBeUndefined();
    // head echo, then the meter's own acknowledgement at 300 baud
    const a2 = c.receive(b('\x06252\r\n'), 700);
    expect(setLine(a2)).toBeUndefined();
    const a3 = c.receive(b('\x06252\r\n'), 1100);
    expect(setLine(a3)).toEqual({ type: 'setLine', line: { baudRate: 9600, dataBits: 8, parity: 'none' }, notBefore: 1100 });
    const a4 = c.lineChanged(1110);
    expect(ofType(a4, 'handover')[0]).toMatchObject({ baudRate: 9600, line: { dataBits: 8, parity: 'none' } });
    expect(isDone(a4)).toBe(true);
  });
  it('does not wait long for a meter that does not acknowledge', () => {
    const c = start();
    const a1 = c.receive(b(`${ZMD_IDENT}\r\n`), 500);
    const at = wake(a1)!;
    expect(at - 500).toBeLessThanOrEqual(200 + 300 + 200);
    const a2 = c.tick(at);
    expect(setLine(a2)?.line.baudRate).toBe(9600);
  });
  it('MODE_NOT_OFFERED when the identification has no \\2', () => {
    const c = start();
    expect(failure(c.receive(b(`${E350_IDENT}\r\n`), 500))?.code).toBe('MODE_NOT_OFFERED');
  });
});
