import { describe, expect, it } from 'vitest';
import { OmrError } from '../../../shared/errors';
import {
  ACK,
  ETX,
  NAK,
  STX,
  add7E1,
  bcc,
  baudFromChar,
  decodeCommand,
  decodeDataMessage,
  encodeCommand,
  encodeCommandWithSpan,
  encodeDataMessage,
  encodeIdentification,
  encodeOptionSelect,
  encodeRequest,
  fromLatin1,
  latin1,
  modeCCharFor,
  parseErrorAnswer,
  parseIdentification,
  parseOptionSelect,
  parseRequest,
  scanMessage,
  strip7E1,
} from '../../../electron/engine/iec62056-21/codec';
import { APA_IDENT_BYTES, E350_IDENT, ISKRA_IDENT, ZMD_IDENT } from './captures';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OmrError);
    return (e as OmrError).code;
  }
  return undefined;
}

describe('BCC', () => {
  it('is the XOR of the bytes after STX up to and including ETX', () => {
    // STX "1.8.0(1)" CR LF "!" CR LF ETX: computed by hand below.
    const msg = encodeDataMessage('A\r\n');
    expect(Array.from(msg)).toEqual([STX, 0x41, 0x0d, 0x0a, ETX, 0x41 ^ 0x0d ^ 0x0a ^ ETX]);
    expect(bcc(msg, 1, msg.length - 1)).toBe(msg[msg.length - 1]);
  });
  it('accepts a BCC equal to LF and rejects a wrong one with BCC_MISMATCH', () => {
    // "(" ^ ")" ^ ETX = 0x28 ^ 0x29 ^ 0x03 = 0x02; add 0x08 → 0x0a (LF).
    const msg = encodeDataMessage('()\b');
    expect(msg[msg.length - 1]).toBe(0x0a);
    expect(decodeDataMessage(msg).text).toBe('()\b');
    const bad = msg.slice();
    bad[bad.length - 1] = 0x0b;
    expect(code(() => decodeDataMessage(bad))).toBe('BCC_MISMATCH');
  });
});

describe('request', () => {
  it('encodes /?! and /?address!', () => {
    expect(latin1(encodeRequest())).toBe('/?!\r\n');
    expect(latin1(encodeRequest('12345678'))).toBe('/?12345678!\r\n');
    expect(parseRequest('/?12345678!\r\n')).toEqual({ address: '12345678' });
    expect(parseRequest('/?!')).toEqual({ address: '' });
    expect(parseRequest('/LGZ5')).toBeUndefined();
  });
  it('refuses addresses with reserved characters or over 32 characters', () => {
    expect(code(() => encodeRequest('a!b'))).toBe('INVALID_REQUEST');
    expect(code(() => encodeRequest('x'.repeat(33)))).toBe('INVALID_REQUEST');
  });
});

describe('identification (real lines)', () => {
  it('Landis+Gyr ZMD: /LGZ5\\2ZMD4054459.B40 (pwitab/iec62056-21#16)', () => {
    const id = parseIdentification(`${ZMD_IDENT}\r\n`);
    expect(id).toEqual({
      manufacturer: 'LGZ',
      baudChar: '5',
      maxBaud: 9600,
      mode: 'C',
      enhanced: '2',
      modeE: true,
      reducedReactionTime: false,
      ident: 'ZMD4054459.B40',
      raw: '/LGZ5\\2ZMD4054459.B40',
    });
  });
  it('Landis+Gyr E350 manual: /LGZ0ZCF100AC.MXX (mode C, 300 baud only, no \\W)', () => {
    const id = parseIdentification(E350_IDENT);
    expect(id.manufacturer).toBe('LGZ');
    expect(id.maxBaud).toBe(300);
    expect(id.mode).toBe('C');
    expect(id.enhanced).toBeUndefined();
    expect(id.modeE).toBe(false);
    expect(id.ident).toBe('ZCF100AC.MXX');
  });
  it('APA …NORAX30 bytes from u9n/dlms-cosem#37', () => {
    const id = parseIdentification(fromLatin1(APA_IDENT_BYTES));
    expect(id.manufacturer).toBe('APA');
    expect(id.maxBaud).toBe(9600);
    expect(id.modeE).toBe(true);
    expect(id.ident).toBe('NORAX30');
    expect(id.raw).toBe('/APA5\\2NORAX30');
  });
  it('Iskra MT382: lower-case third letter = 20 ms reaction time, dash kept in the ident', () => {
    const id = parseIdentification(ISKRA_IDENT);
    expect(id.manufacturer).toBe('ISk');
    expect(id.reducedReactionTime).toBe(true);
    expect(id.ident).toBe('MT382-1000');
    expect(id.modeE).toBe(true);
  });
  it('keeps spaces and dashes in the ident and other enhanced capabilities', () => {
    const q = parseIdentification('/EMH5\\@Q3DA1024 V3.03');
    expect(q.enhanced).toBe('@');
    expect(q.modeE).toBe(false);
    expect(q.ident).toBe('Q3DA1024 V3.03');
    const e = parseIdentification('/ESY5----eHZ-E0018E');
    expect(e.ident).toBe('----eHZ-E0018E');
    expect(e.enhanced).toBeUndefined();
  });
  it('reads the mode from the baud character', () => {
    expect(baudFromChar('6')).toEqual({ mode: 'C', maxBaud: 19200 });
    expect(baudFromChar('A')).toEqual({ mode: 'B', maxBaud: 600 });
    expect(baudFromChar('F')).toEqual({ mode: 'B', maxBaud: 19200 });
    expect(baudFromChar('G').mode).toBe('B');
    expect(baudFromChar('Z')).toEqual({ mode: 'A', maxBaud: 300 });
    expect(baudFromChar('9')).toEqual({ mode: 'A', maxBaud: 300 });
    expect(parseIdentification('/ABC7XYZ').mode).toBe('A');
    expect(modeCCharFor(9600)).toBe('5');
    expect(modeCCharFor(5000)).toBe('4');
    expect(modeCCharFor(100)).toBe('0');
  });
  it('rejects what is not an identification with GARBLED', () => {
    for (const bad of ['/?!', 'LGZ5ZMD', '/LG5', '/LGZ\\2ZMD', '/LGZ5', '/L\x00Z5ZMD', '/LGZ5\\']) {
      expect(code(() => parseIdentification(bad))).toBe('GARBLED');
    }
  });
  it('round-trips through encodeIdentification', () => {
    const bytes = encodeIdentification({ manufacturer: 'LGZ', baudChar: '5', enhanced: '2', ident: 'ZMF100AC.d2' });
    expect(latin1(bytes)).toBe('/LGZ5\\2ZMF100AC.d2\r\n');
    expect(parseIdentification(bytes).ident).toBe('ZMF100AC.d2');
  });
});

describe('option select', () => {
  it('encodes ACK V Z Y CR LF (readout, programming, mode E)', () => {
    expect(Array.from(encodeOptionSelect({ protocol: '0', baudChar: '5', mode: '0' }))).toEqual([ACK, 0x30, 0x35, 0x30, 0x0d, 0x0a]);
    expect(latin1(encodeOptionSelect({ protocol: '2', baudChar: '5', mode: '2' }))).toBe('\x06252\r\n');
    expect(parseOptionSelect('\x06051\r\n')).toEqual({ protocol: '0', baudChar: '5', mode: '1' });
    expect(parseOptionSelect('\x0605\r\n')).toBeUndefined();
  });
});

describe('programming commands', () => {
  it('encodes P1 with the password span and B0 without data', () => {
    const { bytes, dataStart, dataEnd } = encodeCommandWithSpan({ command: 'P', type: '1', data: '(00000000)' });
    expect(latin1(bytes, 0, bytes.length - 1)).toBe('\x01P1\x02(00000000)\x03');
    expect(latin1(bytes, dataStart, dataEnd)).toBe('(00000000)');
    expect(bytes[bytes.length - 1]).toBe(bcc(bytes, 1, bytes.length - 1));
    const b0 = encodeCommand({ command: 'B', type: '0' });
    expect(Array.from(b0)).toEqual([0x01, 0x42, 0x30, 0x03, 0x42 ^ 0x30 ^ 0x03]);
    expect(decodeCommand(b0)).toEqual({ command: 'B', type: '0', end: ETX });
  });
  it('decodes P0 from a meter and checks its BCC', () => {
    const p0 = encodeCommand({ command: 'P', type: '0', data: '(12345678)' });
    expect(decodeCommand(p0)).toEqual({ command: 'P', type: '0', data: '(12345678)', end: ETX });
    const bad = p0.slice();
    bad[5] = bad[5]! ^ 1;
    expect(code(() => decodeCommand(bad))).toBe('BCC_MISMATCH');
    expect(code(() => decodeCommand(Uint8Array.of(1, 0x58, 0x30, 3, 0)))).toBe('DECODE_ERROR');
  });
  it('recognises (ERxx) answers', () => {
    expect(parseErrorAnswer('(ER05)')).toBe('ER05');
    expect(parseErrorAnswer('1.8.0(ER12)\r\n')).toBe('ER12');
    expect(parseErrorAnswer('1.8.0(0001.2*kWh)')).toBeUndefined();
  });
});

describe('7E1 through an 8N1 path (pwitab/iec62056-21#16)', () => {
  it("sees '/' as 0xAF and CR as 0x8D, strips and counts parity errors", () => {
    const wire = add7E1(fromLatin1('/\r\n'));
    expect(Array.from(wire)).toEqual([0xaf, 0x8d, 0x0a]);
    expect(strip7E1(wire)).toEqual({ bytes: fromLatin1('/\r\n'), parityErrors: 0 });
    expect(strip7E1(Uint8Array.of(0x2f, 0x8a)).parityErrors).toBe(2);
  });
});

describe('scanMessage', () => {
  it('finds ACK, NAK, lines and messages and reads exactly one byte after ETX', () => {
    expect(scanMessage(Uint8Array.of(ACK))).toEqual({ kind: 'ack', length: 1 });
    expect(scanMessage(Uint8Array.of(NAK))).toEqual({ kind: 'nak', length: 1 });
    expect(scanMessage(fromLatin1('/LGZ5ZMD\r'))).toBeUndefined();
    expect(scanMessage(fromLatin1('/LGZ5ZMD\r\nx'))).toEqual({ kind: 'line', length: 10 });
    expect(scanMessage(Uint8Array.of(STX, 0x41, ETX))).toBeUndefined();
    expect(scanMessage(Uint8Array.of(STX, 0x41, ETX, 0x0a, 0x99))).toEqual({ kind: 'data', length: 4 });
    expect(scanMessage(Uint8Array.of(0x7f, STX))).toEqual({ kind: 'noise', length: 1 });
  });
});
