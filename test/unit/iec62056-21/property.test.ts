import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OmrError } from '../../../shared/errors';
import {
  decodeCommand,
  decodeDataMessage,
  encodeCommand,
  encodeDataMessage,
  encodeIdentification,
  encodeOptionSelect,
  parseIdentification,
  parseOptionSelect,
  scanMessage,
  strip7E1,
  add7E1,
} from '../../../electron/engine/iec62056-21/codec';
import { IecClient, type IecPurpose } from '../../../electron/engine/iec62056-21/client';
import { formatDataBlock, parseDataBlock, parseReadout } from '../../../electron/engine/iec62056-21/readout';
import { normaliseObis } from '../../../electron/engine/obis/normalise';
import type { A } from './harness';

const onlyOmr = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof OmrError)) throw e;
  }
};

const dataText = fc.string({ unit: fc.constantFrom(...'0123456789.:-*()!ABCFP& \r\nkWhV'.split('')), maxLength: 200 });
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });

describe('round trips', () => {
  it('data message', () => {
    fc.assert(
      fc.property(dataText, (text) => {
        expect(decodeDataMessage(encodeDataMessage(text)).text).toBe(text);
      }),
    );
  });
  it('command message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('P', 'W', 'R', 'E', 'B' as const),
        fc.constantFrom('0', '1', '2', '5'),
        fc.option(printable, { nil: undefined }),
        (command, type, data) => {
          const msg = { command, type, ...(data === undefined ? {} : { data }) } as Parameters<typeof encodeCommand>[0];
          const d = decodeCommand(encodeCommand(msg));
          expect(d.command).toBe(command);
          expect(d.type).toBe(type);
          expect(d.data).toBe(data);
        },
      ),
    );
  });
  it('identification', () => {
    const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
    fc.assert(
      fc.property(
        letter,
        letter,
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split('')),
        fc.constantFrom(...'0123456ABCDEFGHIZ'.split('')),
        fc.option(fc.constantFrom('2', '3', '@'), { nil: undefined }),
        printable.filter((s) => s.length > 0 && !s.startsWith('\\')),
        (m1, m2, m3, baudChar, enhanced, ident) => {
          const id = parseIdentification(encodeIdentification({ manufacturer: m1 + m2 + m3, baudChar, ...(enhanced ? { enhanced } : {}), ident }));
          expect(id.manufacturer).toBe(m1 + m2 + m3);
          expect(id.baudChar).toBe(baudChar);
          expect(id.enhanced).toBe(enhanced);
          expect(id.ident).toBe(ident);
          expect(id.modeE).toBe(enhanced === '2');
        },
      ),
    );
  });
  it('option select and 7E1', () => {
    const c = fc.constantFrom(...'0123456'.split(''));
    fc.assert(
      fc.property(c, c, c, (protocol, baudChar, mode) => {
        expect(parseOptionSelect(encodeOptionSelect({ protocol, baudChar, mode }))).toEqual({ protocol, baudChar, mode });
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const seven = bytes.map((x) => x & 0x7f);
        expect(strip7E1(add7E1(seven))).toEqual({ bytes: seven, parityErrors: 0 });
      }),
    );
  });
  it('readout format → parse keeps every value', () => {
    const value = fc.string({ unit: fc.constantFrom(...'0123456789.:'.split('')), minLength: 1, maxLength: 12 }).filter((v) => !/^[.]*$/.test(v));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 9 }), value, fc.constantFrom('', 'kWh', 'V', 'A')), { maxLength: 20 }),
        (rows) => {
          const lines = rows.map(([c, d, v, u]) => ({ address: `${c}.8.${d}`, groups: [{ value: v, unit: u }] }));
          const r = parseReadout(formatDataBlock(lines), { readAt: 'x' });
          expect(r.map((x) => [x.address, x.value, x.unit])).toEqual(rows.map(([c, d, v, u]) => [`${c}.8.${d}`, v, u]));
        },
      ),
    );
  });
});

describe('random and mutated input never throws anything but OmrError', () => {
  it('decoders', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        onlyOmr(() => decodeDataMessage(bytes));
        onlyOmr(() => decodeCommand(bytes));
        onlyOmr(() => parseIdentification(bytes));
        onlyOmr(() => parseOptionSelect(bytes));
        onlyOmr(() => scanMessage(bytes));
        const text = String.fromCharCode(...bytes);
        onlyOmr(() => parseDataBlock(text));
        onlyOmr(() => parseReadout(text, { readAt: 'x' }));
        onlyOmr(() => normaliseObis(text));
      }),
      { numRuns: 500 },
    );
  });
  it('mutated valid messages', () => {
    const base = encodeDataMessage('F.F(00)\r\n1.8.0(000065.3*kWh)\r\n1-0:32.7.0(230.1*V)\r\n!\r\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (muts) => {
        const m = base.slice();
        for (const [i, v] of muts) m[i] = v;
        onlyOmr(() => decodeDataMessage(m));
        onlyOmr(() => parseReadout(String.fromCharCode(...m), { readAt: 'x' }));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the client machine on random input', () => {
  it('only ever fails with OmrError and always ends in bounded steps', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 40 }), dt: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({
        kind: fc.constant('valid' as const),
        which: fc.constantFrom('/LGZ5\\2ZMD4054459.B40\r\n', '\x06', '\x15', '\x02F.F(00)\r\n!\r\n\x03\x6d', '\x01P0\x02(1)\x03\x61', '/?!\r\n'),
        dt: fc.integer({ min: 0, max: 3000 }),
      }),
      fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 5000 }) }),
      fc.record({ kind: fc.constant('line' as const), dt: fc.integer({ min: 0, max: 500 }) }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom<IecPurpose>('identify', 'readout', 'programming', 'modeE'),
        fc.boolean(),
        fc.array(step, { maxLength: 30 }),
        (purpose, soft, steps) => {
          const c = new IecClient({ purpose, maxBaud: 9600, password: 'pw', reads: ['1.8.0'], parityInSoftware: soft });
          let t = 0;
          let ended = false;
          const check = (acts: A[]) => {
            for (const a of acts) {
              if (a.type === 'fail') expect(a.error).toBeInstanceOf(OmrError);
              if (a.type === 'fail' || a.type === 'done') ended = true;
              if (a.type === 'send' && a.summary.includes('pw')) throw new Error('password in a summary');
            }
          };
          check(c.start(t));
          for (const s of steps) {
            t += s.dt;
            if (s.kind === 'bytes') check(c.receive(s.bytes, t));
            else if (s.kind === 'valid')
              check(
                c.receive(
                  Uint8Array.from(s.which, (ch) => ch.charCodeAt(0)),
                  t,
                ),
              );
            else if (s.kind === 'tick') check(c.tick(t));
            else check(c.lineChanged(t));
          }
          // Silence from now on: the machine must end by itself within a bounded number of wake-ups.
          for (let i = 0; i < 40 && !ended; i++) {
            t += 11 * 60_000;
            check(c.lineChanged(t));
            check(c.tick(t));
          }
          expect(ended).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
