import { redactedHex } from '../../../electron/runtime/driver';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OmrError } from '../../../shared/errors';
import { encodeFrame } from '../../../electron/engine/hdlc/frame';
import { clientAddress, serverAddress } from '../../../electron/engine/hdlc/address';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import { decodeAarq, encodeAare, encodeRlre } from '../../../electron/engine/dlms/acse';
import { decodeData, encodeData, type DlmsValue } from '../../../electron/engine/dlms/axdr';
import { DlmsClient, type DlmsClientEvent } from '../../../electron/engine/dlms/client';
import { conformanceFromNames } from '../../../electron/engine/dlms/conformance';
import { cosemDateTime } from '../../../electron/engine/dlms/datetime';
import { cipherApdu, decipherApdu, hlsGmac, verifyHlsGmac } from '../../../electron/engine/dlms/security';
import { HdlcTransport, WrapperTransport, encodeWrapper } from '../../../electron/engine/dlms/transport';
import type { GetDataResult } from '../../../electron/engine/dlms/apdu';
import { decodeInitiateRequest, encodeInitiateResponse } from '../../../electron/engine/dlms/initiate';
import { decodeGetRequest, encodeGetResponse } from '../../../electron/engine/dlms/get';
import { decodeActionRequest, encodeActionResponse } from '../../../electron/engine/dlms/action';
import { rangeAccess } from '../../../electron/engine/dlms/selective-access';
import { decodeFrame } from '../../../electron/engine/hdlc/frame';
import { drive, FakeMeter } from './fake-meter';

const WITH_LIST = conformanceFromNames(['block-transfer-with-get-or-read', 'multiple-references', 'get', 'selective-access', 'action']);
const NO_LIST = conformanceFromNames(['block-transfer-with-get-or-read', 'get', 'selective-access']);

const objects: Record<string, DlmsValue | number> = {
  '0000600100ff/2': { type: 'octet-string', value: hex(new TextEncoder().encode('LGZ1030000001234')) },
  '0100010800ff/2': { type: 'double-long-unsigned', value: 7136726 },
  '0100010800ff/3': {
    type: 'structure',
    value: [
      { type: 'integer', value: 0 },
      { type: 'enum', value: 30 },
    ],
  },
  '0000600101ff/2': 3, // read-write-denied
};

function aareOk(conformance: number, maxPdu = 1024): Uint8Array {
  return encodeAare({
    context: 'ln-no-ciphering',
    result: 0,
    diagnostic: 0,
    userInformation: encodeInitiateResponse({ dlmsVersion: 6, conformance, maxReceivePduSize: maxPdu, vaaName: 7 }),
  });
}

function lookup(r: { classId: number; obis: unknown; attribute: number }): GetDataResult {
  const key = `${hex(Uint8Array.from(r.obis as number[]))}/${r.attribute}`;
  const v = objects[key];
  if (v === undefined) return { ok: false, dar: 4, name: 'object-undefined' };
  if (typeof v === 'number') return { ok: false, dar: v, name: 'x' };
  return { ok: true, value: v };
}

/** A plain meter: AARQ → AARE, GET normal / with-list / block transfer of big values, RLRQ → RLRE. */
function plainMeter(opts: {
  conformance?: number;
  maxPdu?: number;
  blockSize?: number;
  maxInfo?: number;
  big?: DlmsValue;
  fault?: ConstructorParameters<typeof FakeMeter>[0]['fault'];
  aare?: Uint8Array;
}) {
  let blocks: Uint8Array[] = [];
  const meter = new FakeMeter({
    maxInfo: opts.maxInfo ?? 128,
    ...(opts.fault ? { fault: opts.fault } : {}),
    handle: (apdu) => {
      if (apdu[0] === 0x60) return opts.aare ?? aareOk(opts.conformance ?? WITH_LIST, opts.maxPdu);
      if (apdu[0] === 0x62) return encodeRlre();
      const q = decodeGetRequest(apdu);
      if (q.type === 'next') {
        const i = q.blockNumber; // next block to send is number i+1, at index i
        return encodeGetResponse({ type: 'with-datablock', invokeId: q.invokeId, lastBlock: i + 1 === blocks.length, blockNumber: i + 1, raw: blocks[i]! });
      }
      if (q.type === 'with-list') return encodeGetResponse({ type: 'with-list', invokeId: q.invokeId, results: q.requests.map(lookup) });
      if (opts.big && q.request.classId === 7) {
        const whole = encodeData(opts.big);
        const size = opts.blockSize ?? 200;
        blocks = [];
        for (let p = 0; p < whole.length; p += size) blocks.push(whole.slice(p, p + size));
        return encodeGetResponse({ type: 'with-datablock', invokeId: q.invokeId, lastBlock: blocks.length === 1, blockNumber: 1, raw: blocks[0]! });
      }
      return encodeGetResponse({ type: 'normal', invokeId: q.invokeId, result: lookup(q.request) });
    },
  });
  return meter;
}

function hdlc(options: Partial<ConstructorParameters<typeof HdlcTransport>[0]> = {}) {
  return new HdlcTransport({ clientSap: 16, logicalDevice: 1, physicalAddress: 17, responseTimeoutMs: 1000, maxRetries: 2, ...options });
}

const results = (events: DlmsClientEvent[]) => events.filter((e): e is Extract<DlmsClientEvent, { type: 'result' }> => e.type === 'result');

describe('DLMS client over HDLC', () => {
  it('connects, associates, reads, releases (frames in order)', () => {
    const meter = plainMeter({});
    const client = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    let id = 0;
    const run = drive(client, meter, 'start', undefined, (e, now) => {
      if (e.type === 'associated') {
        const g = client.get([{ classId: 1, obis: '0-0:96.1.0*255', attribute: 2 }], now);
        id = g.id;
        return g.actions;
      }
      if (e.type === 'result') return client.release(now);
      return [];
    });
    expect(run.failed).toBeUndefined();
    expect(run.done).toBe(true);
    const kinds = meter.received.map((f) => f.control.kind);
    expect(kinds).toEqual(['SNRM', 'I', 'I', 'I', 'DISC']);
    expect(hex(meter.apdus[0]!.slice(0, 1))).toBe('60');
    expect(hex(meter.apdus[2]!)).toBe('6203800100');
    const r = results(run.events);
    expect(r).toEqual([
      { type: 'result', id, results: [{ ok: true, value: { type: 'octet-string', value: hex(new TextEncoder().encode('LGZ1030000001234')) } }] },
    ]);
    expect(run.events.map((e) => e.type)).toEqual(['associated', 'result', 'released']);
  });

  it('an LLS password is redacted in the trace and a rejection is AUTH_REJECTED', () => {
    const meter = plainMeter({
      aare: encodeAare({
        context: 'ln-no-ciphering',
        result: 1,
        diagnostic: 13,
        userInformation: encodeInitiateResponse({ dlmsVersion: 6, conformance: 0, maxReceivePduSize: 0, vaaName: 7 }),
      }),
    });
    const client = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'lls', password: new TextEncoder().encode('00000001') } });
    const run = drive(client, meter);
    expect(run.failed).toEqual({ code: 'AUTH_REJECTED', detail: 'rejected-permanent, acse-service-user: authentication-failure' });
    const aarqFrame = run.sent[1]!;
    // Redacted: the format (length) field, and everything from the HCS to the FCS (the password,
    // the BER lengths around it, HCS and FCS); the flags, addresses and control stay.
    const n = aarqFrame.bytes.length;
    const hcsAt = 1 + 2 + 2 + 1 + 1; // flag, format, server address (2 bytes), client, control
    expect(aarqFrame.redact).toEqual([
      [1, 3],
      [hcsAt, n - 1],
    ]);
    const at = Buffer.from(aarqFrame.bytes).indexOf(Buffer.from('00000001'));
    expect(at).toBeGreaterThan(hcsAt);
    expect(redactedHex(aarqFrame.bytes, aarqFrame.redact)).toMatch(/^7e\*\*[0-9a-f]{8}\*\*7e$/);
    expect(decodeAarq(meter.apdus[0]!).mechanism).toBe('lls');
    // The link is closed after the refusal; the password is never retried.
    expect(meter.received.map((f) => f.control.kind)).toEqual(['SNRM', 'I', 'DISC']);
  });

  it('follows block transfer over several segmented HDLC frames', () => {
    const rows: DlmsValue[] = Array.from({ length: 40 }, (_, i) => ({
      type: 'structure',
      value: [
        { type: 'octet-string', value: hex(Uint8Array.of(0x07, 0xe8, 5, 7, 0xff, Math.floor(i / 4), (i % 4) * 15, 0, 0, 0x80, 0, 0)) },
        { type: 'double-long-unsigned', value: 7136726 + i * 17 },
      ],
    }));
    const big: DlmsValue = { type: 'array', value: rows };
    const meter = plainMeter({ big, blockSize: 300, maxInfo: 64 });
    const client = new DlmsClient({ transport: hdlc({ parameters: { maxInfoRx: 128, maxInfoTx: 128 } }), authentication: { mechanism: 'none' } });
    const run = drive(client, meter, 'start', undefined, (e, now) => {
      if (e.type === 'associated') {
        return client.get(
          [
            {
              classId: 7,
              obis: '1-0:99.1.0*255',
              attribute: 2,
              access: rangeAccess({
                from: cosemDateTime({ year: 2024, month: 5, day: 7, hour: 0, minute: 0, second: 0 }),
                to: cosemDateTime({ year: 2024, month: 5, day: 8, hour: 0, minute: 0, second: 0 }),
              }),
            },
          ],
          now,
        ).actions;
      }
      return [];
    });
    expect(run.failed).toBeUndefined();
    const r = results(run.events)[0]!;
    expect(r.results[0]).toEqual({ ok: true, value: big });
    const whole = encodeData(big).length;
    const blocks = Math.ceil(whole / 300);
    const nexts = meter.apdus.filter((a) => a[0] === 0xc0 && a[1] === 2);
    expect(nexts).toHaveLength(blocks - 1);
    // The client acknowledged each segment with RR.
    expect(meter.received.filter((f) => f.control.kind === 'RR').length).toBeGreaterThan(blocks);
    // The range descriptor went out with the deviation "not specified".
    const first = decodeGetRequest(meter.apdus[1]!);
    expect(first.type === 'normal' && hex(encodeData(first.request.access!.parameters))).toContain('090c07e80507ff000000ff8000ff');
  });

  it('uses GET-with-list when the meter allows it, with per-item errors', () => {
    const meter = plainMeter({ conformance: WITH_LIST });
    const client = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    const run = drive(client, meter, 'start', undefined, (e, now) =>
      e.type === 'associated'
        ? client.get(
            [
              { classId: 3, obis: '1-0:1.8.0*255', attribute: 2 },
              { classId: 3, obis: '1-0:1.8.0*255', attribute: 3 },
              { classId: 1, obis: '0-0:96.1.1*255', attribute: 2 },
              { classId: 1, obis: '0-0:96.1.9*255', attribute: 2 },
            ],
            now,
          ).actions
        : [],
    );
    expect(meter.apdus.filter((a) => a[0] === 0xc0).map((a) => a[1])).toEqual([3]);
    const r = results(run.events)[0]!.results;
    expect(r[0]).toEqual({ ok: true, value: { type: 'double-long-unsigned', value: 7136726 } });
    expect(r[1]).toEqual({
      ok: true,
      value: {
        type: 'structure',
        value: [
          { type: 'integer', value: 0 },
          { type: 'enum', value: 30 },
        ],
      },
    });
    expect(r[2]).toMatchObject({ ok: false, error: { code: 'READ_DENIED' } });
    expect(r[3]).toMatchObject({ ok: false, error: { code: 'OBJECT_UNDEFINED', detail: '0-0:96.1.9*255 attribute 2: object-undefined' } });
  });

  it('asks one by one when multiple references are not negotiated, and splits lists to the PDU size', () => {
    const reqs = Array.from({ length: 12 }, () => ({ classId: 3, obis: '1-0:1.8.0*255', attribute: 2 }));
    const one = plainMeter({ conformance: NO_LIST });
    const c1 = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    drive(c1, one, 'start', undefined, (e, now) => (e.type === 'associated' ? c1.get(reqs.slice(0, 3), now).actions : []));
    expect(one.apdus.filter((a) => a[0] === 0xc0).map((a) => a[1])).toEqual([1, 1, 1]);

    const small = plainMeter({ conformance: WITH_LIST, maxPdu: 64 });
    const c2 = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    const run = drive(c2, small, 'start', undefined, (e, now) => (e.type === 'associated' ? c2.get(reqs, now).actions : []));
    const lists = small.apdus.filter((a) => a[0] === 0xc0);
    expect(lists.length).toBeGreaterThan(1);
    for (const l of lists) expect(l.length).toBeLessThanOrEqual(64);
    expect(lists.reduce((n, l) => n + (decodeGetRequest(l) as { requests: unknown[] }).requests.length, 0)).toBe(12);
    expect(results(run.events)[0]!.results.every((x) => x.ok)).toBe(true);
  });

  it('recovers a corrupted frame by retransmission', () => {
    // The meter's 3rd frame (the GET answer) arrives damaged once.
    const meter = plainMeter({ fault: (n) => (n === 2 ? 'corrupt' : undefined) });
    const client = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    const run = drive(client, meter, 'start', undefined, (e, now) =>
      e.type === 'associated' ? client.get([{ classId: 3, obis: '1-0:1.8.0*255', attribute: 2 }], now).actions : [],
    );
    expect(run.failed).toBeUndefined();
    expect(results(run.events)[0]!.results[0]).toEqual({ ok: true, value: { type: 'double-long-unsigned', value: 7136726 } });
    expect(run.traces.some((t) => t.includes('damaged frame'))).toBe(true);
    expect(run.sent.filter((s) => s.summary.endsWith('(repeat)'))).toHaveLength(1);
  });

  it('recovers a lost frame after the reaction timeout, and gives up with TIMEOUT_REACTION', () => {
    const meter = plainMeter({ fault: (n) => (n === 2 ? 'drop' : undefined) });
    const client = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    const run = drive(client, meter, 'start', undefined, (e, now) =>
      e.type === 'associated' ? client.get([{ classId: 3, obis: '1-0:1.8.0*255', attribute: 2 }], now).actions : [],
    );
    expect(results(run.events)[0]!.results[0]!.ok).toBe(true);
    expect(run.now).toBeGreaterThanOrEqual(1000);

    const silent = plainMeter({ fault: (n) => (n >= 2 ? 'drop' : undefined) });
    const c2 = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    const r2 = drive(c2, silent, 'start', undefined, (e, now) =>
      e.type === 'associated' ? c2.get([{ classId: 3, obis: '1-0:1.8.0*255', attribute: 2 }], now).actions : [],
    );
    expect(r2.failed?.code).toBe('TIMEOUT_REACTION');
    expect(results(r2.events)[0]!.results[0]).toMatchObject({ ok: false, error: { code: 'TIMEOUT_REACTION' } });
    expect(r2.sent.filter((s) => s.summary.endsWith('(repeat)'))).toHaveLength(2);
  });

  it('a lost link gives LINK_LOST results for the requests still waiting', () => {
    const client = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    client.start(0);
    const g = client.get([{ classId: 1, obis: '0-0:96.1.0*255', attribute: 2 }], 1);
    const out = client.linkLost(new OmrError('LINK_LOST', 'unplugged'));
    expect(out).toEqual([
      {
        type: 'event',
        event: { type: 'result', id: g.id, results: [{ ok: false, error: expect.objectContaining({ code: 'LINK_LOST', detail: 'unplugged' }) }] },
      },
    ]);
    expect(client.receive(new Uint8Array([0x7e]), 2)).toEqual([]);
  });

  it('a DM answer to SNRM is HDLC_REJECTED', () => {
    const meter = new FakeMeter({ refuse: true, handle: () => undefined });
    const run = drive(new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } }), meter);
    expect(run.failed?.code).toBe('HDLC_REJECTED');
  });

  it('ignores its own echoed SNRM', () => {
    const meter = plainMeter({});
    const t = hdlc();
    const client = new DlmsClient({ transport: t, authentication: { mechanism: 'none' } });
    const start = client.start(0);
    const snrm = start.find((a) => a.type === 'send') as { bytes: Uint8Array };
    const echoed = client.receive(snrm.bytes, 1);
    expect(echoed.some((a) => a.type === 'trace' && a.summary.includes('not for this client'))).toBe(true);
    const ua = meter.feed(snrm.bytes)[0]!;
    expect(decodeFrame(ua).control.kind).toBe('UA');
    expect(client.receive(ua, 2).some((a) => a.type === 'send')).toBe(true); // the AARQ
  });

  it('cancel while associated sends RLRQ then DISC; pending jobs end CANCELLED', () => {
    const meter = plainMeter({});
    const client = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
    const pre = client.get([{ classId: 1, obis: '0-0:96.1.0*255', attribute: 2 }], 0);
    expect(pre.actions).toEqual([]);
    const run = drive(client, meter, 'start', undefined, (e, now) => (e.type === 'result' ? client.cancel(now) : []));
    expect(results(run.events)[0]!.results[0]!.ok).toBe(true); // queued before association, read once associated
    expect(run.done).toBe(true);
    expect(meter.received.map((f) => f.control.kind).slice(-2)).toEqual(['I', 'DISC']);
    const late = client.get([{ classId: 1, obis: '0-0:96.1.0*255', attribute: 2 }], run.now);
    expect(late.actions[0]).toMatchObject({ type: 'event', event: { type: 'result', results: [{ ok: false, error: { code: 'CANCELLED' } }] } });
  });
});

describe('DLMS client with HLS-GMAC and glo-ciphering', () => {
  const EK = unhex('000102030405060708090A0B0C0D0E0F');
  const AK = unhex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF');
  const CLIENT_ST = unhex('4D4D4D0000000001');
  const SERVER_ST = unhex('4D4D4D0000BC614E');
  const CTOS = unhex('4B35366956616759');
  const STOC = unhex('503677524A323146');

  function hlsMeter(mode: 'ok' | 'bad-ctos' | 'bad-get-key' = 'ok') {
    let serverIc = 100;
    const keys = { encryptionKey: EK, authenticationKey: AK };
    return new FakeMeter({
      clientSap: 1,
      handle: (apdu) => {
        if (apdu[0] === 0x60) {
          const q = decodeAarq(apdu);
          expect(q.context).toBe('ln-ciphering');
          expect(q.mechanism).toBe('hls-gmac');
          expect(hex(q.callingApTitle!)).toBe(hex(CLIENT_ST));
          expect(hex(q.authenticationValue!)).toBe(hex(CTOS));
          const ir = decodeInitiateRequest(decipherApdu(q.userInformation, keys, CLIENT_ST).plaintext);
          expect(ir.maxReceivePduSize).toBe(1024);
          const resp = cipherApdu(
            encodeInitiateResponse({ dlmsVersion: 6, conformance: WITH_LIST, maxReceivePduSize: 1024, vaaName: 7 }),
            SERVER_ST,
            serverIc++,
            keys,
          );
          return encodeAare({
            context: 'ln-ciphering',
            result: 0,
            diagnostic: 14,
            respondingApTitle: SERVER_ST,
            mechanism: 'hls-gmac',
            respondingAuthenticationValue: STOC,
            userInformation: resp,
          });
        }
        if (apdu[0] === 0x62) return encodeRlre();
        const plain = decipherApdu(apdu, keys, CLIENT_ST).plaintext;
        if (plain[0] === 0xc3) {
          const a = decodeActionRequest(plain);
          expect(a.classId).toBe(15);
          const f = unhex((a.parameters as { value: string }).value);
          verifyHlsGmac(f, CLIENT_ST, keys, STOC);
          const reply = hlsGmac(SERVER_ST, serverIc, keys, mode === 'bad-ctos' ? STOC : CTOS);
          return cipherApdu(
            encodeActionResponse({ invokeId: a.invokeId, result: 0, returnData: { ok: true, value: { type: 'octet-string', value: hex(reply) } } }),
            SERVER_ST,
            serverIc++,
            keys,
          );
        }
        const g = decodeGetRequest(plain);
        if (g.type !== 'normal') throw new Error('normal GET expected');
        const getKeys = mode === 'bad-get-key' ? { encryptionKey: EK, authenticationKey: EK } : keys;
        return cipherApdu(
          encodeGetResponse({ type: 'normal', invokeId: g.invokeId, result: { ok: true, value: { type: 'double-long-unsigned', value: 42 } } }),
          SERVER_ST,
          serverIc++,
          getKeys,
        );
      },
    });
  }

  it('authenticates both ways, ciphers every xDLMS APDU and reports the counters used', () => {
    const meter = hlsMeter();
    const client = new DlmsClient({
      transport: hdlc({ clientSap: 1 }),
      authentication: { mechanism: 'hls-gmac' },
      security: { systemTitle: CLIENT_ST, keys: { encryptionKey: EK, authenticationKey: AK }, invocationCounter: 7 },
      random: () => CTOS,
    });
    const run = drive(client, meter, 'start', undefined, (e, now) =>
      e.type === 'associated'
        ? client.get([{ classId: 1, obis: '0-0:43.1.0*255', attribute: 2 }], now).actions
        : e.type === 'result'
          ? client.release(now)
          : [],
    );
    expect(run.failed).toBeUndefined();
    expect(results(run.events)[0]!.results[0]).toEqual({ ok: true, value: { type: 'double-long-unsigned', value: 42 } });
    // AARQ glo-initiate-request, f(StoC), the glo-action-request carrying it, the glo-get-request,
    // the RLRQ's ciphered user-information: never the same IV twice under one key.
    expect(run.events.filter((e) => e.type === 'invocationCounter').map((e) => (e as { used: number }).used)).toEqual([7, 8, 9, 10, 11]);
    expect(client.lastInvocationCounter).toBe(11);
    expect(run.events.find((e) => e.type === 'associated')).toMatchObject({ serverSystemTitle: hex(SERVER_ST), mechanism: 'hls-gmac' });
    expect(meter.apdus.map((a) => a[0])).toEqual([0x60, 0xcb, 0xc8, 0x62]);
    expect(run.done).toBe(true);
  });

  const hlsClient = () =>
    new DlmsClient({
      transport: hdlc({ clientSap: 1 }),
      authentication: { mechanism: 'hls-gmac' },
      security: { systemTitle: CLIENT_ST, keys: { encryptionKey: EK, authenticationKey: AK }, invocationCounter: 1 },
      random: () => CTOS,
    });

  it('a meter whose f(CtoS) does not match is AUTH_REJECTED', () => {
    const client = hlsClient();
    const run = drive(client, hlsMeter('bad-ctos'));
    expect(run.failed?.code).toBe('AUTH_REJECTED');
    expect(run.events.some((e) => e.type === 'associated')).toBe(false);
  });

  it('an answer ciphered under other keys is KEY_ERROR, never data', () => {
    const client = hlsClient();
    const run = drive(client, hlsMeter('bad-get-key'), 'start', undefined, (e, now) =>
      e.type === 'associated' ? client.get([{ classId: 1, obis: '0-0:43.1.0*255', attribute: 2 }], now).actions : [],
    );
    expect(run.failed?.code).toBe('KEY_ERROR');
    expect(results(run.events)[0]!.results[0]).toMatchObject({ ok: false, error: { code: 'KEY_ERROR' } });
  });
});

describe('DLMS client over the IEC 62056-47 wrapper', () => {
  it('reads without a link layer', () => {
    const t = new WrapperTransport({ clientSap: 16, logicalDevice: 1, responseTimeoutMs: 500 });
    const client = new DlmsClient({ transport: t, authentication: { mechanism: 'none' } });
    const out = client.start(0);
    const aarq = out.find((a) => a.type === 'send') as { bytes: Uint8Array };
    expect(hex(aarq.bytes.slice(0, 8))).toBe(`0001001000010${(aarq.bytes.length - 8).toString(16).padStart(3, '0')}`);
    const aare = encodeWrapper(1, 16, aareOk(WITH_LIST));
    // Delivered in two pieces to check the buffering.
    client.receive(aare.slice(0, 5), 1);
    const after = client.receive(aare.slice(5), 2);
    expect(after.some((a) => a.type === 'event' && a.event.type === 'associated')).toBe(true);
    const g = client.get([{ classId: 3, obis: '1-0:1.8.0*255', attribute: 2 }], 3);
    const req = g.actions.find((a) => a.type === 'send') as { bytes: Uint8Array };
    const q = decodeGetRequest(req.bytes.slice(8));
    expect(q.type).toBe('normal');
    const resp = client.receive(
      encodeWrapper(1, 16, encodeGetResponse({ type: 'normal', invokeId: q.invokeId, result: { ok: true, value: decodeData(unhex('0600361F58')) } })),
      4,
    );
    expect(resp.find((a) => a.type === 'event')).toMatchObject({
      event: { type: 'result', id: g.id, results: [{ ok: true, value: { type: 'double-long-unsigned', value: 3546968 } }] },
    });
    // Silence → TIMEOUT_REACTION.
    const g2 = client.get([{ classId: 3, obis: '1-0:1.8.0*255', attribute: 2 }], 10);
    const wake = g2.actions.find((a) => a.type === 'wakeAt') as { at: number };
    const timeout = client.tick(wake.at);
    expect(timeout.find((a) => a.type === 'fail')).toMatchObject({ error: { code: 'TIMEOUT_REACTION' } });
  });
});

describe('DLMS client robustness', () => {
  it('random bytes and random well-framed junk never make it throw', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 60 }),
            fc
              .tuple(
                fc.constantFrom('UA', 'I', 'RR', 'DM', 'FRMR', 'UI') as fc.Arbitrary<'UA' | 'I' | 'RR' | 'DM' | 'FRMR' | 'UI'>,
                fc.uint8Array({ maxLength: 60 }),
                fc.boolean(),
                fc.integer({ min: 0, max: 7 }),
              )
              .map(([kind, info, seg, n]) =>
                encodeFrame({
                  dest: clientAddress(16),
                  src: serverAddress(1, 17),
                  control: kind === 'I' ? { kind, ns: n, nr: n, pf: true } : kind === 'RR' ? { kind, nr: n, pf: true } : { kind, pf: true },
                  segmented: seg,
                  info: kind === 'I' && info.length ? Uint8Array.from([0xe6, 0xe7, 0x00, ...info]) : info,
                }),
              ),
          ),
          { maxLength: 8 },
        ),
        (chunks) => {
          const client = new DlmsClient({ transport: hdlc(), authentication: { mechanism: 'none' } });
          let t = 0;
          client.start(t);
          for (const c of chunks) {
            const acts = client.receive(c, (t += 10));
            for (const a of acts) if (a.type === 'fail') expect(a.error.code).toMatch(/^[A-Z_]+$/);
          }
          client.tick((t += 5000));
        },
      ),
      { numRuns: 500 },
    );
  });
});
