/**
 * OBIS logical names as six values A-B:C.D.E*F. Parses the spellings meters and people use
 * (`1-0:1.8.0*255`, `1-0:1.8.0.255`, `1.0.1.8.0.255`, `1-0:1.8.0` with F = 255 implied, and the
 * 12-hex-digit form `0100010800ff`) and prints the normal form.
 */
import { OmrError } from './errors';

export type Obis = [number, number, number, number, number, number];

export function parseObis(text: string): Obis {
  const t = text.trim();
  if (/^[0-9a-fA-F]{12}$/.test(t)) {
    const out: number[] = [];
    for (let i = 0; i < 12; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
    return out as Obis;
  }
  let m = /^(\d{1,3})-(\d{1,3}):(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:[*.&](\d{1,3}))?$/.exec(t);
  if (!m) m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (!m) throw new OmrError('INVALID_REQUEST', `not an OBIS logical name: ${text}`);
  const v = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '255'].map(Number);
  if (v.some((x) => x > 255)) throw new OmrError('INVALID_REQUEST', `OBIS value above 255: ${text}`);
  return v as Obis;
}

export function formatObis(o: ArrayLike<number>): string {
  return `${o[0]}-${o[1]}:${o[2]}.${o[3]}.${o[4]}*${o[5]}`;
}

export function obisFromBytes(b: Uint8Array): Obis {
  if (b.length !== 6) throw new OmrError('DECODE_ERROR', `logical name of ${b.length} bytes`);
  return Array.from(b) as Obis;
}
