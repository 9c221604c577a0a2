/**
 * Test kit: a small HDLC + DLMS server that misbehaves on purpose, to put in front of the client.
 * It is a sans-IO machine (`feed(bytes, now)` → what to send and when) so that unit and property
 * tests drive it in virtual time, and `startHostileTcp` serves it on a loopback TCP port for the
 * `omr read --tcp … --hdlc-direct` tests.
 *
 * Misbehaviours (one per instance):
 * - `wrong-invoke-id`: every GET.response carries another invoke-id;
 * - `rr-acks-nothing`: every I-frame is answered with an RR whose N(R) acknowledges nothing;
 * - `endless-blocks`: every GET is answered with data blocks whose last-block is never set;
 * - `stale-ns`: answers come in I-frames with an N(S) already used;
 * - `trickle`: each answer frame goes out one byte every `trickleMs`;
 * - `trailing-bytes`: the data of `badObis` is followed by 4 garbage bytes (every other object is fine);
 * - `short-list`: a GET-with-list gets one result less than asked for;
 * - `impostor`: knows no key; HLS answered with a plain InitiateResponse, a plain ACTION.response
 *   whose f(CtoS) is 00 ‖ counter ‖ 12 junk bytes, and every GET answered in clear;
 * - `downgrade`: a genuine HLS association (it has the keys), then GETs answered in clear;
 * - `replay`: genuine HLS, then every ciphered answer with the same invocation counter;
 * - `hls-empty`, `hls-wrong-sc`: genuine, but the f(CtoS) is an empty octet string, or is computed
 *   and sent with security control 0x30 instead of the suite's 0x10;
 * - `release-refused`: the RLRQ is answered with a confirmed-service-error.
 * - `random`: a seeded choice among the above per answer (property tests).
 */
import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { clientAddress, serverAddress, addressEquals, type HdlcAddress } from '../../electron/engine/hdlc/address';
import { Deframer } from '../../electron/engine/hdlc/deframer';
import { encodeFrame, type Control } from '../../electron/engine/hdlc/frame';
import { encodeParameters } from '../../electron/engine/hdlc/params';
import { LLC_REQUEST, LLC_RESPONSE, Reassembler, segmentApdu } from '../../electron/engine/hdlc/segmentation';
import { decodeAarq, encodeAare, encodeRlre } from '../../electron/engine/dlms/acse';
import type { DlmsValue } from '../../electron/engine/dlms/axdr';
import { concat, hex } from '../../electron/engine/dlms/bytes';
import { conformanceFromNames } from '../../electron/engine/dlms/conformance';
import { encodeInitiateResponse } from '../../electron/engine/dlms/initiate';
import { decodeGetRequest, encodeGetResponse } from '../../electron/engine/dlms/get';
import { decodeActionRequest, encodeActionResponse } from '../../electron/engine/dlms/action';
import { encodeConfirmedServiceError } from '../../electron/engine/dlms/exception';
import { cipherApdu, decipherApdu, hlsGmac, isCipheredTag, type Keys } from '../../electron/engine/dlms/security';
import type { AttributeRequest, GetDataResult } from '../../electron/engine/dlms/apdu';
import { formatObis, parseObis } from '../../electron/engine/dlms/obis-code';

export const HOSTILE_MISBEHAVIOURS = [
  'wrong-invoke-id',
  'rr-acks-nothing',
  'endless-blocks',
  'stale-ns',
  'trickle',
  'trailing-bytes',
  'short-list',
  'impostor',
  'downgrade',
  'replay',
  'hls-empty',
  'hls-wrong-sc',
  'release-refused',
] as const;
export type Misbehaviour = (typeof HOSTILE_MISBEHAVIOURS)[number] | 'none' | 'random';

export interface HostileOptions {
  misbehaviour: Misbehaviour;
  /** The meter's keys (genuine HLS); the impostor has none. */
  keys?: Keys;
  systemTitle?: Uint8Array;
  /** `trailing-bytes`: the object whose value gets 4 garbage bytes after it. */
  badObis?: string;
  /** `trickle`: ms between bytes (default 1500). */
  trickleMs?: number;
  /** `endless-blocks`: raw bytes per block (default 1000). */
  blockBytes?: number;
  /** Max information field length offered in the UA (default 512). */
  maxInfo?: number;
  /** `random`: a seeded source (0 ≤ x < 1). */
  random?: () => number;
  physical?: number;
}

/** Bytes to send, no earlier than `at` (ms). */
export interface Out {
  bytes: Uint8Array;
  at: number;
}

function obisText(req: AttributeRequest): string {
  return formatObis(typeof req.obis === 'string' ? parseObis(req.obis) : req.obis);
}

/** The value the meter gives an attribute (deterministic, so tests know every reading). */
export function hostileValue(req: AttributeRequest, impostor = false): DlmsValue {
  const obis = obisText(req);
  if (req.attribute === 3)
    return {
      type: 'structure',
      value: [
        { type: 'integer', value: 0 },
        { type: 'enum', value: 30 },
      ],
    };
  if (obis.startsWith('0-0:43.1.')) return { type: 'double-long-unsigned', value: 5000 }; // invocation counters
  if (req.classId === 8) return { type: 'octet-string', value: '07ea071206103a00ff800000' };
  if (req.classId === 1) return { type: 'octet-string', value: hex(new TextEncoder().encode(impostor ? 'IMPOSTOR' : `HOSTILE-${obis.length}`)) };
  let h = 0;
  for (const c of obis) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return { type: 'double-long-unsigned', value: (impostor ? 666_000_000 : 1000) + (h % 100_000) };
}

const CONFORMANCE = conformanceFromNames([
  'get',
  'block-transfer-with-get-or-read',
  'multiple-references',
  'selective-access',
  'action',
  'attribute0-supported-with-get',
]);
const STOC = Uint8Array.from([0x50, 0x36, 0x77, 0x52, 0x4a, 0x32, 0x31, 0x46]);

export class HostileMeter {
  readonly received: Uint8Array[] = [];
  private readonly deframer = new Deframer(1 << 16);
  private readonly reassembler = new Reassembler(LLC_REQUEST);
  private readonly me: HdlcAddress;
  private client: HdlcAddress = clientAddress(16);
  private vs = 0;
  private vr = 0;
  private pending: { info: Uint8Array; segmented: boolean }[] = [];
  private ciphered = false;
  private clientTitle: Uint8Array | undefined;
  private counter = 100;
  private blockNo = 0;
  private busyUntil = 0;
  private readonly title: Uint8Array;
  /** The client's CtoS challenge from its AARQ (genuine HLS computes f(CtoS) over it). */
  private ctos: Uint8Array | undefined;
  /** Misbehaviour of the answer being built (fixed, or drawn per answer in `random`). */
  private mode: Misbehaviour;

  constructor(private readonly o: HostileOptions) {
    this.me = serverAddress(1, o.physical ?? 17);
    this.title = o.systemTitle ?? Uint8Array.from([0x48, 0x4f, 0x53, 0x54, 0, 0, 0, 1]);
    this.mode = o.misbehaviour;
  }

  private draw(): void {
    if (this.o.misbehaviour !== 'random') return;
    const r = this.o.random ?? Math.random;
    const all: Misbehaviour[] = ['none', 'none', 'none', ...HOSTILE_MISBEHAVIOURS];
    this.mode = all[Math.floor(r() * all.length)]!;
  }

  private frame(control: Control, info: Uint8Array = new Uint8Array(0), segmented = false): Uint8Array {
    return encodeFrame({ dest: this.client, src: this.me, control, segmented, info });
  }

  /** One frame out, at its time (a trickle spreads it one byte at a time). */
  private emit(bytes: Uint8Array, now: number): Out[] {
    const start = Math.max(now, this.busyUntil);
    if (this.mode !== 'trickle') return [{ bytes, at: start }];
    const gap = this.o.trickleMs ?? 1500;
    const out = Array.from(bytes, (b, i) => ({ bytes: Uint8Array.of(b), at: start + (i + 1) * gap }));
    this.busyUntil = out.at(-1)!.at;
    return out;
  }

  private nextSegment(now: number): Out[] {
    const s = this.pending.shift();
    if (!s) return [];
    // stale-ns: an N(S) the client has already had.
    const ns = this.mode === 'stale-ns' ? (this.vs + 7) & 7 : this.vs;
    const b = this.frame({ kind: 'I', ns, nr: this.vr, pf: true }, s.info, s.segmented);
    if (this.mode !== 'stale-ns') this.vs = (this.vs + 1) & 7;
    else this.pending.unshift(s); // keep trying the same stale frame
    return this.emit(b, now);
  }

  feed(bytes: Uint8Array, now: number): Out[] {
    const out: Out[] = [];
    for (const item of this.deframer.push(bytes)) {
      if (item.kind !== 'frame') continue;
      const f = item.frame;
      if (!addressEquals(f.dest, this.me)) continue;
      this.client = f.src;
      const c = f.control;
      if (c.kind === 'SNRM') {
        this.vs = 0;
        this.vr = 0;
        this.pending = [];
        const m = this.o.maxInfo ?? 512;
        out.push(...this.emit(this.frame({ kind: 'UA', pf: true }, encodeParameters({ maxInfoTx: m, maxInfoRx: m, windowTx: 1, windowRx: 1 })), now));
      } else if (c.kind === 'DISC') {
        out.push(...this.emit(this.frame({ kind: 'UA', pf: true }), now));
      } else if (c.kind === 'RR') {
        if (this.pending.length) out.push(...this.nextSegment(now));
      } else if (c.kind === 'I') {
        if (this.o.misbehaviour === 'rr-acks-nothing') {
          out.push(...this.emit(this.frame({ kind: 'RR', nr: (c.ns + 4) & 7, pf: true }), now));
          continue;
        }
        if (c.ns !== this.vr) continue;
        this.vr = (this.vr + 1) & 7;
        this.draw();
        if (this.mode === 'rr-acks-nothing') {
          out.push(...this.emit(this.frame({ kind: 'RR', nr: (this.vr + 3) & 7, pf: true }), now));
          continue;
        }
        if (f.segmented) {
          this.reassembler.push(f.info, true);
          out.push(...this.emit(this.frame({ kind: 'RR', nr: this.vr, pf: true }), now));
          continue;
        }
        const apdu = this.reassembler.push(f.info, false)!;
        this.received.push(apdu);
        const answer = this.answer(apdu);
        if (!answer) continue;
        this.pending = segmentApdu(answer, this.o.maxInfo ?? 512, LLC_RESPONSE);
        out.push(...this.nextSegment(now));
      }
    }
    return out;
  }

  private protect(plain: Uint8Array): Uint8Array {
    if (!this.ciphered || this.mode === 'impostor' || !this.o.keys) return plain;
    if (this.mode === 'downgrade' && plain[0] === 0xc4) return plain;
    const ic = this.mode === 'replay' ? this.counter : ++this.counter;
    return cipherApdu(plain, this.title, ic, this.o.keys);
  }

  private answer(apdu: Uint8Array): Uint8Array | undefined {
    const tag = apdu[0];
    if (tag === 0x60) return this.aare(apdu);
    if (tag === 0x62) {
      if (this.mode === 'release-refused') return encodeConfirmedServiceError(1, 6, 0);
      return encodeRlre();
    }
    let plain = apdu;
    if (isCipheredTag(tag ?? -1)) {
      if (!this.o.keys || !this.clientTitle) return undefined;
      plain = decipherApdu(apdu, this.o.keys, this.clientTitle).plaintext;
    }
    if (plain[0] === 0xc3) return this.protect(this.hlsPass4(plain));
    if (plain[0] === 0xc0) return this.protect(this.get(plain));
    return undefined;
  }

  private aare(apdu: Uint8Array): Uint8Array {
    const q = decodeAarq(apdu);
    this.ciphered = q.context === 'ln-ciphering';
    this.clientTitle = q.callingApTitle;
    this.ctos = q.authenticationValue;
    const initiate = encodeInitiateResponse({ dlmsVersion: 6, conformance: CONFORMANCE, maxReceivePduSize: 1024, vaaName: 7 });
    const hls = q.mechanism === 'hls-gmac';
    const userInformation = this.ciphered && this.mode !== 'impostor' && this.o.keys ? cipherApdu(initiate, this.title, ++this.counter, this.o.keys) : initiate;
    return encodeAare({
      context: q.context,
      result: 0,
      diagnostic: hls ? 14 : 0,
      ...(this.ciphered ? { respondingApTitle: this.title } : {}),
      ...(hls ? { mechanism: 'hls-gmac' as const, respondingAuthenticationValue: STOC } : {}),
      userInformation,
    });
  }

  /** HLS pass 4: f(CtoS) = SC ‖ IC ‖ GMAC(CtoS), or what each misbehaviour makes of it. */
  private hlsPass4(plain: Uint8Array): Uint8Array {
    const q = decodeActionRequest(plain);
    // The client's CtoS challenge is in its AARQ; the impostor does not need it.
    const ctos = this.ctos ?? new Uint8Array(16);
    let f: Uint8Array;
    if (this.mode === 'impostor' || !this.o.keys)
      f = concat(
        Uint8Array.of(0x00, 0, 0, 0, 1),
        Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i),
      );
    else if (this.mode === 'hls-empty') f = new Uint8Array(0);
    else if (this.mode === 'hls-wrong-sc') f = hlsGmac(this.title, ++this.counter, this.o.keys, ctos, 0x30);
    else f = hlsGmac(this.title, ++this.counter, this.o.keys, ctos);
    return encodeActionResponse({ invokeId: q.invokeId, result: 0, returnData: { ok: true, value: { type: 'octet-string', value: hex(f) } } });
  }

  private get(plain: Uint8Array): Uint8Array {
    const q = decodeGetRequest(plain);
    // Values of its own only from a whole-meter impostor (random mode's per-answer draw only drops the ciphering).
    const impostor = this.o.misbehaviour === 'impostor';
    const invokeId = this.mode === 'wrong-invoke-id' ? (q.invokeId % 15) + 1 : q.invokeId;
    if (this.mode === 'endless-blocks') {
      this.blockNo = q.type === 'next' ? q.blockNumber + 1 : 1;
      return encodeGetResponse({
        type: 'with-datablock',
        invokeId,
        lastBlock: false,
        blockNumber: this.blockNo,
        raw: new Uint8Array(this.o.blockBytes ?? 1000).fill(0x11),
      });
    }
    if (q.type === 'next')
      return encodeGetResponse({ type: 'with-datablock-error', invokeId, lastBlock: true, blockNumber: q.blockNumber, dar: 250, name: 'other-reason' });
    const result = (r: AttributeRequest): GetDataResult => ({ ok: true, value: hostileValue(r, impostor) });
    const bad = (r: AttributeRequest) =>
      this.mode === 'trailing-bytes' && r.attribute === 2 && this.o.badObis !== undefined && obisText(r).startsWith(this.o.badObis);
    if (q.type === 'normal') {
      const b = encodeGetResponse({ type: 'normal', invokeId, result: result(q.request) });
      return bad(q.request) ? concat(b, Uint8Array.of(0xde, 0xad, 0xbe, 0xef)) : b;
    }
    const results = q.requests.map(result);
    if (this.mode === 'short-list') results.pop();
    const b = encodeGetResponse({ type: 'with-list', invokeId, results });
    return q.requests.some(bad) ? concat(b, Uint8Array.of(0xde, 0xad, 0xbe, 0xef)) : b;
  }
}

export function hostileMeter(o: HostileOptions): HostileMeter {
  return new HostileMeter(o);
}

/** The hostile meter on a loopback TCP port, one meter per connection. */
export async function startHostileTcp(o: HostileOptions): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const meter = hostileMeter(o);
    const timers = new Set<NodeJS.Timeout>();
    socket.on('close', () => {
      sockets.delete(socket);
      for (const t of timers) clearTimeout(t);
    });
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      for (const out of meter.feed(new Uint8Array(d), Date.now())) {
        const t = setTimeout(
          () => {
            timers.delete(t);
            if (!socket.destroyed) socket.write(out.bytes);
          },
          Math.max(0, out.at - Date.now()),
        );
        timers.add(t);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
