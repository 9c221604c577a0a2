/**
 * Listening to pushes: DLMS data-notifications a meter sends by itself on its customer port,
 * inside HDLC frames (UI or I, segmented or not, the LLC header only in the first segment),
 * possibly split by general-block-transfer (E0) and ciphered (general-glo/ded-ciphering, DB/DC, or
 * glo-ciphered data-notification). Sans-IO: fed bytes, returns what each complete message gave —
 * readings, or a typed error for that message alone (a wrong key spoils one push, not the stream).
 */
import { OmrError, toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import { formatObis } from '../../../shared/obis-code';
import type { Reading } from '../../../shared/types';
import { scaleDecimal } from '../cosem/scale';
import { Deframer } from '../hdlc/deframer';
import { unitSymbol } from '../obis/units';
import { formatValue, integerText, type DlmsValue } from './axdr';
import { concat } from './bytes';
import { formatDateTime, toIsoLocal } from './datetime';
import { decipherApdu, isCipheredTag, type Keys } from './security';
import { decodeDataNotification } from './notification';
import { GeneralBlockAssembler } from './general-block';

export interface PushOptions {
  keys?: Keys;
  /** Decrypt 0x30 frames whose authentication key nobody published, without checking the tag. */
  allowUnverified?: boolean;
}

export type PushResult =
  | { kind: 'notification'; readings: Reading[]; meterTime?: string; notes: string[] }
  | { kind: 'error'; error: ErrorInfo };

const DATA_NOTIFICATION = 0x0f;
const GENERAL_BLOCK = 0xe0;

function octets(v: DlmsValue | undefined): Uint8Array | undefined {
  if (v?.type !== 'octet-string') return undefined;
  const out = new Uint8Array(v.value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(v.value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const obisOf = (v: DlmsValue | undefined): string | undefined => {
  const b = octets(v);
  return b && b.length === 6 ? formatObis(b) : undefined;
};

function valueText(v: DlmsValue): string {
  if (v.type === 'visible-string' || v.type === 'utf8-string') return v.value;
  if (v.type === 'date-time') return toIsoLocal(v.value) ?? formatDateTime(v.value);
  // Serial numbers and names often travel as octet strings of printable characters.
  const b = octets(v);
  if (b && b.length > 0 && b.every((c) => c >= 0x20 && c < 0x7f)) return String.fromCharCode(...b);
  return integerText(v) ?? formatValue(v);
}

/** One reading from a value, with its scaler/unit structure when the push carries one. */
function reading(obis: string, address: string, v: DlmsValue, scalerUnit: DlmsValue | undefined, readAt: string): Reading {
  const raw = valueText(v);
  if (scalerUnit?.type === 'structure' && scalerUnit.value.length === 2) {
    const scaler = Number(integerText(scalerUnit.value[0]!) ?? 0);
    const unit = unitSymbol(Number(integerText(scalerUnit.value[1]!) ?? 255));
    const isNumber = integerText(v) !== undefined;
    return { obis, address, value: isNumber ? scaleDecimal(raw, scaler) : raw, unit, scaler, raw, readAt, source: 'dlms' };
  }
  return { obis, address, value: raw, unit: '', readAt, source: 'dlms' };
}

/**
 * The body of a notification as readings. Three shapes are met on real meters:
 * - IDIS push (E450): a structure whose first element is the push object list
 *   (`{class, obis, attribute, index}` per value) and then the values, in that order;
 * - self-describing lists (Kaifa, Austrian meters): `{obis, value[, {scaler, unit}]}` structures
 *   or `obis, value` pairs in a row;
 * - bare values (Norwegian lists): named by position (`#1`, `#2`…), never dropped.
 */
export function notificationReadings(body: DlmsValue, readAt: string): { readings: Reading[]; notes: string[] } {
  const items = body.type === 'structure' || body.type === 'array' ? body.value : [body];
  const out: Reading[] = [];
  const notes: string[] = [];
  const first = items[0];
  const list =
    first?.type === 'array' && first.value.length > 0 && first.value.every((e) => e.type === 'structure' && e.value.length >= 3 && obisOf(e.value[1]) !== undefined)
      ? first.value.map((e) => (e.type === 'structure' ? { classId: Number(integerText(e.value[0]!)), obis: obisOf(e.value[1])!, attribute: Number(integerText(e.value[2]!)) } : undefined))
      : undefined;
  if (list) {
    // The object list names every value that follows; its first entry may be the push setup
    // itself (class 40), whose value is the list we just read.
    const named = list[0]?.classId === 40 && list.length === items.length ? list.slice(1) : list;
    const values = items.slice(1);
    values.forEach((v, i) => {
      const c = named[i];
      out.push(reading(c?.obis ?? `#${i + 1}`, c ? `${c.obis}/${c.attribute}` : `#${i + 1}`, v, undefined, readAt));
    });
    notes.push('values as sent: this push carries no scaler or unit (the meter applies the register scalers, commonly 0 for Wh)');
    return { readings: out, notes };
  }
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!;
    if (v.type === 'structure' && v.value.length >= 2 && obisOf(v.value[0])) {
      const obis = obisOf(v.value[0])!;
      out.push(reading(obis, obis, v.value[1]!, v.value[2], readAt));
    } else if (obisOf(v) && items[i + 1] && !obisOf(items[i + 1])) {
      const obis = obisOf(v)!;
      out.push(reading(obis, obis, items[i + 1]!, undefined, readAt));
      i++;
    } else {
      out.push(reading(`#${i + 1}`, `#${i + 1}`, v, undefined, readAt));
    }
  }
  if (out.some((r) => r.obis.startsWith('#'))) notes.push('some values have no OBIS code: shown by position');
  return { readings: out, notes };
}

export class PushDecoder {
  private deframer = new Deframer();
  private segments: Uint8Array[] = [];
  private blocks = new GeneralBlockAssembler();

  constructor(private readonly options: PushOptions = {}) {}

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
      this.segments.push(frame.info);
      if (frame.segmented) continue;
      let info = concat(...this.segments);
      this.segments = [];
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
        const d = decipherApdu(apdu, this.options.keys, undefined, { allowUnverified: this.options.allowUnverified ?? true });
        if (!d.authenticated) notes.push('decrypted without checking the authentication tag (no authentication key, or encryption-only)');
        apdu = d.plaintext;
      }
      if (apdu[0] !== DATA_NOTIFICATION) throw new OmrError('DECODE_ERROR', `APDU 0x${(apdu[0] ?? 0).toString(16)} is not a data-notification`);
      const n = decodeDataNotification(apdu);
      const readAt = new Date(now).toISOString();
      const r = notificationReadings(n.body, readAt);
      const meterTime = n.dateTime ? (toIsoLocal(n.dateTime) ?? formatDateTime(n.dateTime)) : undefined;
      if (meterTime) for (const x of r.readings) x.captureTime = meterTime;
      return { kind: 'notification', readings: r.readings, notes: [...notes, ...r.notes], ...(meterTime ? { meterTime } : {}) };
    } catch (e) {
      this.blocks = new GeneralBlockAssembler();
      return { kind: 'error', error: toErrorInfo(e) };
    }
  }
}
