import { describe, expect, it } from 'vitest';
import { encodeData, integerText, type DlmsValue } from '../../../electron/engine/dlms/axdr';
import { decodeAare, encodeAarq } from '../../../electron/engine/dlms/acse';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import type { ResultItem } from '../../../electron/engine/dlms/client';
import { conformanceFromNames, hasConformance } from '../../../electron/engine/dlms/conformance';
import { cosemDateTime } from '../../../electron/engine/dlms/datetime';
import type { AttributeRequest } from '../../../electron/engine/dlms/apdu';
import { encodeInitiateRequest } from '../../../electron/engine/dlms/initiate';
import { decodeExceptionResponse } from '../../../electron/engine/dlms/exception';
import { decodeGetResponse, encodeGetRequest } from '../../../electron/engine/dlms/get';
import { formatObis } from '../../../electron/engine/dlms/obis-code';
import { entryAccess, rangeAccess } from '../../../electron/engine/dlms/selective-access';
import { asDateTime, decodeCaptureObjects, decodeObjectList, decodeProfileBuffer, decodeRegister } from '../../../electron/engine/cosem/classes';
import { decodeEventLog, EVENT_CODES } from '../../../electron/engine/cosem/events';
import { decodeFrame, encodeFrame } from '../../../electron/engine/hdlc/frame';
import { clientAddress, serverAddress } from '../../../electron/engine/hdlc/address';
import { E450Data } from '../../../electron/simulator/e450-data';
import { DEFAULT_AUTHENTICATION_KEY, DEFAULT_ENCRYPTION_KEY } from '../../../electron/simulator/dlms/clients';
import { DlmsServer } from '../../../electron/simulator/dlms/server';
import { session, type LoopOptions } from './loop';

const T0 = Date.UTC(2025, 4, 17, 10, 30, 0);
const ascii = (s: string) => new TextEncoder().encode(s);
const ok = (r: ResultItem | undefined): DlmsValue => {
  if (!r?.ok) throw new Error(`expected a value, got ${JSON.stringify(r)}`);
  return r.value;
};
const errCode = (r: ResultItem | undefined) => (r && !r.ok ? r.error.code : undefined);
const num = (v: DlmsValue) => Number(integerText(v));
const req = (classId: number, obis: string, attribute: number, access?: AttributeRequest['access']): AttributeRequest => ({
  classId,
  obis,
  attribute,
  ...(access ? { access } : {}),
});
const lls = (password: string) => ({ mechanism: 'lls' as const, password: ascii(password) });
const newServer = (o: ConstructorParameters<typeof DlmsServer>[0] = {}) => new DlmsServer({ data: { seed: 5 }, ...o });
const run = (server: DlmsServer, o: Partial<LoopOptions> & { clientSap: number }) => session(server, { start: T0, ...o });

describe('public client (SAP 16, no authentication)', () => {
  it('associates, reads its few objects, and falls back to single GETs (no multiple-references)', () => {
    const server = newServer();
    const data = server.state.data;
    const r = run(server, {
      clientSap: 16,
      jobs: [[req(1, '0-0:42.0.0*255', 2), req(1, '0-0:96.1.0*255', 2), req(1, '1-0:0.2.0*255', 2), req(8, '0-0:1.0.0*255', 2), req(1, '0-0:43.1.1*255', 2)]],
    });
    expect(r.failed).toBeUndefined();
    expect(r.done).toBe(true);
    const assoc = r.events.find((e) => e.type === 'associated');
    expect(assoc && assoc.type === 'associated' && hasConformance(assoc.conformance, 'multiple-references')).toBe(false);
    const [ldn, serial, fw, clock, ic] = r.results[0]!;
    expect(ok(ldn)).toEqual({ type: 'octet-string', value: hex(ascii(`LGZ${data.serial.padStart(13, '0')}`)) });
    expect(ok(serial)).toEqual({ type: 'octet-string', value: hex(ascii(data.serial)) });
    expect(ok(fw)).toEqual({ type: 'octet-string', value: hex(ascii('B31')) });
    const dt = asDateTime(ok(clock))!;
    expect([dt.year, dt.month, dt.day, dt.dayOfWeek, dt.hour, dt.minute, dt.deviation, dt.clockStatus]).toEqual([2025, 5, 17, 6, 10, 30, 0, 0]);
    expect(ok(ic)).toEqual({ type: 'double-long-unsigned', value: server.state.security.minClientCounter });
    // Five attributes, five GET.request normal: the list was split by the client.
    const services = r.serverEvents.flatMap((e) => (e.type === 'request' ? [e.service] : []));
    expect(services).toEqual(['get-normal', 'get-normal', 'get-normal', 'get-normal', 'get-normal']);
    expect(r.serverEvents.map((e) => e.type)).toContain('released');
    expect(r.serverEvents.at(-1)).toEqual({ type: 'disconnected', reason: 'disc' });
  });

  it('is denied everything else (READ_DENIED) and unknown objects are OBJECT_UNDEFINED', () => {
    const r = run(newServer(), {
      clientSap: 16,
      jobs: [
        [req(3, '1-0:1.8.0*255', 2)],
        [req(7, '1-0:99.1.0*255', 2)],
        [req(1, '0-0:96.1.9*255', 2)],
        [req(3, '0-0:96.1.0*255', 2)],
        [req(1, '0-0:96.1.0*255', 9)],
      ],
    });
    expect(r.failed).toBeUndefined();
    expect(r.results.map((x) => errCode(x[0]))).toEqual(['READ_DENIED', 'READ_DENIED', 'OBJECT_UNDEFINED', 'DLMS_ERROR', 'OBJECT_UNDEFINED']);
    expect(r.results[3]![0]).toMatchObject({ ok: false, error: { detail: expect.stringContaining('object-class-inconsistent') } });
  });

  it('reads the association object list by block transfer, with this client’s access rights', () => {
    const server = newServer();
    // The public client's view holds only what it may read; the reading client's, every object.
    const pub = decodeObjectList(ok(run(server, { clientSap: 16, jobs: [[req(15, '0-0:40.0.0*255', 2)]] }).results[0]![0]));
    expect(pub.map((e) => e.logicalName)).toEqual(server.state.model.objects.filter((o) => o.public).map((o) => formatObis(o.ln)));
    expect(pub.every((e) => e.attributes.some((a) => a.access > 0))).toBe(true);
    const r = run(server, { clientSap: 32, authentication: lls('00000000'), jobs: [[req(15, '0-0:40.0.0*255', 2)]] });
    expect(r.failed).toBeUndefined();
    const list = decodeObjectList(ok(r.results[0]![0]));
    expect(list).toHaveLength(server.state.model.objects.length);
    expect(list.length).toBeGreaterThan(30);
    const byLn = new Map(list.map((e) => [e.logicalName, e]));
    expect(byLn.get('1-0:1.8.0*255')).toMatchObject({ classId: 3, version: 0 });
    expect(byLn.get('1-0:1.8.0*255')!.attributes.map((a) => a.access)).toEqual([1, 1, 1]);
    expect(byLn.get('0-0:96.1.0*255')!.attributes.map((a) => a.access)).toEqual([1, 1]);
    expect(byLn.get('1-0:99.1.0*255')!.attributes.find((a) => a.id === 2)!.selectors).toEqual([1, 2]);
    expect(byLn.get('0-0:40.0.0*255')!.attributes.find((a) => a.id === 7)!.access).toBe(0);
    const nexts = r.serverEvents.filter((e) => e.type === 'request' && e.service === 'get-next');
    expect(nexts.length).toBeGreaterThanOrEqual(2);
    // Every answer respects the negotiated sizes: ≤ 128 bytes of information per HDLC frame.
    const infos = r.serverFrames.filter((f) => f.frame === 'I').map((f) => decodeFrame(f.bytes));
    expect(Math.max(...infos.map((f) => f.info.length))).toBe(128);
    expect(infos.some((f) => f.segmented)).toBe(true);
    // ... and each GET.response block ≤ the server's 512-byte PDU.
    expect(r.clientTraces.some((t) => /block transfer complete: \d+ blocks/.test(t))).toBe(true);
  });
});

describe('reading client (SAP 32, LLS)', () => {
  it('reads registers with scaler_unit by GET-with-list; values agree with the IEC readout', () => {
    const server = newServer();
    const data = server.state.data;
    const regs = [
      '1-0:1.8.0*255',
      '1-0:1.8.1*255',
      '1-0:1.8.2*255',
      '1-0:2.8.0*255',
      '1-0:2.8.1*255',
      '1-0:2.8.2*255',
      '1-0:3.8.0*255',
      '1-0:4.8.0*255',
      '1-0:32.7.0*255',
      '1-0:31.7.0*255',
      '1-0:14.7.0*255',
      '1-0:13.7.0*255',
      '1-0:1.7.0*255',
    ];
    const r = run(server, { clientSap: 32, authentication: lls('00000000'), jobs: [regs.flatMap((o) => [req(3, o, 2), req(3, o, 3)])] });
    expect(r.failed).toBeUndefined();
    expect(r.serverEvents.some((e) => e.type === 'request' && e.service === 'get-with-list')).toBe(true);
    expect(r.now - T0).toBeLessThan(1000); // all read within the same second as the readout below
    const res = r.results[0]!;
    const shown = new Map(regs.map((o, i) => [o, decodeRegister(ok(res[2 * i]), ok(res[2 * i + 1]))]));
    const readout = new Map(data.readout(T0).map((l) => [l.address, l.groups[0]!]));
    const kwh = (a: string) => Math.round(Number(readout.get(a)!.value) * 1000);
    for (const [o, a] of [
      ['1-0:1.8.0*255', '1.8.0'],
      ['1-0:1.8.1*255', '1.8.1'],
      ['1-0:1.8.2*255', '1.8.2'],
      ['1-0:2.8.0*255', '2.8.0'],
      ['1-0:3.8.0*255', '3.8.0'],
    ] as const) {
      expect(shown.get(o)!.unit).toBe(o.includes(':3.8') ? 'varh' : 'Wh');
      expect(Number(shown.get(o)!.value)).toBe(kwh(a));
    }
    // Scalers: V ×0.1, A ×0.01 (the "off by 100" trap), Hz ×0.01, power factor ×0.001.
    expect(shown.get('1-0:32.7.0*255')).toMatchObject({ scaler: -1, unit: 'V', value: String(Number(readout.get('32.7.0')!.value)) });
    expect(shown.get('1-0:31.7.0*255')).toMatchObject({ scaler: -2, unit: 'A' });
    expect(Number(shown.get('1-0:31.7.0*255')!.value)).toBe(Number(readout.get('31.7.0')!.value));
    expect(Number(shown.get('1-0:14.7.0*255')!.value)).toBe(Number(readout.get('14.7.0')!.value));
    expect(shown.get('1-0:13.7.0*255')).toMatchObject({ scaler: -3, value: readout.get('13.7.0')!.value });
    expect(Number(shown.get('1-0:1.7.0*255')!.value)).toBe(Math.round(Number(readout.get('1.7.0')!.value) * 1000));
    expect(shown.get('1-0:1.7.0*255')!.unit).toBe('W');
  });

  it('a wrong password is AUTH_REJECTED (authentication-failure), then locks LLS for 60 s, even the right one', () => {
    const server = newServer();
    const bad = run(server, { clientSap: 32, authentication: lls('12345678') });
    expect(bad.failed).toEqual({ code: 'AUTH_REJECTED', detail: 'rejected-permanent, acse-service-user: authentication-failure' });
    const during = session(server, { clientSap: 32, authentication: lls('00000000'), start: T0 + 30_000 });
    expect(during.failed?.code).toBe('AUTH_REJECTED');
    expect(during.serverEvents).toContainEqual({ type: 'rejected', clientSap: 32, reason: expect.stringContaining('locked out') });
    const after = session(server, {
      clientSap: 32,
      authentication: lls('00000000'),
      start: T0 + 61_000,
      jobs: [[req(7, '0-0:99.98.0*255', 2, entryAccess(1, 0))]],
    });
    expect(after.failed).toBeUndefined();
    // The refused password left event 46 in the standard event log.
    const cols = decodeCaptureObjects({ type: 'array', value: [] });
    const log = decodeEventLog(decodeProfileBuffer(ok(after.results[0]![0]), cols));
    expect(log.at(-1)).toMatchObject({ code: 46, iso: '2025-05-17T10:30:00+00:00' });
  });

  it('the lockout time is configurable and other clients are not locked', () => {
    const server = newServer({ lockoutMs: 5_000 });
    expect(run(server, { clientSap: 32, authentication: lls('nope') }).failed?.code).toBe('AUTH_REJECTED');
    expect(run(server, { clientSap: 16 }).failed).toBeUndefined();
    expect(session(server, { clientSap: 32, authentication: lls('00000000'), start: T0 + 6_000 }).failed).toBeUndefined();
  });

  it('wrong mechanism, unknown client and wrong context are rejected with their diagnostic', () => {
    const server = newServer();
    expect(run(server, { clientSap: 32 }).failed?.detail).toContain('authentication-mechanism-name-required');
    expect(run(server, { clientSap: 16, authentication: lls('00000000') }).failed?.detail).toContain('authentication-mechanism-name-not-recognised');
    expect(run(server, { clientSap: 17 }).failed?.detail).toContain('no-reason-given');
    const st = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    expect(
      run(server, {
        clientSap: 16,
        security: { systemTitle: st, keys: { encryptionKey: DEFAULT_ENCRYPTION_KEY, authenticationKey: DEFAULT_AUTHENTICATION_KEY }, invocationCounter: 5 },
      }).failed?.detail,
    ).toContain('application-context-name-not-supported');
  });
});

describe('load profile and event logs', () => {
  const day = 86_400_000;
  it('gives 60 days of 15-minute rows by range (deviation not specified), by block transfer', () => {
    const server = newServer();
    const from = cosemDateTime({ year: 2025, month: 3, day: 1, hour: 0, minute: 0, second: 0 });
    const to = cosemDateTime({ year: 2025, month: 4, day: 29, hour: 23, minute: 59, second: 59 });
    const r = run(server, {
      clientSap: 32,
      authentication: lls('00000000'),
      jobs: [[req(7, '1-0:99.1.0*255', 3), req(7, '1-0:99.1.0*255', 4)], [req(7, '1-0:99.1.0*255', 2, rangeAccess({ from, to }))]],
    });
    expect(r.failed).toBeUndefined();
    const [capture, period] = r.results[0]!;
    const columns = decodeCaptureObjects(ok(capture));
    expect(columns.map((c) => c.obis)).toEqual(['0-0:1.0.0*255', '0-0:96.10.1*255', '1-0:1.8.0*255', '1-0:2.8.0*255']);
    expect(num(ok(period))).toBe(900);
    const profile = decodeProfileBuffer(ok(r.results[1]![0]), columns);
    expect(profile.rows).toHaveLength(96 * 60);
    expect(profile.rows[0]!.cells[0]!.text.time).toBe('2025-03-01T00:00:00+00:00');
    expect(profile.rows.at(-1)!.cells[0]!.text.time).toBe('2025-04-29T23:45:00+00:00');
    // Energy grows row by row and is the register's value at the capture time.
    const data = server.state.data;
    const imports = profile.rows.map((row) => num(row.cells[2]!.raw));
    for (let i = 1; i < imports.length; i++) expect(imports[i]!).toBeGreaterThanOrEqual(imports[i - 1]!);
    expect(imports[0]).toBe(data.energy(Date.UTC(2025, 2, 1)).importWh);
    const blocks = r.serverEvents.filter((e) => e.type === 'request' && e.service === 'get-next').length;
    expect(blocks).toBeGreaterThan(200);
  });

  it('a specified deviation is honoured (DLMS sign: UTC = local + deviation)', () => {
    const server = newServer();
    const ranges = [0, -60].map((deviation) =>
      rangeAccess({
        from: cosemDateTime({ year: 2025, month: 5, day: 16, hour: 1, minute: 0, second: 0, deviation }),
        to: cosemDateTime({ year: 2025, month: 5, day: 16, hour: 2, minute: 0, second: 0, deviation }),
      }),
    );
    const r = run(server, { clientSap: 32, authentication: lls('00000000'), jobs: ranges.map((a) => [req(7, '1-0:99.1.0*255', 2, a)]) });
    expect(r.failed).toBeUndefined();
    const times = r.results.map((x) => decodeProfileBuffer(ok(x[0]), []).rows.map((row) => row.cells[0]!.text.time));
    expect(times[0]).toEqual([
      '2025-05-16T01:00:00+00:00',
      '2025-05-16T01:15:00+00:00',
      '2025-05-16T01:30:00+00:00',
      '2025-05-16T01:45:00+00:00',
      '2025-05-16T02:00:00+00:00',
    ]);
    expect(times[1]![0]).toBe('2025-05-16T00:00:00+00:00');
    expect(times[1]).toHaveLength(5);
  });

  it('selects entries and columns; the whole buffer holds 90 days, the newest row at the last quarter hour', () => {
    const server = newServer();
    const r = run(server, {
      clientSap: 32,
      authentication: lls('00000000'),
      jobs: [
        [req(7, '1-0:99.1.0*255', 7), req(7, '1-0:99.1.0*255', 8)],
        [req(7, '1-0:99.1.0*255', 2, entryAccess(8640, 0, 1, 3))],
        [req(7, '1-0:99.1.0*255', 2, entryAccess(1, 2))],
      ],
    });
    expect(r.failed).toBeUndefined();
    expect(r.results[0]!.map((x) => num(ok(x)))).toEqual([8640, 8640]);
    const newest = decodeProfileBuffer(ok(r.results[1]![0]), []).rows;
    expect(newest).toHaveLength(1);
    expect(newest[0]!.cells).toHaveLength(3);
    expect(newest[0]!.cells[0]!.text.time).toBe('2025-05-17T10:30:00+00:00');
    const oldest = decodeProfileBuffer(ok(r.results[2]![0]), []).rows;
    expect(oldest.map((row) => row.cells[0]!.text.time)).toEqual(['2025-02-16T10:45:00+00:00', '2025-02-16T11:00:00+00:00']);
    expect(T0 - Date.parse('2025-02-16T10:45:00Z')).toBe(90 * day - 15 * 60_000);
  });

  it('standard and power-quality event logs: sorted, known event codes, plausible pairs', () => {
    const server = newServer();
    const r = run(server, {
      clientSap: 32,
      authentication: lls('00000000'),
      jobs: [[req(7, '0-0:99.98.0*255', 3), req(7, '0-0:99.98.0*255', 2), req(7, '0-0:99.98.4*255', 2)]],
    });
    expect(r.failed).toBeUndefined();
    const [cap, std, pq] = r.results[0]!;
    expect(decodeCaptureObjects(ok(cap)).map((c) => c.obis)).toEqual(['0-0:1.0.0*255', '0-0:96.11.0*255']);
    for (const v of [std, pq]) {
      const log = decodeEventLog(decodeProfileBuffer(ok(v), []));
      expect(log.length).toBeGreaterThan(20);
      for (const e of log) expect(EVENT_CODES[e.code]).toBeDefined();
      const isos = log.map((e) => e.iso!);
      expect([...isos].sort()).toEqual(isos);
      expect(isos.at(-1)! <= '2025-05-17T10:30:00+00:00').toBe(true);
      // every power down is followed by a power up
      const codes = log.map((e) => e.code);
      codes.forEach((c, i) => {
        if (c === 1 && i + 1 < codes.length) expect(codes[i + 1]).toBe(2);
      });
    }
    expect(new Set(decodeEventLog(decodeProfileBuffer(ok(std), [])).map((e) => e.code)).size).toBeGreaterThan(3);
  });

  it('the event logs are stable over time (an entry keeps its time and code)', () => {
    const a = run(newServer(), { clientSap: 32, authentication: lls('00000000'), jobs: [[req(7, '0-0:99.98.0*255', 2)]] });
    const b = session(newServer(), { clientSap: 32, authentication: lls('00000000'), start: T0 + 7 * day, jobs: [[req(7, '0-0:99.98.0*255', 2)]] });
    const la = decodeEventLog(decodeProfileBuffer(ok(a.results[0]![0]), []));
    const lb = decodeEventLog(decodeProfileBuffer(ok(b.results[0]![0]), []));
    const last = la.at(-1)!;
    expect(lb).toContainEqual(last);
  });
});

describe('management client (SAP 1, HLS-GMAC, glo-ciphering)', () => {
  const clientSt = unhex('4f4d520000000001');
  const keys = { encryptionKey: DEFAULT_ENCRYPTION_KEY, authenticationKey: DEFAULT_AUTHENTICATION_KEY };

  it('reads the invocation counter with the public client, then associates with HLS-GMAC and reads ciphered', () => {
    const server = newServer();
    const pub = run(server, { clientSap: 16, jobs: [[req(1, '0-0:43.1.1*255', 2)]] });
    const counter = num(ok(pub.results[0]![0]));
    const r = run(server, {
      clientSap: 1,
      authentication: { mechanism: 'hls-gmac' },
      security: { systemTitle: clientSt, keys, invocationCounter: counter },
      jobs: [[req(3, '1-0:1.8.0*255', 2), req(3, '1-0:31.7.0*255', 3), req(64, '0-0:43.0.0*255', 4)], [req(7, '1-0:99.1.0*255', 2, entryAccess(1, 200))]],
    });
    expect(r.failed).toBeUndefined();
    expect(r.done).toBe(true);
    const assoc = r.events.find((e) => e.type === 'associated');
    expect(assoc).toMatchObject({ mechanism: 'hls-gmac', serverSystemTitle: hex(server.state.systemTitle) });
    expect(hex(server.state.systemTitle).slice(0, 6)).toBe(hex(ascii('LGZ')));
    expect(r.serverEvents).toContainEqual({ type: 'authenticated', clientSap: 1 });
    const [energy, su, st] = r.results[0]!;
    expect(num(ok(energy))).toBe(server.state.data.energy(T0).importWh);
    expect(ok(su)).toEqual({
      type: 'structure',
      value: [
        { type: 'integer', value: -2 },
        { type: 'enum', value: 33 },
      ],
    });
    expect(ok(st)).toEqual({ type: 'octet-string', value: hex(clientSt) });
    expect(decodeProfileBuffer(ok(r.results[1]![0]), []).rows).toHaveLength(200);
    // Every answer after the AARE went out glo-ciphered (0xCC get-response, 0xCF action-response).
    expect(r.clientTraces.some((t) => t.startsWith('deciphered 0xcc'))).toBe(true);
    expect(r.clientTraces.some((t) => t.startsWith('deciphered 0xcf'))).toBe(true);
    // The server moved its record of the client's counter past every counter used.
    expect(server.state.security.minClientCounter).toBeGreaterThan(counter + 3);
  });

  it('a replayed (stale) invocation counter or wrong keys are rejected', () => {
    const server = newServer({ clientInvocationCounter: 100 });
    const stale = run(server, { clientSap: 1, authentication: { mechanism: 'hls-gmac' }, security: { systemTitle: clientSt, keys, invocationCounter: 99 } });
    expect(stale.failed?.code).toBe('AUTH_REJECTED');
    expect(stale.failed?.detail).toContain('deciphering-error');
    const wrong = run(server, {
      clientSap: 1,
      authentication: { mechanism: 'hls-gmac' },
      security: { systemTitle: clientSt, keys: { encryptionKey: DEFAULT_ENCRYPTION_KEY, authenticationKey: DEFAULT_ENCRYPTION_KEY }, invocationCounter: 100 },
    });
    expect(wrong.failed?.code).toBe('AUTH_REJECTED');
    const good = run(server, { clientSap: 1, authentication: { mechanism: 'hls-gmac' }, security: { systemTitle: clientSt, keys, invocationCounter: 100 } });
    expect(good.failed).toBeUndefined();
  });
});

describe('HDLC layer', () => {
  it('accepts the 1-, 2- and 4-byte server address forms, answers in the same form', () => {
    for (const [addressSize, physicalAddress] of [
      [1, undefined],
      [2, 17],
      [4, 17],
    ] as const) {
      const r = run(newServer(), { clientSap: 16, transport: { addressSize, physicalAddress }, jobs: [[req(1, '0-0:96.1.0*255', 2)]] });
      expect(r.failed).toBeUndefined();
      expect(decodeFrame(r.serverFrames[0]!.bytes).src.size).toBe(addressSize);
    }
  });

  it('a frame to another physical address gets DM (HDLC_REJECTED)', () => {
    const r = run(newServer(), { clientSap: 16, transport: { physicalAddress: 18 } });
    expect(r.failed?.code).toBe('HDLC_REJECTED');
    expect(r.serverFrames.map((f) => f.frame)).toEqual(['DM']);
  });

  it('honours a smaller max information field proposed by the client, and a small client PDU', () => {
    const r = run(newServer(), {
      clientSap: 32,
      authentication: lls('00000000'),
      transport: { parameters: { maxInfoRx: 64, maxInfoTx: 40 } },
      maxReceivePduSize: 200,
      jobs: [[req(15, '0-0:40.0.0*255', 2)]],
    });
    expect(r.failed).toBeUndefined();
    const connected = r.serverEvents.find((e) => e.type === 'connected');
    expect(connected).toMatchObject({ maxInfoTx: 64, maxInfoRx: 40 });
    const infos = r.serverFrames.filter((f) => f.frame === 'I').map((f) => decodeFrame(f.bytes).info.length);
    expect(Math.max(...infos)).toBe(64);
    expect(r.serverEvents.filter((e) => e.type === 'request' && e.service === 'get-next').length).toBeGreaterThan(8);
  });

  it('caps a larger proposal at the server’s 128-byte information field, so long answers are segmented', () => {
    const r = run(newServer(), {
      clientSap: 32,
      authentication: lls('00000000'),
      transport: { parameters: { maxInfoRx: 1024, maxInfoTx: 1024 } },
      jobs: [[req(15, '0-0:40.0.0*255', 2)]],
    });
    expect(r.failed).toBeUndefined();
    expect(r.serverEvents.find((e) => e.type === 'connected')).toMatchObject({ maxInfoTx: 128, maxInfoRx: 128 });
    const frames = r.serverFrames.filter((f) => f.frame === 'I').map((f) => decodeFrame(f.bytes));
    expect(Math.max(...frames.map((f) => f.info.length))).toBe(128);
    expect(frames.filter((f) => f.segmented).length).toBeGreaterThan(8);
  });

  it('a lost or damaged answer is recovered by the client repeating its frame', () => {
    const jobs = [[req(15, '0-0:40.0.0*255', 2)], [req(1, '0-0:96.1.0*255', 2)]];
    const clean = run(newServer(), { clientSap: 16, jobs });
    for (const fault of ['drop', 'corrupt'] as const) {
      const r = run(newServer(), { clientSap: 16, jobs, fault: (_f, n) => (n === 6 ? fault : undefined) });
      expect(r.failed).toBeUndefined();
      expect(r.results).toEqual(clean.results);
      expect(r.serverFrames.filter((f) => f.repeat)).toHaveLength(1);
    }
  });

  it('ends the connection after the inactivity timeout', () => {
    const server = newServer({ inactivityTimeoutMs: 10_000 });
    const snrm = encodeFrame({
      dest: serverAddress(1, 17),
      src: clientAddress(16),
      control: { kind: 'SNRM', pf: true },
      segmented: false,
      info: new Uint8Array(0),
    });
    const ua = server.receive(snrm, T0);
    expect(ua.find((a) => a.type === 'send')).toMatchObject({ frame: 'UA' });
    expect(ua).toContainEqual({ type: 'wakeAt', at: T0 + 10_000 });
    expect(server.tick(T0 + 9_999).some((a) => a.type === 'event')).toBe(false);
    expect(server.isConnected).toBe(true);
    expect(server.tick(T0 + 10_000)).toContainEqual({ type: 'event', event: { type: 'disconnected', reason: 'inactivity' } });
    expect(server.isConnected).toBe(false);
    // An I-frame now gets DM: the connection is gone.
    const i = encodeFrame({
      dest: serverAddress(1, 17),
      src: clientAddress(16),
      control: { kind: 'I', ns: 0, nr: 0, pf: true },
      segmented: false,
      info: Uint8Array.of(0xe6, 0xe6, 0, 0xc0),
    });
    expect(server.receive(i, T0 + 10_001).find((a) => a.type === 'send')).toMatchObject({ frame: 'DM' });
  });
});

describe('application layer answers', () => {
  const aarq = (mechanism: 'none' | 'lls', password?: string) =>
    encodeAarq({
      context: 'ln-no-ciphering',
      mechanism,
      ...(password ? { authenticationValue: ascii(password) } : {}),
      userInformation: encodeInitiateRequest({
        conformance: conformanceFromNames(['get', 'multiple-references', 'block-transfer-with-get-or-read', 'selective-access']),
        maxReceivePduSize: 1024,
      }),
    });

  it('GET-with-list is refused to the public client (exception-response), served to client 32', () => {
    const server = newServer();
    const app = server.app;
    expect(decodeAare(app.handle(16, aarq('none'), T0).apdu).result).toBe(0);
    const list = encodeGetRequest({ type: 'with-list', invokeId: 1, requests: [req(1, '0-0:96.1.0*255', 2), req(8, '0-0:1.0.0*255', 2)] });
    const refused = decodeExceptionResponse(app.handle(16, list, T0).apdu);
    expect(refused.text).toContain('service-not-supported');
    expect(decodeAare(app.handle(32, aarq('lls', '00000000'), T0).apdu).result).toBe(0);
    const served = decodeGetResponse(app.handle(32, list, T0).apdu);
    expect(served.type === 'with-list' && served.results.map((x) => x.ok)).toEqual([true, true]);
  });

  it('garbage, requests without an association and GET next without a transfer get error answers', () => {
    const app = newServer().app;
    expect(
      decodeExceptionResponse(app.handle(16, encodeGetRequest({ type: 'normal', invokeId: 1, request: req(1, '0-0:96.1.0*255', 2) }), T0).apdu).text,
    ).toContain('service-not-allowed');
    app.handle(16, aarq('none'), T0);
    for (const junk of [Uint8Array.of(0xff, 1, 2), Uint8Array.of(0xc0, 0x01), new Uint8Array(0), Uint8Array.of(0xc1, 1, 0x81)]) {
      expect(app.handle(16, junk, T0).apdu[0]).toBe(0xd8);
    }
    const next = decodeGetResponse(app.handle(16, encodeGetRequest({ type: 'next', invokeId: 2, blockNumber: 1 }), T0).apdu);
    expect(next).toMatchObject({ type: 'with-datablock-error', dar: 16 });
    // Still associated after all that.
    const ok1 = decodeGetResponse(app.handle(16, encodeGetRequest({ type: 'normal', invokeId: 3, request: req(1, '0-0:96.1.0*255', 2) }), T0).apdu);
    expect(ok1.type === 'normal' && ok1.result.ok).toBe(true);
  });

  it('a profile read is produced lazily: the first block does not encode the whole buffer', () => {
    const server = newServer({ profileDays: 400 });
    const app = server.app;
    app.handle(32, aarq('lls', '00000000'), T0);
    const t = performance.now();
    const first = decodeGetResponse(app.handle(32, encodeGetRequest({ type: 'normal', invokeId: 1, request: req(7, '1-0:99.1.0*255', 2) }), T0).apdu);
    expect(performance.now() - t).toBeLessThan(200);
    expect(first).toMatchObject({ type: 'with-datablock', blockNumber: 1, lastBlock: false });
    const raw = first.type === 'with-datablock' ? first.raw : new Uint8Array(0);
    // An array of 400 × 96 rows, the oldest first.
    expect(hex(raw.slice(0, 4))).toBe(`0182${(400 * 96).toString(16).padStart(4, '0')}`);
    const row0 = encodeData({ type: 'structure', value: server.state.model.loadProfileView(T0).row(0) });
    expect(hex(raw.slice(4, 4 + row0.length))).toBe(hex(row0));
  });
});

describe('data set', () => {
  it('the DLMS energy agrees with the readout at any time', () => {
    const data = new E450Data({ seed: 9 });
    for (const t of [T0, T0 + 12_345_678, T0 + 40 * 86_400_000]) {
      const readout = new Map(data.readout(t).map((l) => [l.address, l.groups[0]!.value]));
      const e = data.energy(t);
      expect(Math.round(Number(readout.get('1.8.0')) * 1000)).toBe(e.importWh);
      expect(Math.round(Number(readout.get('2.8.2')) * 1000)).toBe(e.exportT2Wh);
      expect(Math.round(Number(readout.get('4.8.0')) * 1000)).toBe(e.reactiveExportVarh);
    }
  });
});
