/**
 * One customer port, whatever it speaks: bytes in, one result per message out — a decoded push
 * (HDLC, M-Bus, bare APDU; segmented, block-transferred, ciphered or not), a P1 telegram, or a
 * verdict naming the layer that failed (framing, checksum, sequence, key, tag, layout, CRC…).
 * A bad frame spoils itself only: the next one is read normally. Sans-IO: time is passed in and
 * silence is told by the caller.
 */
import type { Reading } from '../../../shared/types';
import { OmrError } from '../../../shared/errors';
import { decodeFrame } from '../hdlc/frame';
import { decodeGeneralBlock } from '../dlms/general-block';
import { decodeCipheredApdu, decodeSecurityControl, isCipheredTag, unprotect, type Keys } from '../dlms/security';
import { toIsoLocal, formatDateTime } from '../dlms/datetime';
import { FrameSplitter, type Piece } from './splitter';
import { decodeMbusFrame, MbusAssembler, MbusError } from './mbus';
import { decodeNotification } from './notification';
import { listReadings, type ListInfo, type ListenReading } from './list-readings';
import type { Layout } from './layouts';
import { verdict, type Verdict, type VerdictLayer } from './verdict';
import { decodeTelegram, type TelegramResult } from './p1';

export type { ListenReading, ListInfo };

export interface FrameResult {
  kind: 'hdlc' | 'mbus' | 'apdu' | 'p1' | 'noise';
  verdict: Verdict;
  readings: ListenReading[];
  list?: ListInfo;
  meterTime?: string;
  /** P1: the identification line without its `/`. */
  identity?: string;
  /** P1: the CRC check. */
  crc?: 'good' | 'bad' | 'none';
  /** Values parsed from a damaged or cut message: not to be taken as good. */
  unchecked?: ListenReading[];
  notes: string[];
  /** Bytes the message occupied on the line. */
  bytes: number;
}

export interface DecoderOptions {
  keys?: Keys;
  /** Accept unciphered frames although a key is set. */
  allowPlain?: boolean;
  layouts?: readonly Layout[];
}

const MAX_SEGMENTS_BYTES = 16384;

export class CustomerPortDecoder {
  private splitter = new FrameSplitter();
  private hdlcParts: Uint8Array[] = [];
  private hdlcSize = 0;
  private mbus = new MbusAssembler();
  private blocks: Uint8Array[] = [];
  private blockNext = 1;
  private lastBlock: Uint8Array | undefined;
  private pendingBytes = 0;

  constructor(private readonly options: DecoderOptions = {}) {}

  push(bytes: Uint8Array, now: number): FrameResult[] {
    return this.splitter.push(bytes).flatMap((p) => this.piece(p, now));
  }

  /** The line has been quiet for the caller's deadline. */
  silence(now: number): FrameResult[] {
    return this.splitter.silence().flatMap((p) => this.piece(p, now));
  }

  private piece(p: Piece, now: number): FrameResult[] {
    const readAt = new Date(now).toISOString();
    switch (p.kind) {
      case 'noise':
        return [bad('noise', noiseLayer(p.why), noiseDetail(p.raw, p.why), p.raw.length)];
      case 'p1':
        return [this.telegram(decodeTelegram(p.text, p.end, readAt), p.text.length)];
      case 'hdlc':
        return this.hdlc(p.raw, readAt);
      case 'mbus':
        return this.mbusFrame(p.raw, readAt);
      case 'apdu':
        return this.apdu(p.raw, 'apdu', p.raw.length, readAt);
    }
  }

  private telegram(t: TelegramResult, size: number): FrameResult {
    return {
      kind: 'p1',
      verdict: t.verdict,
      readings: t.readings,
      ...(t.unchecked.length > 0 ? { unchecked: t.unchecked } : {}),
      identity: t.identity,
      crc: t.crc,
      ...(t.meterTime ? { meterTime: t.meterTime } : {}),
      notes: t.notes,
      bytes: size,
    };
  }

  private hdlc(raw: Uint8Array, readAt: string): FrameResult[] {
    let frame;
    try {
      frame = decodeFrame(raw);
    } catch (e) {
      this.resetHdlc();
      const code = e instanceof OmrError ? e.code : 'DECODE_ERROR';
      return [bad('hdlc', code === 'HDLC_FCS' ? 'checksum' : 'framing', e instanceof OmrError ? (e.detail ?? e.message) : String(e), raw.length)];
    }
    if (frame.control.kind !== 'UI' && frame.control.kind !== 'I') return [];
    this.hdlcParts.push(frame.info);
    this.hdlcSize += frame.info.length;
    this.pendingBytes += raw.length;
    if (this.hdlcSize > MAX_SEGMENTS_BYTES) {
      const size = this.pendingBytes;
      this.resetHdlc();
      return [bad('hdlc', 'framing', 'HDLC segments exceed the message bound', size)];
    }
    if (frame.segmented) return [];
    let info = join(this.hdlcParts);
    const size = this.pendingBytes;
    this.resetHdlc();
    if (info[0] === 0xe6 && (info[1] === 0xe7 || info[1] === 0xe6) && info[2] === 0x00) info = info.slice(3);
    return this.apdu(info, 'hdlc', size, readAt);
  }

  private resetHdlc(): void {
    this.hdlcParts = [];
    this.hdlcSize = 0;
    this.pendingBytes = 0;
  }

  private mbusFrame(raw: Uint8Array, readAt: string): FrameResult[] {
    try {
      const f = decodeMbusFrame(raw);
      if (f.short)
        return [
          {
            kind: 'mbus',
            verdict: verdict('ok'),
            readings: [],
            notes: [`M-Bus short frame C=0x${f.control.toString(16)} A=${f.address}: link control, no data`],
            bytes: raw.length,
          },
        ];
      this.pendingBytes += raw.length;
      const apdu = this.mbus.push(f);
      if (!apdu) return [];
      const size = this.pendingBytes;
      this.pendingBytes = 0;
      return this.apdu(apdu, 'mbus', size, readAt);
    } catch (e) {
      const size = this.pendingBytes || raw.length;
      this.pendingBytes = 0;
      const layer: VerdictLayer = e instanceof MbusError ? e.layer : 'framing';
      return [bad('mbus', layer, e instanceof OmrError ? (e.detail ?? e.message) : String(e), size)];
    }
  }

  /** General-block-transfer: blocks in order; an identical repeat of the last block is dropped. */
  private block(apdu: Uint8Array): { whole?: Uint8Array; note?: string; abandoned?: string } {
    const g = decodeGeneralBlock(apdu);
    if (this.lastBlock && g.blockNumber === this.blockNext - 1 && equal(this.lastBlock, g.data)) return { note: `block ${g.blockNumber} repeated` };
    let abandoned: string | undefined;
    if (g.blockNumber !== this.blockNext) {
      const expected = this.blockNext;
      this.resetBlocks();
      if (g.blockNumber !== 1) throw new SequenceError(`general-block-transfer block ${g.blockNumber} where ${expected} was expected`);
      abandoned = `general-block-transfer: a new message (block 1) began where block ${expected} was expected; the unfinished one is dropped`;
    }
    this.blocks.push(g.data);
    this.lastBlock = g.data;
    this.blockNext = g.blockNumber + 1;
    if (this.blocks.reduce((n, b) => n + b.length, 0) > MAX_SEGMENTS_BYTES) {
      this.resetBlocks();
      throw new SequenceError('general-block-transfer blocks exceed the message bound');
    }
    if (!g.lastBlock) return abandoned ? { abandoned } : {};
    const whole = join(this.blocks);
    this.resetBlocks();
    return abandoned ? { whole, abandoned } : { whole };
  }

  private resetBlocks(): void {
    this.blocks = [];
    this.blockNext = 1;
    this.lastBlock = undefined;
  }

  private apdu(apdu: Uint8Array, kind: FrameResult['kind'], size: number, readAt: string): FrameResult[] {
    const notes: string[] = [];
    let tagUnchecked = false;
    try {
      if (apdu[0] === 0xe0) {
        const b = this.block(apdu);
        if (b.note) notes.push(b.note);
        const dropped: FrameResult[] = b.abandoned ? [bad(kind, 'sequence', b.abandoned, 0)] : [];
        if (!b.whole) return dropped;
        if (dropped.length > 0) return [...dropped, ...this.apdu(b.whole, kind, size, readAt)];
        apdu = b.whole;
      }
      if (apdu[0] !== undefined && isCipheredTag(apdu[0])) {
        const d = this.decipher(apdu);
        if ('verdict' in d) return [{ kind, verdict: d.verdict, readings: [], notes, bytes: size }];
        apdu = d.plaintext;
        tagUnchecked = d.tag === 'unchecked';
        if (d.tag === 'none') notes.push(`encryption only (security control 0x${d.sc.toString(16)}): the meter sends no authentication tag`);
      } else if (this.options.keys && !this.options.allowPlain) {
        return [bad(kind, 'plain-with-key', `APDU 0x${(apdu[0] ?? 0).toString(16)} in clear`, size)];
      }
      if (apdu[0] !== 0x0f) return [bad(kind, 'decode', `APDU 0x${(apdu[0] ?? 0).toString(16)} is not a data-notification`, size)];
      const n = decodeNotification(apdu);
      const meterTime = n.dateTime ? (toIsoLocal(n.dateTime) ?? formatDateTime(n.dateTime)) : undefined;
      const r = listReadings(n, this.options.layouts ?? [], readAt);
      if (meterTime) for (const x of r.readings) x.captureTime ??= meterTime;
      notes.push(...r.notes);
      let v: Verdict;
      if (n.truncated) v = verdict('decode', n.truncated);
      else if (r.unnamed > 0) v = verdict('layout-unknown', `${r.unnamed} position(s) without OBIS; signature ${r.list.signature}`);
      else if (tagUnchecked) v = verdict('tag-unchecked');
      else v = verdict('ok');
      if (tagUnchecked && v.layer !== 'tag-unchecked') notes.push(verdict('tag-unchecked').message);
      return [{ kind, verdict: v, readings: r.readings, list: r.list, ...(meterTime ? { meterTime } : {}), notes, bytes: size }];
    } catch (e) {
      const layer: VerdictLayer = e instanceof SequenceError ? 'sequence' : 'decode';
      return [{ kind, verdict: verdict(layer, e instanceof OmrError ? (e.detail ?? e.message) : String(e)), readings: [], notes, bytes: size }];
    }
  }

  /** Decipher, telling a wrong encryption key from a wrong authentication key. */
  private decipher(apdu: Uint8Array): { plaintext: Uint8Array; tag: 'verified' | 'unchecked' | 'none'; sc: number } | { verdict: Verdict } {
    const keys = this.options.keys;
    if (!keys) return { verdict: verdict('no-key') };
    const c = decodeCipheredApdu(apdu);
    if (!c.systemTitle) return { verdict: verdict('decode', `ciphered APDU 0x${c.tag.toString(16)} without the sender's system title`) };
    const sc = decodeSecurityControl(c.securityControl);
    const readable = (p: Uint8Array): boolean => {
      if (p[0] !== 0x0f) return false;
      try {
        decodeNotification(p);
        return true;
      } catch {
        return false;
      }
    };
    const unverified = (): Uint8Array =>
      unprotect(c.securityControl, c.systemTitle!, c.invocationCounter, { encryptionKey: keys.encryptionKey }, c.ciphered, { allowUnverified: true }).plaintext;
    if (sc.authenticated && keys.authenticationKey) {
      try {
        const out = unprotect(c.securityControl, c.systemTitle, c.invocationCounter, keys, c.ciphered);
        return { plaintext: out.plaintext, tag: 'verified', sc: c.securityControl };
      } catch {
        // Which key is wrong? If the body deciphers to a readable notification, the encryption key is right.
        if (sc.encrypted && readable(unverified())) return { verdict: verdict('authentication-tag') };
        return { verdict: verdict('encryption-key', 'neither the tag nor the deciphered body fit the keys') };
      }
    }
    if (!sc.encrypted) return { plaintext: c.ciphered.subarray(0, Math.max(0, c.ciphered.length - 12)), tag: 'unchecked', sc: c.securityControl };
    const plaintext = unverified();
    if (!readable(plaintext)) return { verdict: verdict('encryption-key', `security control 0x${c.securityControl.toString(16)}`) };
    return { plaintext, tag: sc.authenticated ? 'unchecked' : 'none', sc: c.securityControl };
  }
}

class SequenceError extends OmrError {
  constructor(detail: string) {
    super('DECODE_ERROR', detail);
  }
}

function bad(kind: FrameResult['kind'], layer: VerdictLayer, detail: string, size: number): FrameResult {
  return { kind, verdict: verdict(layer, detail), readings: [], notes: [], bytes: size };
}

function noiseLayer(why: string): VerdictLayer {
  return /cut short/.test(why) ? 'framing' : /without/.test(why) ? 'framing' : 'noise';
}

/** Noise detail, with a hint when it looks like 7-bit text with parity read as 8N1. */
function noiseDetail(raw: Uint8Array, why: string): string {
  let text = 0;
  for (const c of raw) {
    const low = c & 0x7f;
    if ((low >= 0x20 && low < 0x7f) || low === 0x0d || low === 0x0a) text++;
  }
  const high = raw.filter((c) => c >= 0x80).length;
  const parity = raw.length >= 16 && text === raw.length && high > raw.length / 8 && raw.some((c) => (c & 0x7f) === 0x2f);
  return `${raw.length} byte(s): ${why}${parity ? '; they read as 7-bit text with a parity bit: the meter sends 7E1 (use --line 7E1 or --p1-legacy)' : ''}`;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export type { Reading };
