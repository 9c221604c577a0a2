/** The RFC 2217 telnet codec (sans-IO), the parity judge and the rfc2217:// port strings. */
import { describe, expect, it } from 'vitest';
import { parsePort } from '../../../electron/link/open';
import { ParityJudge, addParity, stripParity } from '../../../electron/link/parity';
import {
  CPO,
  DO,
  DONT,
  IAC,
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_ECHO,
  OPT_SGA,
  SB,
  SE,
  TelnetClient,
  WILL,
  WONT,
  baudValue,
  decodeBaud,
  encodeComPort,
  escapeIac,
} from '../../../electron/link/telnet';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('telnet codec', () => {
  it('doubles 0xFF in data and in sub-negotiation values', () => {
    expect(hex(escapeIac(Uint8Array.of(0x7e, 0xff, 0x01, 0xff)))).toBe('7effff01ffff');
    // 255 baud would put 0xFF in the value: it is doubled inside SB … SE too.
    expect(hex(encodeComPort(CPO.SET_BAUDRATE, baudValue(255)))).toBe('fffa2c01000000fffffff0');
  });

  it('encodes SET-BAUDRATE big-endian and decodes the answer', () => {
    expect(hex(encodeComPort(CPO.SET_BAUDRATE, baudValue(9600)))).toBe('fffa2c0100002580fff0');
    expect(decodeBaud(baudValue(19200))).toBe(19200);
  });

  it('removes escaping from received data, split anywhere', () => {
    const t = new TelnetClient();
    const stream = Uint8Array.of(0x7e, IAC, IAC, 0x01, IAC, SB, OPT_COM_PORT, 101, 0, 0, 0x25, 0x80, IAC, SE, 0x7e);
    const data: number[] = [];
    const acks: { command: number; value: string }[] = [];
    for (const b of stream) {
      const r = t.receive(Uint8Array.of(b));
      data.push(...r.data);
      acks.push(...r.comPort.map((c) => ({ command: c.command, value: hex(c.value) })));
    }
    expect(hex(Uint8Array.from(data))).toBe('7eff017e');
    expect(acks).toEqual([{ command: CPO.SET_BAUDRATE, value: '00002580' }]);
  });

  it('answers the negotiation ser2net opens with, once, and agrees to COM-PORT-OPTION', () => {
    const t = new TelnetClient();
    t.open();
    // What ser2net 4.3 sends on connect (recorded): WILL SGA, DO SGA, WILL ECHO, DONT ECHO, DO BINARY, WILL BINARY, DO COM-PORT.
    const r = t.receive(Uint8Array.from(Buffer.from('fffb03fffd03fffb01fffe01fffd00fffb00fffd2c', 'hex')));
    expect(r.data.length).toBe(0);
    expect(r.replies.map(hex)).toEqual([
      hex(Uint8Array.of(IAC, WILL, OPT_SGA)),
      hex(Uint8Array.of(IAC, DONT, OPT_ECHO)),
      hex(Uint8Array.of(IAC, WONT, OPT_ECHO)),
    ]);
    expect(t.comPortAgreed).toBe(true);
    // The same requests again change nothing: no reply (no negotiation loop).
    expect(t.receive(Uint8Array.from(Buffer.from('fffd00fffb00fffd2cfffb01', 'hex'))).replies).toEqual([]);
    expect(t.receive(Uint8Array.of(IAC, DO, 99)).replies.map(hex)).toEqual([hex(Uint8Array.of(IAC, WONT, 99))]);
    expect(t.receive(Uint8Array.of(IAC, DO, OPT_BINARY)).replies).toEqual([]);
  });

  it('bounds a sub-negotiation that never ends', () => {
    const t = new TelnetClient();
    const r = t.receive(Uint8Array.from([IAC, SB, OPT_COM_PORT, ...new Array(10_000).fill(1)]));
    expect(r.data.length).toBe(0);
    expect(t.receive(Uint8Array.of(IAC, SE, 0x41)).data).toEqual(Uint8Array.of(0x41));
  });
});

describe('parity judge', () => {
  const text = Uint8Array.from('/LGZ5\\2ZMF100AC.M29\r\n', (c) => c.charCodeAt(0));
  it('a 7-bit far side (bit 7 never set) gives no parity error and is called stripped', () => {
    const j = new ParityJudge();
    const { parityErrors } = stripParity(text, 'even');
    expect(parityErrors).toBeGreaterThan(0);
    expect(j.judge(text, parityErrors)).toBe(0);
    expect(j.state).toBe('stripped');
  });
  it('an 8-bit path with the parity bit is checked, and real errors still count', () => {
    const j = new ParityJudge();
    const wire = addParity(text, 'even');
    expect(j.judge(wire, stripParity(wire, 'even').parityErrors)).toBe(0);
    expect(j.state).toBe('checked');
    const bad = addParity(text, 'odd');
    expect(j.judge(bad, stripParity(bad, 'even').parityErrors)).toBeGreaterThan(0);
  });
});

describe('rfc2217:// ports', () => {
  it('parses host and port, IPv6 in brackets, and refuses a malformed address', () => {
    expect(parsePort('rfc2217://127.0.0.1:2217')).toEqual({ kind: 'rfc2217', host: '127.0.0.1', port: 2217 });
    expect(parsePort('RFC2217://[::1]:7000/')).toEqual({ kind: 'rfc2217', host: '::1', port: 7000 });
    expect(() => parsePort('rfc2217://host')).toThrow(/rfc2217:\/\/host:port/);
    expect(() => parsePort('rfc2217://host:70000')).toThrow();
    expect(parsePort('tcp://h:1')).toEqual({ kind: 'tcp', host: 'h', port: 1 });
  });
});
