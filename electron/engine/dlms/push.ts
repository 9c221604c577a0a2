/**
 * Listening to pushes: DLMS data-notifications a meter sends by itself on its customer port,
 * inside HDLC frames (UI or I, segmented or not, the LLC header only in the first segment),
 * possibly split by general-block-transfer (E0) and ciphered (general-glo/ded-ciphering, DB/DC, or
 * glo-ciphered data-notification). Sans-IO: fed bytes, returns what each complete message gave —
 * readings, or a typed error for that message alone (a wrong key spoils one push, not the stream).
 */
import { errorInfo, OmrError, toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import type { Reading } from '../../../shared/types';
import { Deframer } from '../hdlc/deframer';
import type { DlmsValue } from './axdr';
import { listReadings } from '../customer-port/list-readings';
import { concat } from './bytes';
import { formatDateTime, toIsoOffset } from './datetime';
import { decipherApdu, isCipheredTag, type Keys } from './security';
import { decodeDataNotification } from './notification';
import { GeneralBlockAssembler } from './general-block';

export interface PushOptions {
  keys?: Keys;
  /** Decrypt 0x30 frames whose authentication key nobody published, without checking the tag (default false). */
  allowUnverified?: boolean;
  /** Take pushes in clear although a key is set (default false: each such push is refused with SECURITY). */
  allowPlain?: boolean;
  /** Ceiling of one push joined from HDLC segments or general blocks (bytes, default 4 MiB). */
  maxBytes?: number;
}

export type PushResult = { kind: 'notification'; readings: Reading[]; meterTime?: string; notes: string[] } | { kind: 'error'; error: ErrorInfo };

const DATA_NOTIFICATION = 0x0f;
const GENERAL_BLOCK = 0xe0;

/**
 * The body of a notification as readings, by the positions the payload itself names (capture
 * object list, self-describing structures, labelled runs). A value no one names is shown by its
 * position (`#n`): no OBIS code is ever guessed for it.
 */
export function notificationReadings(body: DlmsValue, readAt: string): { readings: Reading[]; notes: string[] } {
  const r = listReadings({ longInvokeId: 0, body }, [], readAt);
  const notes = [...r.notes];
  if (r.unnamed > 0) notes.push('some values have no OBIS code: shown by position');
  return { readings: r.readings, notes };
}

export class PushDecoder {
  private deframer = new Deframer();
  private segments: Uint8Array[] = [];
  private segmentBytes = 0;
  private blocks: GeneralBlockAssembler;

  constructor(private readonly options: PushOptions = {}) {
    this.blocks = new GeneralBlockAssembler(options.maxBytes);
  }

  /** Feed received bytes; returns one result per complete message (or per damaged frame). */
  push(bytes: Uint8Array, now: number): PushResult[] {
    const out: PushResult[] = [];
    for (const item of this.deframer.push(bytes)) {
      if (item.kind === 'error') {
        out.push({ kind: 'error', error: toErrorInfo(item.error) });
        continue;
      }
      const { frame } = item;
      if (frame.control.kind !== 'UI' && frame.control.kind !== 'I') continue;
      if (this.segmentBytes + frame.info.length > (this.options.maxBytes ?? 4 * 1024 * 1024)) {
        this.segments = [];
        this.segmentBytes = 0;
        out.push({ kind: 'error', error: errorInfo('TOO_LARGE', 'HDLC segments of one push past the size limit; dropped') });
        continue;
      }
      this.segments.push(frame.info);
      this.segmentBytes += frame.info.length;
      if (frame.segmented) continue;
      let info = concat(...this.segments);
      this.segments = [];
      this.segmentBytes = 0;
      if (info[0] === 0xe6 && (info[1] === 0xe7 || info[1] === 0xe6) && info[2] === 0x00) info = info.slice(3);
      const r = this.message(info, now);
      if (r) out.push(r);
    }
    return out;
  }

  private message(apdu: Uint8Array, now: number): PushResult | undefined {
    try {
      if (apdu[0] === GENERAL_BLOCK) {
        const whole = this.blocks.push(apdu);
        if (!whole) return undefined;
        apdu = whole;
      }
      const notes: string[] = [];
      if (apdu[0] !== undefined && isCipheredTag(apdu[0])) {
        if (!this.options.keys) throw new OmrError('KEY_ERROR', 'this push is ciphered and no key was given (--key-file)');
        const d = decipherApdu(apdu, this.options.keys, undefined, { allowUnverified: this.options.allowUnverified === true });
        if (d.note === 'not protected' && !this.options.allowPlain)
          throw new OmrError('SECURITY', 'ciphered push with security control 0x00 (no protection) although a key is set: refused');
        if (!d.authenticated) notes.push('decrypted without checking the authentication tag (no authentication key, or encryption-only)');
        apdu = d.plaintext;
      } else if (this.options.keys && !this.options.allowPlain) {
        throw new OmrError('SECURITY', `push APDU 0x${(apdu[0] ?? 0).toString(16)} in clear although a key is set: refused`);
      }
      if (apdu[0] !== DATA_NOTIFICATION) throw new OmrError('DECODE_ERROR', `APDU 0x${(apdu[0] ?? 0).toString(16)} is not a data-notification`);
      const n = decodeDataNotification(apdu);
      const readAt = new Date(now).toISOString();
      const r = notificationReadings(n.body, readAt);
      const meterTime = n.dateTime ? (toIsoOffset(n.dateTime) ?? formatDateTime(n.dateTime)) : undefined;
      if (meterTime) for (const x of r.readings) x.captureTime = meterTime;
      return { kind: 'notification', readings: r.readings, notes: [...notes, ...r.notes], ...(meterTime ? { meterTime } : {}) };
    } catch (e) {
      this.blocks = new GeneralBlockAssembler(this.options.maxBytes);
      return { kind: 'error', error: toErrorInfo(e) };
    }
  }
}
