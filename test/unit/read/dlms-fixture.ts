/**
 * A scripted E450-like DLMS server for the service tests, built on the engine's encoders and the
 * HDLC FakeMeter (test/unit/dlms/fake-meter.ts): public client 16 (no auth, few objects, no
 * GET-with-list), reading client 32 (LLS password), management client 1 (HLS-GMAC, glo-ciphering);
 * registers with scaler/unit, clock, a 15-minute load profile answering range reads, event
 * logs, the object list, block transfer of big answers, and a client invocation counter that
 * refuses stale counters. It can sit on a Link (virtual pair, TCP socket) or be fed bytes.
 */
import { OmrError } from '../../../shared/errors';
import type { Link } from '../../../electron/link/types';
import { decodeAarq, encodeAare, encodeRlre } from '../../../electron/engine/dlms/acse';
import { encodeData, type DlmsValue } from '../../../electron/engine/dlms/axdr';
import { concat, encodeLength, hex, unhex } from '../../../electron/engine/dlms/bytes';
import { conformanceFromNames } from '../../../electron/engine/dlms/conformance';
import { decodeDateTime, encodeDateTime, cosemDateTime } from '../../../electron/engine/dlms/datetime';
import { formatObis, parseObis } from '../../../electron/engine/dlms/obis-code';
import { cipherApdu, decipherApdu, hlsGmac, verifyHlsGmac, type Keys } from '../../../electron/engine/dlms/security';
import type { AttributeRequest, GetDataResult } from '../../../electron/engine/dlms/apdu';
import { decodeInitiateRequest, encodeInitiateResponse } from '../../../electron/engine/dlms/initiate';
import { encodeExceptionResponse } from '../../../electron/engine/dlms/exception';
import { decodeGetRequest, encodeGetResponse } from '../../../electron/engine/dlms/get';
import { decodeActionRequest, encodeActionResponse } from '../../../electron/engine/dlms/action';
import { Deframer } from '../../../electron/engine/hdlc/deframer';
import { encodeFrame } from '../../../electron/engine/hdlc/frame';
import { FakeMeter, type FakeMeterOptions } from '../dlms/fake-meter';

export const WITH_LIST = conformanceFromNames(['block-transfer-with-get-or-read', 'multiple-references', 'get', 'selective-access', 'action']);
export const NO_LIST = conformanceFromNames(['block-transfer-with-get-or-read', 'get', 'selective-access']);

export const KEYS = {
  encryptionKey: unhex('000102030405060708090A0B0C0D0E0F'),
  authenticationKey: unhex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF'),
  systemTitle: unhex('4D4D4D0000000001'),
};
export const SERVER_SYSTEM_TITLE = unhex('4C475A0012345678');

const octets = (s: string): DlmsValue => ({ type: 'octet-string', value: hex(new TextEncoder().encode(s)) });
const su = (scaler: number, unit: number): DlmsValue => ({ type: 'structure', value: [{ type: 'integer', value: scaler }, { type: 'enum', value: unit }] });
const lnValue = (obis: string): DlmsValue => ({ type: 'octet-string', value: hex(Uint8Array.from(parseObis(obis))) });
const captureDef = (classId: number, obis: string, attribute: number): DlmsValue => ({
  type: 'structure',
  value: [
    { type: 'long-unsigned', value: classId },
    lnValue(obis),
    { type: 'integer', value: attribute },
    { type: 'long-unsigned', value: 0 },
  ],
});

export interface Register {
  classId: number;
  value: DlmsValue;
  scaler?: number;
  unit?: number;
}

/** Registers of the fixture, by normalised OBIS. */
export function e450Registers(): Map<string, Register> {
  const m = new Map<string, Register>();
  const reg = (obis: string, value: number, scaler: number, unit: number, type: 'double-long-unsigned' | 'long-unsigned' | 'long' | 'double-long' = 'double-long-unsigned') =>
    m.set(formatObis(parseObis(obis)), { classId: 3, value: { type, value }, scaler, unit });
  reg('1-0:1.8.0', 7136726, 0, 30);
  reg('1-0:1.8.1', 4101234, 0, 30);
  reg('1-0:1.8.2', 3035492, 0, 30);
  reg('1-0:2.8.0', 123456, 0, 30);
  reg('1-0:2.8.1', 100000, 0, 30);
  reg('1-0:2.8.2', 23456, 0, 30);
  reg('1-0:3.8.0', 5551234, -1, 32);
  reg('1-0:4.8.0', 998877, -1, 32);
  reg('1-0:32.7.0', 2308, -1, 35, 'long-unsigned');
  reg('1-0:52.7.0', 2311, -1, 35, 'long-unsigned');
  reg('1-0:72.7.0', 2297, -1, 35, 'long-unsigned');
  reg('1-0:31.7.0', 1234, -2, 33, 'long-unsigned'); // 12.34 A: the classic off-by-100
  reg('1-0:51.7.0', 7, -2, 33, 'long-unsigned'); // 0.07 A
  reg('1-0:71.7.0', 100, -2, 33, 'long-unsigned'); // 1 A
  reg('1-0:21.7.0', 2841, 0, 27);
  reg('1-0:41.7.0', 16, 0, 27);
  reg('1-0:61.7.0', 229, 0, 27);
  reg('1-0:1.7.0', 3086, 0, 27);
  reg('1-0:2.7.0', 0, 0, 27);
  reg('1-0:3.7.0', 412, 0, 29);
  reg('1-0:4.7.0', 0, 0, 29);
  reg('1-0:14.7.0', 4998, -2, 44, 'long-unsigned');
  reg('1-0:13.7.0', 987, -3, 255, 'long');
  reg('1-0:33.7.0', 991, -3, 255, 'long');
  reg('1-0:53.7.0', 850, -3, 255, 'long');
  // 1-0:73.7.0 (power factor L3) deliberately absent: OBJECT_UNDEFINED, optional.
  return m;
}

export interface FixtureOptions {
  password?: string;
  /** Meter clock minus PC clock (ms). */
  clockOffsetMs?: number;
  /** First profile entry (local time) and its count (15-minute periods). */
  profileStart?: Date;
  profileEntries?: number;
  /** obis/attribute keys the reading client may not read (READ_DENIED). */
  denied?: string[];
  /** HDLC max info both ways. */
  maxInfo?: number;
  /** Server max PDU (answers bigger than this go by block transfer). */
  maxPdu?: number;
  /** Called with every APDU received (after deciphering), with the client SAP. Return 'drop' to stay silent. */
  onApdu?: (sap: number, apdu: Uint8Array) => 'drop' | undefined;
  fault?: FakeMeterOptions['fault'];
  /** Invocation counter the meter last saw from client 1. */
  clientCounter?: number;
  /** Called after a DISC was answered (a mode E meter goes back to IEC 62056-21 then). */
  onDisc?: () => void;
}

export interface ClientState {
  associated: boolean;
  ciphered: boolean;
  blocks: Uint8Array[];
  stoc?: Uint8Array;
  ctos?: Uint8Array;
  clientSystemTitle?: Uint8Array;
}

export class FakeE450 {
  readonly registers = e450Registers();
  readonly meters = new Map<number, FakeMeter>();
  readonly received: { sap: number; apdu: Uint8Array }[] = [];
  readonly aarqs: { sap: number; mechanism: string; authenticationValue?: Uint8Array }[] = [];
  /** Highest invocation counter received from the management client. */
  clientCounter: number;
  private serverCounter = 500;
  private readonly password: string;
  private readonly profileStart: Date;
  private readonly profileEntries: number;
  private readonly keys: Keys = { encryptionKey: KEYS.encryptionKey, authenticationKey: KEYS.authenticationKey };
  private readonly state = new Map<number, ClientState>();

  constructor(private readonly o: FixtureOptions = {}) {
    this.password = o.password ?? 'Secr3t!LLS';
    this.profileStart = o.profileStart ?? new Date(2024, 4, 1, 0, 0, 0);
    this.profileEntries = o.profileEntries ?? 96 * 70;
    this.clientCounter = o.clientCounter ?? 41;
  }

  private meterFor(sap: number): FakeMeter {
    let m = this.meters.get(sap);
    if (!m) {
      m = new FakeMeter({ clientSap: sap, maxInfo: this.o.maxInfo ?? 128, handle: (apdu) => this.handle(sap, apdu), ...(this.o.fault ? { fault: this.o.fault } : {}) });
      this.meters.set(sap, m);
    }
    return m;
  }

  /** Bytes from the client (any client) → bytes back. */
  private readonly deframer = new Deframer();
  feed(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const item of this.deframer.push(bytes)) {
      if (item.kind !== 'frame') continue;
      out.push(...this.meterFor(item.frame.src.upper).feed(encodeFrame(item.frame)));
      if (item.frame.control.kind === 'DISC') this.discs++;
    }
    return out;
  }

  private discs = 0;

  /** Serve on a link (the meter end). Returns a detach function. */
  attach(link: Link): () => void {
    return link.onData((bytes) => {
      const before = this.discs;
      for (const answer of this.feed(bytes)) if (link.isOpen) void link.write(answer).catch(() => undefined);
      if (this.discs > before) this.o.onDisc?.();
    });
  }

  /** Every HDLC control kind the meter received, per client, in order. */
  controls(sap: number): string[] {
    return this.meters.get(sap)?.received.map((f) => f.control.kind) ?? [];
  }

  // ------------------------------------------------------------------------------ application

  private st(sap: number): ClientState {
    let s = this.state.get(sap);
    if (!s) {
      s = { associated: false, ciphered: false, blocks: [] };
      this.state.set(sap, s);
    }
    return s;
  }

  /** One APDU from a client → the answer APDU (the wrapper server calls it directly). */
  handle(sap: number, raw: Uint8Array): Uint8Array | undefined {
    const s = this.st(sap);
    if (raw[0] === 0x60) return this.aarq(sap, raw);
    if (raw[0] === 0x62) {
      s.associated = false;
      return encodeRlre();
    }
    let apdu = raw;
    if (s.ciphered) {
      const d = decipherApdu(raw, this.keys, s.clientSystemTitle);
      if (d.apdu.invocationCounter <= this.clientCounter) return encodeExceptionResponse(1, 6, this.clientCounter + 1);
      this.clientCounter = d.apdu.invocationCounter;
      apdu = d.plaintext;
    }
    this.received.push({ sap, apdu });
    if (this.o.onApdu?.(sap, apdu) === 'drop') return undefined;
    const answer = this.service(sap, s, apdu);
    return s.ciphered ? cipherApdu(answer, SERVER_SYSTEM_TITLE, this.serverCounter++, this.keys) : answer;
  }

  private aarq(sap: number, raw: Uint8Array): Uint8Array {
    const q = decodeAarq(raw);
    const s = this.st(sap);
    this.aarqs.push({ sap, mechanism: q.mechanism, ...(q.authenticationValue ? { authenticationValue: q.authenticationValue } : {}) });
    const reject = (diagnostic: number) => encodeAare({ context: q.context, result: 1, diagnostic });
    const initiate = (conformance: number) => encodeInitiateResponse({ dlmsVersion: 6, conformance, maxReceivePduSize: this.o.maxPdu ?? 512, vaaName: 7 });
    if (sap === 16) {
      if (q.mechanism !== 'none') return reject(11);
      decodeInitiateRequest(q.userInformation);
      s.associated = true;
      s.ciphered = false;
      return encodeAare({ context: 'ln-no-ciphering', result: 0, diagnostic: 0, userInformation: initiate(NO_LIST) });
    }
    if (sap === 32) {
      if (q.mechanism !== 'lls') return reject(11);
      if (new TextDecoder().decode(q.authenticationValue ?? new Uint8Array()) !== this.password) return reject(13);
      s.associated = true;
      s.ciphered = false;
      return encodeAare({ context: 'ln-no-ciphering', result: 0, diagnostic: 14, mechanism: 'lls', userInformation: initiate(WITH_LIST) });
    }
    if (sap === 1) {
      if (q.mechanism !== 'hls-gmac' || q.context !== 'ln-ciphering' || !q.callingApTitle) return reject(11);
      let d;
      try {
        d = decipherApdu(q.userInformation, this.keys, q.callingApTitle);
      } catch {
        return reject(13);
      }
      if (d.apdu.invocationCounter <= this.clientCounter) return reject(13);
      this.clientCounter = d.apdu.invocationCounter;
      decodeInitiateRequest(d.plaintext);
      s.clientSystemTitle = q.callingApTitle;
      s.ctos = q.authenticationValue!;
      s.stoc = unhex('503677524A323146');
      s.associated = true;
      s.ciphered = true;
      return encodeAare({
        context: 'ln-ciphering',
        result: 0,
        diagnostic: 14,
        respondingApTitle: SERVER_SYSTEM_TITLE,
        mechanism: 'hls-gmac',
        respondingAuthenticationValue: s.stoc,
        userInformation: cipherApdu(initiate(WITH_LIST), SERVER_SYSTEM_TITLE, this.serverCounter++, this.keys),
      });
    }
    return reject(1);
  }

  private service(sap: number, s: ClientState, apdu: Uint8Array): Uint8Array {
    if (apdu[0] === 0xc3) {
      const a = decodeActionRequest(apdu);
      const f = unhex((a.parameters as { value: string }).value);
      try {
        verifyHlsGmac(f, s.clientSystemTitle!, this.keys, s.stoc!);
      } catch {
        return encodeActionResponse({ invokeId: a.invokeId, result: 3 });
      }
      const reply = hlsGmac(SERVER_SYSTEM_TITLE, this.serverCounter, this.keys, s.ctos!);
      return encodeActionResponse({ invokeId: a.invokeId, result: 0, returnData: { ok: true, value: { type: 'octet-string', value: hex(reply) } } });
    }
    const q = decodeGetRequest(apdu);
    const limit = (this.o.maxPdu ?? 512) - 20;
    if (q.type === 'next') {
      const i = q.blockNumber;
      if (i >= s.blocks.length) return encodeGetResponse({ type: 'with-datablock-error', invokeId: q.invokeId, lastBlock: true, blockNumber: i + 1, dar: 19, name: '' });
      return encodeGetResponse({ type: 'with-datablock', invokeId: q.invokeId, lastBlock: i + 1 === s.blocks.length, blockNumber: i + 1, raw: s.blocks[i]! });
    }
    let raw: Uint8Array;
    let plain: Uint8Array;
    if (q.type === 'with-list') {
      const results = q.requests.map((r) => this.lookup(sap, r));
      plain = encodeGetResponse({ type: 'with-list', invokeId: q.invokeId, results });
      raw = concat(encodeLength(results.length), ...results.map((r) => (r.ok ? concat(Uint8Array.of(0), encodeData(r.value)) : Uint8Array.of(1, r.dar))));
    } else {
      const r = this.lookup(sap, q.request);
      plain = encodeGetResponse({ type: 'normal', invokeId: q.invokeId, result: r });
      if (!r.ok) return plain;
      raw = encodeData(r.value);
    }
    if (plain.length <= limit) return plain;
    s.blocks = [];
    for (let p = 0; p < raw.length; p += limit) s.blocks.push(raw.slice(p, p + limit));
    return encodeGetResponse({ type: 'with-datablock', invokeId: q.invokeId, lastBlock: s.blocks.length === 1, blockNumber: 1, raw: s.blocks[0]! });
  }

  /** The meter's clock (local wall time, deviation not specified). */
  clockValue(): DlmsValue {
    const d = new Date(Date.now() + (this.o.clockOffsetMs ?? 0));
    return { type: 'octet-string', value: hex(encodeDateTime(cosemDateTime({ year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), dayOfWeek: ((d.getDay() + 6) % 7) + 1, hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds(), hundredths: 0 }))) };
  }

  private static timeOf(d: Date): DlmsValue {
    return { type: 'octet-string', value: hex(encodeDateTime(cosemDateTime({ year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), dayOfWeek: ((d.getDay() + 6) % 7) + 1, hour: d.getHours(), minute: d.getMinutes(), second: 0, hundredths: 0, clockStatus: 0 }))) };
  }

  /** Profile row n: time, status, +A total (Wh, counter), −A total. */
  profileRow(n: number): { time: Date; importWh: number; exportWh: number } {
    return { time: new Date(this.profileStart.getTime() + n * 900_000), importWh: 7_000_000 + n * 37 + (n % 7), exportWh: 120_000 + n * 3 };
  }

  private profileBuffer(access: AttributeRequest['access']): DlmsValue {
    let from = 0;
    let to = this.profileEntries - 1;
    if (access?.selector === 1 && access.parameters.type === 'structure') {
      const [, f, t] = access.parameters.value;
      const toDate = (v: DlmsValue | undefined) => {
        if (v?.type !== 'octet-string') throw new OmrError('DECODE_ERROR', 'range bound');
        const dt = decodeDateTime(unhex(v.value));
        if (dt.deviation !== null) throw new OmrError('DECODE_ERROR', 'this meter answers only ranges without deviation');
        return new Date(dt.year!, dt.month! - 1, dt.day!, dt.hour!, dt.minute!, dt.second ?? 0).getTime();
      };
      const a = toDate(f);
      const b = toDate(t);
      from = Math.max(0, Math.ceil((a - this.profileStart.getTime()) / 900_000));
      to = Math.min(this.profileEntries - 1, Math.floor((b - this.profileStart.getTime()) / 900_000));
    }
    const rows: DlmsValue[] = [];
    for (let n = from; n <= to; n++) {
      const r = this.profileRow(n);
      rows.push({ type: 'structure', value: [FakeE450.timeOf(r.time), { type: 'unsigned', value: 0 }, { type: 'double-long-unsigned', value: r.importWh }, { type: 'double-long-unsigned', value: r.exportWh }] });
    }
    return { type: 'array', value: rows };
  }

  eventRows(log: string): { time: Date; code: number }[] {
    if (log === '0-0:99.98.0*255') return [1, 2, 4, 5, 40, 41].map((code, i) => ({ time: new Date(2024, 5, 1 + i, 10, i * 5, 0), code }));
    return [77, 1, 2].map((code, i) => ({ time: new Date(2024, 6, 3, 8 + i, 0, 0), code }));
  }

  private objectList(sap: number): DlmsValue {
    const entry = (classId: number, version: number, obis: string, attrs: number[]) => ({
      type: 'structure' as const,
      value: [
        { type: 'long-unsigned' as const, value: classId },
        { type: 'unsigned' as const, value: version },
        lnValue(obis),
        {
          type: 'structure' as const,
          value: [
            { type: 'array' as const, value: attrs.map((id) => ({ type: 'structure' as const, value: [{ type: 'integer' as const, value: id }, { type: 'enum' as const, value: this.readable(sap, `${obis}/${id}`) ? 1 : 0 }, { type: 'null-data' as const }] })) },
            { type: 'array' as const, value: [] },
          ],
        },
      ],
    });
    const list: DlmsValue[] = [
      entry(1, 0, '0-0:42.0.0*255', [1, 2]),
      entry(1, 0, '0-0:96.1.0*255', [1, 2]),
      entry(1, 0, '1-0:0.2.0*255', [1, 2]),
      entry(8, 0, '0-0:1.0.0*255', [1, 2, 3]),
      entry(7, 1, '1-0:99.1.0*255', [1, 2, 3, 4]),
      entry(15, 2, '0-0:40.0.0*255', [1, 2]),
      ...[...this.registers.entries()].map(([obis, r]) => entry(r.classId, 0, obis, [1, 2, 3])),
    ];
    return { type: 'array', value: list };
  }

  private readable(sap: number, key: string): boolean {
    if (sap === 16) return /^(0-0:42\.0\.0|0-0:96\.1\.0|0-0:1\.0\.0|1-0:0\.2\.0|0-0:43\.1\.\d+|0-0:40\.0\.0)\*255\//.test(key);
    return !(this.o.denied ?? []).includes(key);
  }

  private lookup(sap: number, r: AttributeRequest): GetDataResult {
    const obis = formatObis(typeof r.obis === 'string' ? parseObis(r.obis) : r.obis);
    const key = `${obis}/${r.attribute}`;
    const ok = (value: DlmsValue): GetDataResult => ({ ok: true, value });
    const v = this.value(sap, r.classId, obis, r.attribute, r.access);
    if (v === undefined) return { ok: false, dar: 4, name: 'object-undefined' };
    if (!this.readable(sap, key)) return { ok: false, dar: 3, name: 'read-write-denied' };
    return ok(v);
  }

  private value(sap: number, classId: number, obis: string, attribute: number, access: AttributeRequest['access']): DlmsValue | undefined {
    const reg = this.registers.get(obis);
    if (reg) {
      if (classId !== reg.classId) return undefined;
      if (attribute === 2) return reg.value;
      if (attribute === 3) return su(reg.scaler ?? 0, reg.unit ?? 255);
      return undefined;
    }
    switch (`${classId}/${obis}/${attribute}`) {
      case '1/0-0:42.0.0*255/2':
        return octets('LGZ1030012345678');
      case '1/0-0:96.1.0*255/2':
        return octets('12345678');
      case '1/1-0:0.2.0*255/2':
        return octets('E450 FW 2.1.7');
      case '8/0-0:1.0.0*255/2':
        return this.clockValue();
      case '1/0-0:43.1.1*255/2':
        return { type: 'double-long-unsigned', value: this.clientCounter };
      case '15/0-0:40.0.0*255/2':
        return this.objectList(sap);
      case '7/1-0:99.1.0*255/3':
        return { type: 'array', value: [captureDef(8, '0-0:1.0.0*255', 2), captureDef(1, '0-0:96.10.1*255', 2), captureDef(3, '1-0:1.8.0*255', 2), captureDef(3, '1-0:2.8.0*255', 2)] };
      case '7/1-0:99.1.0*255/4':
        return { type: 'double-long-unsigned', value: 900 };
      case '7/1-0:99.1.0*255/2':
        return this.profileBuffer(access);
      case '7/0-0:99.98.0*255/3':
      case '7/0-0:99.98.4*255/3':
        return { type: 'array', value: [captureDef(8, '0-0:1.0.0*255', 2), captureDef(1, obis === '0-0:99.98.0*255' ? '0-0:96.11.0*255' : '0-0:96.11.4*255', 2)] };
      case '7/0-0:99.98.0*255/4':
      case '7/0-0:99.98.4*255/4':
        return { type: 'double-long-unsigned', value: 0 };
      case '7/0-0:99.98.0*255/2':
      case '7/0-0:99.98.4*255/2':
        return { type: 'array', value: this.eventRows(obis).map((e) => ({ type: 'structure' as const, value: [FakeE450.timeOf(e.time), { type: 'unsigned' as const, value: e.code }] })) };
      default:
        return undefined;
    }
  }
}
