/** Received chunks joined into whole frames and lines (HDLC by its length field, IEC by CR LF / ETX BCC). */
import { describe, expect, it } from 'vitest';
import { traceFrames } from '../../../renderer/src/trace-frames';
import type { TraceEntry } from '../../../shared/types';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const rx = (h: string): TraceEntry => ({ t: '2026-12-01T10:00:00.000Z', dir: 'rx', hex: h, summary: '' });

describe('traceFrames', () => {
  it('an identification received one byte at a time is one row', () => {
    const line = hex('/LGZ5\\2ZMF100AC.d2\r\n');
    const chunks = line.match(/../g)!.map(rx);
    const f = traceFrames([{ t: 'x', dir: 'tx', hex: hex('/?!\r\n'), summary: '/?!' }, ...chunks]);
    expect(f.map((x) => [x.dir, x.hex, x.incomplete])).toEqual([
      ['tx', hex('/?!\r\n'), false],
      ['rx', line, false],
    ]);
    expect(f[1]!.parts).toBe(line.length / 2);
  });

  it('HDLC frames by their length field: split across chunks, two in one chunk', () => {
    const ua = '7ea01e0321735f1a8180120501f80601f00704000000010804000000074c427e';
    const rr = '7ea00703211151b27e';
    const f = traceFrames([rx(ua.slice(0, 10)), rx(ua.slice(10) + rr.slice(0, 6)), rx(rr.slice(6))]);
    expect(f.map((x) => x.hex)).toEqual([ua, rr]);
    expect(f.every((x) => !x.incomplete)).toBe(true);
  });

  it('a data block ends at ETX and its BCC; a lone ACK is one row; a cut-off frame is marked', () => {
    const block = `02${hex('1.8.0(001234.567*kWh)\r\n!\r\n')}0344`;
    const f = traceFrames([rx(block.slice(0, 20)), rx(block.slice(20)), rx('06'), rx('7ea02103')]);
    expect(f.map((x) => [x.hex, x.incomplete])).toEqual([
      [block, false],
      ['06', false],
      ['7ea02103', true],
    ]);
  });
});
