/**
 * P1 telegrams (DSMR, e-MUCS and their national variants): `/XXX5…` identification, CR LF, an
 * optional blank line, data lines in the IEC 62056-21 data-set format, then `!` and the CRC as 4
 * hex digits (CRC-16/ARC: polynomial 0xA001 reflected, initial 0, over `/` … `!` inclusive), CR LF.
 * DSMR 2.2/3 telegrams end with `!` alone. Data lines go through the optical readout's data-set
 * parser; time stamps `YYMMDDhhmmssW|S` become ISO with their offset (W = +01:00, S = +02:00).
 */
import { dataSetToReading, parseDataBlock } from '../iec62056-21/readout';
import type { ListenReading } from './list-readings';
import { verdict, type Verdict } from './verdict';

export interface TelegramResult {
  verdict: Verdict;
  identity: string;
  crc: 'good' | 'bad' | 'none';
  /** Values of a telegram that checked (or had no CRC to check). */
  readings: ListenReading[];
  /** Values of a damaged or cut telegram: parsed, not trusted. */
  unchecked: ListenReading[];
  meterTime?: string;
  notes: string[];
}

/** CRC-16/ARC over the text's character codes. */
export function crc16arc(text: string, start = 0, end = text.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= text.charCodeAt(i) & 0xff;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** `YYMMDDhhmmssW|S` → ISO with offset; `YYMMDDhhmmss` → ISO without zone; undefined if invalid. */
export function p1TimeToIso(t: string): string | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?([WS])?$/.exec(t);
  if (!m) return undefined;
  const [, yy, mo, dd, hh, mi, ss, z] = m;
  const month = Number(mo);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(hh) > 23 || Number(mi) > 59 || Number(ss ?? '0') > 59) return undefined;
  const offset = z === 'W' ? '+01:00' : z === 'S' ? '+02:00' : '';
  return `20${yy}-${mo}-${dd}T${hh}:${mi}:${ss ?? '00'}${offset}`;
}

/** DSMR 2.2/3 gas record: `0-n:24.3.0(ts)(…)(…)(…)(0-n:24.2.x)(unit)` then `(value)`. */
function dsmr22Gas(r: ListenReading): void {
  const groups = [r.value, ...(r.extra ?? [])];
  if (!/:24\.3\.0/.test(r.address) || groups.length < 7) return;
  const ts = groups[0]!;
  const unit = groups[groups.length - 2]!;
  const value = groups[groups.length - 1]!;
  if (!/^\d{10,12}$/.test(ts) || !/^[\d.]+$/.test(value)) return;
  r.extra = groups.slice(1, -1);
  r.value = value;
  r.unit = unit;
  r.timestamp = ts;
}

export function decodeTelegram(text: string, end: 'complete' | 'cut-by-start' | 'cut-by-silence' | 'too-long', readAt: string): TelegramResult {
  const eol = text.search(/\r?\n/);
  const identity = (eol < 0 ? text.slice(1) : text.slice(1, eol)).trim();
  const bang = text.lastIndexOf('\n!');
  const notes: string[] = [];
  let crc: TelegramResult['crc'] = 'none';
  let detail: string | undefined;
  if (end === 'complete' && bang >= 0) {
    const digits = text.slice(bang + 2).trim();
    if (/^[0-9A-Fa-f]{4}$/.test(digits)) {
      const computed = crc16arc(text, 0, bang + 2);
      const sent = parseInt(digits, 16);
      crc = computed === sent ? 'good' : 'bad';
      if (crc === 'bad') detail = `computed ${hex4(computed)}, telegram says ${digits.toUpperCase()}`;
    } else if (digits !== '') {
      crc = 'bad';
      detail = `"${digits}" after ! is not a CRC`;
    }
  }
  // The data lines up to the `!` (its CRC digits are not data).
  const body = eol < 0 ? '' : text.slice(eol, bang > eol ? bang + 2 : text.length);
  const parsed = parseDataBlock(body);
  const readings: ListenReading[] = parsed.sets
    .filter((s) => s.address !== '')
    .map((s) => {
      const r: ListenReading = dataSetToReading(s, { readAt, source: 'readout' });
      dsmr22Gas(r);
      if (r.captureTime !== undefined) {
        r.timestamp = r.captureTime;
        const iso = p1TimeToIso(r.captureTime);
        if (iso) r.captureTime = iso;
        else delete r.captureTime;
      } else if (r.timestamp) {
        const iso = p1TimeToIso(r.timestamp);
        if (iso) r.captureTime = iso;
      }
      return r;
    });
  if (parsed.skipped > 0) notes.push(`${parsed.skipped} character(s) belonged to no data line`);
  const clock = readings.find((r) => r.obis === '0-0:1.0.0*255');
  const meterTime = clock ? p1TimeToIso(clock.value) : undefined;
  if (end !== 'complete') {
    const why =
      end === 'cut-by-start'
        ? 'a new telegram (/) started before the ! line'
        : end === 'cut-by-silence'
          ? 'the line fell silent before the ! line'
          : 'no ! line within the telegram size bound';
    return { verdict: verdict('cut-short', why), identity, crc: 'none', readings: [], unchecked: readings, ...(meterTime ? { meterTime } : {}), notes };
  }
  if (crc === 'bad')
    return { verdict: verdict('crc-bad', detail), identity, crc, readings: [], unchecked: readings, ...(meterTime ? { meterTime } : {}), notes };
  return { verdict: verdict(crc === 'good' ? 'ok' : 'crc-none'), identity, crc, readings, unchecked: [], ...(meterTime ? { meterTime } : {}), notes };
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
