/**
 * The frame splitter and decoder on one port: the same mixed stream (HDLC, M-Bus, bare APDU, P1)
 * gives the same results whole, byte by byte, or in random chunks; buffers stay bounded on
 * endless noise or an endless telegram; mutated input gives verdicts, never a throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustomerPortDecoder, type FrameResult } from '../../../electron/engine/customer-port/decoder';
import { FrameSplitter, MAX_TELEGRAM } from '../../../electron/engine/customer-port/splitter';
import { bytesOf, keysOf, layouts, p1Text, pushFrames, pushIndex } from './fixtures';

const stream = (): Uint8Array => {
  const parts = [
    ...pushFrames('ch-iskra-am550-vse2026.hex'),
    bytesOf(p1Text('iskra-am550-dsmr50.txt')),
    ...pushFrames('netz-noe-kaifa-ma309-mbus.hex'),
    pushFrames('sagemcom-xt211-raw-apdu.hex')[0]!,
    ...pushFrames('kaifa-ma304h4-norway-list1.hex'),
    bytesOf(p1Text('kamstrup-dsmr22-gejanssen.txt')),
  ];
  return Uint8Array.from(parts.flatMap((p) => [...p]));
};
const keys = keysOf(pushIndex().find((e) => e.file === 'netz-noe-kaifa-ma309-mbus.hex')!);
const summary = (rs: FrameResult[]) => rs.map((r) => `${r.kind}:${r.verdict.layer}:${r.readings.length}`);

describe('one port, everything', () => {
  const whole = stream();
  const reference = (() => {
    const d = new CustomerPortDecoder({ keys, layouts, allowPlain: true });
    return summary([...d.push(whole, 0), ...d.silence(0)]);
  })();

  it('recognises each kind in a mixed stream', () => {
    expect(reference).toEqual(['hdlc:ok:13', 'p1:ok:32', 'mbus:ok:13', 'apdu:ok:22', 'hdlc:ok:1', 'p1:crc-none:13']);
  });

  it('gives the same results byte by byte', () => {
    const d = new CustomerPortDecoder({ keys, layouts, allowPlain: true });
    const out: FrameResult[] = [];
    for (const b of whole) out.push(...d.push(Uint8Array.of(b), 0));
    out.push(...d.silence(0));
    expect(summary(out)).toEqual(reference);
  });

  it('gives the same results in random chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const d = new CustomerPortDecoder({ keys, layouts, allowPlain: true });
        const out: FrameResult[] = [];
        let i = 0;
        let k = 0;
        while (i < whole.length) {
          const n = sizes[k++ % sizes.length]!;
          out.push(...d.push(whole.subarray(i, i + n), 0));
          i += n;
        }
        out.push(...d.silence(0));
        expect(summary(out)).toEqual(reference);
      }),
      { numRuns: 40 },
    );
  });

  it('mutated input gives verdicts, never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(whole.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (flips) => {
        const b = whole.slice();
        for (const [i, v] of flips) b[i] = v;
        const d = new CustomerPortDecoder({ keys, layouts, allowPlain: true });
        const out = [...d.push(b, 0), ...d.silence(0)];
        for (const r of out) expect(typeof r.verdict.layer).toBe('string');
      }),
      { numRuns: 150 },
    );
  });

  it('keeps its buffers bounded on endless noise and on a telegram that never ends', () => {
    const s = new FrameSplitter();
    const noise = new Uint8Array(4096).fill(0x55);
    for (let i = 0; i < 256; i++) {
      s.push(noise);
      expect(s.buffered).toBeLessThan(64 * 1024);
    }
    const t = new FrameSplitter();
    const line = bytesOf('1-0:1.8.1(000123.456*kWh)\r\n');
    const pieces = [...t.push(bytesOf('/ABC5 endless\r\n\r\n'))];
    for (let i = 0; i < 2000; i++) {
      pieces.push(...t.push(line));
      expect(t.buffered).toBeLessThanOrEqual(MAX_TELEGRAM + line.length);
    }
    expect(pieces.some((p) => p.kind === 'p1' && p.end === 'too-long')).toBe(true);
  });
});
