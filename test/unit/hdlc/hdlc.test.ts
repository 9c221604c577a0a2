import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OmrError } from '../../../shared/errors';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import { crc16x25 } from '../../../electron/engine/hdlc/crc';
import { clientAddress, decodeAddress, encodeAddress, serverAddress, type HdlcAddress } from '../../../electron/engine/hdlc/address';
import { decodeControl, decodeFrame, encodeControl, encodeFrame, type Control, type HdlcFrame } from '../../../electron/engine/hdlc/frame';
import { decodeParameters, encodeParameters, negotiated, DEFAULT_PARAMETERS } from '../../../electron/engine/hdlc/params';
import { Reassembler, segmentApdu, LLC_REQUEST, LLC_RESPONSE } from '../../../electron/engine/hdlc/segmentation';
import { Deframer, type DeframerItem } from '../../../electron/engine/hdlc/deframer';
import * as cap from './captures';

const frames = (items: DeframerItem[]) => items.filter((i): i is Extract<DeframerItem, { kind: 'frame' }> => i.kind === 'frame');
const errors = (items: DeframerItem[]) => items.filter((i): i is Extract<DeframerItem, { kind: 'error' }> => i.kind === 'error');

describe('CRC-16/X.25', () => {
  it('has the catalogued check value', () => {
    expect(crc16x25(new TextEncoder().encode('123456789'))).toBe(0x906e);
  });
  it('matches the HCS example of dlms-cosem (03 3F → EC 5B on the wire)', () => {
    // https://github.com/u9n/dlms-cosem/blob/master/tests/test_hdlc/test_hdlc.py (TestCrc: "033f" → "5bec")
    const c = crc16x25(unhex('033f'));
    expect([c & 0xff, c >> 8]).toEqual([0x5b, 0xec]);
  });
});

describe('HDLC addresses', () => {
  it('encodes client and server addresses as the standard shows', () => {
    expect(hex(encodeAddress(clientAddress(16)))).toBe('21');
    expect(hex(encodeAddress(clientAddress(1)))).toBe('03');
    expect(hex(encodeAddress(serverAddress(1)))).toBe('03');
    expect(hex(encodeAddress(serverAddress(1, 17)))).toBe('0223');
    expect(hex(encodeAddress(serverAddress(1, 17, 4)))).toBe('00020023');
    expect(hex(encodeAddress(serverAddress(1, 0x3fff, 4)))).toBe('0002feff');
    expect(hex(encodeAddress(serverAddress(300, 1000)))).toBe('04580ed1');
  });
  it('rejects values that do not fit', () => {
    expect(() => clientAddress(200)).toThrow(OmrError);
    expect(() => serverAddress(1, 200, 2)).toThrow(OmrError);
    expect(() => serverAddress(1, 5, 1)).toThrow(OmrError);
  });
  it('round-trips every address size', () => {
    fc.assert(
      fc.property(fc.constantFrom<1 | 2 | 4>(1, 2, 4), fc.integer({ min: 0, max: 0x3fff }), fc.integer({ min: 0, max: 0x3fff }), (size, u, l) => {
        const a: HdlcAddress = size === 1 ? { upper: u & 0x7f, size } : size === 2 ? { upper: u & 0x7f, lower: l & 0x7f, size } : { upper: u, lower: l, size };
        const b = encodeAddress(a);
        expect(b.length).toBe(size);
        expect(decodeAddress(b, 0)).toEqual({ address: a, length: size });
      }),
    );
  });
  it('refuses 3-byte and over-long addresses', () => {
    expect(() => decodeAddress(unhex('020203'), 0)).toThrow(/3 bytes/);
    expect(() => decodeAddress(unhex('0202020203'), 0)).toThrow(OmrError);
  });
});

describe('HDLC control field', () => {
  it('encodes the U-frames with the poll bit as in IEC 62056-46', () => {
    expect(encodeControl({ kind: 'SNRM', pf: true })).toBe(0x93);
    expect(encodeControl({ kind: 'UA', pf: true })).toBe(0x73);
    expect(encodeControl({ kind: 'DISC', pf: true })).toBe(0x53);
    expect(encodeControl({ kind: 'DM', pf: true })).toBe(0x1f);
    expect(encodeControl({ kind: 'FRMR', pf: true })).toBe(0x97);
    expect(encodeControl({ kind: 'UI', pf: true })).toBe(0x13);
    expect(encodeControl({ kind: 'RR', nr: 1, pf: true })).toBe(0x31);
    expect(encodeControl({ kind: 'RNR', nr: 2, pf: false })).toBe(0x45);
    expect(encodeControl({ kind: 'I', ns: 0, nr: 0, pf: true })).toBe(0x10);
    expect(encodeControl({ kind: 'I', ns: 3, nr: 5, pf: true })).toBe(0xb6);
  });
  it('decodes 0x30 as I N(S)=0 N(R)=1 final (dlms-cosem TestInformationControlField)', () => {
    expect(decodeControl(0x30)).toEqual({ kind: 'I', ns: 0, nr: 1, pf: true });
  });
  it('round-trips every valid control', () => {
    const arb: fc.Arbitrary<Control> = fc.oneof(
      fc.record({ kind: fc.constant<'I'>('I'), ns: fc.integer({ min: 0, max: 7 }), nr: fc.integer({ min: 0, max: 7 }), pf: fc.boolean() }),
      fc.record({ kind: fc.constantFrom<'RR' | 'RNR'>('RR', 'RNR'), nr: fc.integer({ min: 0, max: 7 }), pf: fc.boolean() }),
      fc.record({ kind: fc.constantFrom<'SNRM' | 'DISC' | 'UA' | 'DM' | 'FRMR' | 'UI'>('SNRM', 'DISC', 'UA', 'DM', 'FRMR', 'UI'), pf: fc.boolean() }),
    );
    fc.assert(
      fc.property(arb, (c) => {
        expect(decodeControl(encodeControl(c))).toEqual(c);
      }),
    );
  });
  it('any byte decodes or gives a DECODE_ERROR', () => {
    for (let b = 0; b < 256; b++) {
      try {
        decodeControl(b);
      } catch (e) {
        expect(e).toBeInstanceOf(OmrError);
        expect((e as OmrError).code).toBe('DECODE_ERROR');
      }
    }
  });
});

describe('HDLC frames from published captures', () => {
  it('rebuilds the SNRM byte for byte (client 16 → server 1/17)', () => {
    const f: HdlcFrame = { dest: serverAddress(1, 17), src: clientAddress(16), control: { kind: 'SNRM', pf: true }, segmented: false, info: new Uint8Array(0) };
    expect(hex(encodeFrame(f))).toBe(cap.U9N_SNRM);
    expect(decodeFrame(unhex(cap.U9N_SNRM))).toEqual(f);
  });

  it('parses the UA and its negotiation block', () => {
    const f = decodeFrame(unhex(cap.U9N_UA));
    expect(f.control).toEqual({ kind: 'UA', pf: true });
    expect(f.dest).toEqual({ upper: 16, size: 1 });
    expect(f.src).toEqual({ upper: 1, lower: 17, size: 2 });
    expect(decodeParameters(f.info)).toEqual({ maxInfoTx: 154, maxInfoRx: 154, windowTx: 1, windowRx: 1 });
    expect(hex(encodeFrame(f))).toBe(cap.U9N_UA.toLowerCase());
  });

  it('parses a UA with a 4-byte server address and 2-byte parameter values', () => {
    const f = decodeFrame(unhex(cap.U9N_UA_4BYTE));
    expect(f.dest).toEqual({ upper: 1, size: 1 });
    expect(f.src).toEqual({ upper: 1, lower: 17, size: 4 });
    expect(decodeParameters(f.info)).toEqual({ maxInfoTx: 128, maxInfoRx: 128, windowTx: 1, windowRx: 1 });
    expect(hex(encodeFrame(f))).toBe(cap.U9N_UA_4BYTE);
  });

  it('parses a UA without information field (1-byte addresses)', () => {
    const f = decodeFrame(unhex(cap.U9N_UA_SHORT));
    expect(f).toEqual({
      dest: { upper: 16, size: 1 },
      src: { upper: 1, size: 1 },
      control: { kind: 'UA', pf: true },
      segmented: false,
      info: new Uint8Array(0),
    });
    expect(decodeParameters(f.info)).toEqual(DEFAULT_PARAMETERS);
  });

  it('rebuilds the AARQ and AARE I-frames with LLC headers', () => {
    const q = decodeFrame(unhex(cap.U9N_I_AARQ));
    expect(q.control).toEqual({ kind: 'I', ns: 0, nr: 0, pf: true });
    expect(hex(q.info.slice(0, 3))).toBe(hex(LLC_REQUEST));
    expect(hex(encodeFrame(q))).toBe(cap.U9N_I_AARQ.toLowerCase());
    const a = decodeFrame(unhex(cap.U9N_I_AARE));
    expect(a.control).toEqual({ kind: 'I', ns: 0, nr: 1, pf: true });
    expect(hex(a.info.slice(0, 3))).toBe(hex(LLC_RESPONSE));
    expect(a.info[3]).toBe(0x61);
  });

  it('reads the segmentation bit of a segmented I-frame', () => {
    const f = decodeFrame(unhex(cap.U9N_SEGMENTED));
    expect(f.segmented).toBe(true);
    expect(f.dest).toEqual({ upper: 16, size: 1 });
    expect(f.src).toEqual({ upper: 1, size: 1 });
    expect(f.control.kind).toBe('I');
  });

  it('finds the three E450 push frames (shared/doubled flags, 7E inside data)', () => {
    const d = new Deframer();
    const items = d.push(unhex(cap.E450_CYPRUS_PUSH));
    expect(errors(items)).toEqual([]);
    const fs = frames(items);
    expect(fs.map((f) => f.frame.info.length)).toEqual([122, 115, 122]);
    for (const { frame } of fs) {
      expect(frame.control).toEqual({ kind: 'UI', pf: true });
      expect(frame.dest).toEqual({ upper: 0x67, lower: 0x7f, size: 2 });
      expect(frame.src).toEqual({ upper: 1, size: 1 });
      expect(frame.segmented).toBe(false);
    }
    expect(hex(fs[0]!.frame.info.slice(0, 3))).toBe('e6e700');
    expect(fs[1]!.frame.info[0]).toBe(0xe0); // no LLC header after the first frame
    expect(hex(fs[2]!.frame.info)).toContain('36c67e06'); // a 7E byte inside the data
  });
});

describe('HDLC frame encode/decode properties', () => {
  const addr = fc.oneof(
    fc.integer({ min: 0, max: 0x7f }).map((u): HdlcAddress => ({ upper: u, size: 1 })),
    fc.tuple(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 0x7f })).map(([u, l]): HdlcAddress => ({ upper: u, lower: l, size: 2 })),
    fc.tuple(fc.integer({ min: 0, max: 0x3fff }), fc.integer({ min: 0, max: 0x3fff })).map(([u, l]): HdlcAddress => ({ upper: u, lower: l, size: 4 })),
  );
  const frameArb = fc.record({
    dest: addr,
    src: addr,
    control: fc.oneof(
      fc.record({ kind: fc.constant<'I'>('I'), ns: fc.integer({ min: 0, max: 7 }), nr: fc.integer({ min: 0, max: 7 }), pf: fc.boolean() }),
      fc.record({ kind: fc.constantFrom<'UA' | 'UI' | 'SNRM'>('UA', 'UI', 'SNRM'), pf: fc.boolean() }),
    ) as fc.Arbitrary<Control>,
    segmented: fc.boolean(),
    info: fc.uint8Array({ maxLength: 300 }),
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(frameArb, (f) => {
        expect(decodeFrame(encodeFrame(f))).toEqual(f);
      }),
    );
  });

  it('any single flipped bit inside the frame is detected', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (f, pos, bit) => {
        const raw = encodeFrame(f);
        const i = 1 + (pos % (raw.length - 2));
        raw[i]! ^= 1 << bit;
        expect(() => decodeFrame(raw)).toThrow(OmrError);
      }),
    );
  });

  it('random bytes give only OmrError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          decodeFrame(b);
        } catch (e) {
          expect(e).toBeInstanceOf(OmrError);
        }
      }),
    );
  });
});

describe('SNRM negotiation', () => {
  it('encodes values in 1, 2 and 4 bytes', () => {
    expect(hex(encodeParameters({ maxInfoTx: 128, maxInfoRx: 128, windowTx: 1, windowRx: 1 }))).toBe('81800c050180060180070101080101');
    expect(hex(encodeParameters({ maxInfoTx: 0x400, maxInfoRx: 0x100, windowTx: 7, windowRx: 0x10000 }))).toBe('8180110502040006020100070107080400010000');
  });
  it('round-trips and applies the server answer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.integer({ min: 1, max: 2048 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        (a, b, c, d) => {
          const p = { maxInfoTx: a, maxInfoRx: b, windowTx: c, windowRx: d };
          expect(decodeParameters(encodeParameters(p))).toEqual(p);
        },
      ),
    );
    const proposed = { maxInfoTx: 512, maxInfoRx: 512, windowTx: 1, windowRx: 1 };
    expect(negotiated(proposed, { maxInfoTx: 154, maxInfoRx: 128, windowTx: 1, windowRx: 1 })).toEqual({
      maxInfoTx: 128,
      maxInfoRx: 154,
      windowTx: 1,
      windowRx: 1,
    });
  });
  it('rejects a malformed block with a DECODE_ERROR', () => {
    expect(() => decodeParameters(unhex('8180'))).toThrow(OmrError);
    expect(() => decodeParameters(unhex('828003050180'))).toThrow(/format identifier/);
    expect(() => decodeParameters(unhex('818003050580'))).toThrow(OmrError);
  });
});

describe('segmentation', () => {
  it('puts the LLC header only in the first segment and sets the bit on all but the last', () => {
    const apdu = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const segs = segmentApdu(apdu, 128);
    expect(segs.map((s) => [s.info.length, s.segmented])).toEqual([
      [128, true],
      [128, true],
      [47, false],
    ]);
    expect(hex(segs[0]!.info.slice(0, 3))).toBe('e6e600');
    expect(segs[1]!.info[0]).toBe((128 - 3) & 0xff);
  });
  it('reassembles what it segments', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.integer({ min: 4, max: 300 }), (apdu, max) => {
        const r = new Reassembler(LLC_RESPONSE);
        let out: Uint8Array | undefined;
        for (const s of segmentApdu(apdu, max, LLC_RESPONSE)) {
          expect(s.info.length).toBeLessThanOrEqual(max);
          expect(out).toBeUndefined();
          out = r.push(s.info, s.segmented);
        }
        expect(out).toEqual(apdu);
        expect(r.pending).toBe(false);
      }),
    );
  });
  it('refuses a response without LLC header', () => {
    expect(() => new Reassembler().push(unhex('c401c1000600'), false)).toThrow(/LLC/);
  });
});

describe('deframer', () => {
  const mk = (n: number, info: number[]) =>
    encodeFrame({
      dest: clientAddress(16),
      src: serverAddress(1, 17),
      control: { kind: 'I', ns: n & 7, nr: 0, pf: true },
      segmented: false,
      info: Uint8Array.from(info),
    });

  it('skips garbage between frames and handles shared flags', () => {
    const a = mk(0, [0xe6, 0xe7, 0x00, 0x7e, 0x7e, 1]);
    const b = mk(1, [0xe6, 0xe7, 0x00, 2]);
    const shared = new Uint8Array([...a, ...b.slice(1)]); // one flag between a and b
    const d = new Deframer();
    const items = d.push(new Uint8Array([0x00, 0x7e, 0x55, 0xff, ...shared, 0x12]));
    expect(frames(items).map((f) => f.frame.control)).toEqual([
      { kind: 'I', ns: 0, nr: 0, pf: true },
      { kind: 'I', ns: 1, nr: 0, pf: true },
    ]);
    expect(errors(items)).toEqual([]);
  });

  it('delivers a frame split over many chunks, byte by byte', () => {
    const a = mk(
      2,
      Array.from({ length: 100 }, (_, i) => i),
    );
    const d = new Deframer();
    const got: DeframerItem[] = [];
    for (const b of a) got.push(...d.push(Uint8Array.of(b)));
    expect(frames(got)).toHaveLength(1);
    expect(frames(got)[0]!.raw).toEqual(a);
  });

  it('reports a damaged frame once as HDLC_FCS and keeps the next one', () => {
    const bad = mk(0, [0xe6, 0xe7, 0x00, 1, 2, 3, 4]);
    bad[12]! ^= 0x40;
    const good = mk(1, [0xe6, 0xe7, 0x00, 9]);
    const items = new Deframer().push(new Uint8Array([...bad, ...good]));
    expect(errors(items).map((e) => e.error.code)).toEqual(['HDLC_FCS']);
    expect(frames(items).map((f) => f.frame.control)).toEqual([{ kind: 'I', ns: 1, nr: 0, pf: true }]);
  });

  it('drops a truncated frame followed by a good one', () => {
    const cut = mk(
      0,
      Array.from({ length: 60 }, () => 0x11),
    ).slice(0, 30);
    const good = mk(3, [0xe6, 0xe7, 0x00, 5]);
    const items = new Deframer().push(new Uint8Array([...cut, ...good]));
    expect(frames(items).map((f) => (f.frame.control as { ns: number }).ns)).toEqual([3]);
  });

  it('never throws and never loses a good frame after random noise', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 50 }), fc.integer({ min: 1, max: 40 }), (noise, info, chunk) => {
        const good = mk(5, [0xe6, 0xe7, 0x00, ...info]);
        const stream = new Uint8Array([...noise, 0x7e, ...good]);
        const d = new Deframer();
        const got: DeframerItem[] = [];
        for (let i = 0; i < stream.length; i += chunk) got.push(...d.push(stream.slice(i, i + chunk)));
        expect(frames(got).some((f) => hex(f.raw) === hex(good))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
