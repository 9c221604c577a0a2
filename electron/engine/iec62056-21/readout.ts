/**
 * The data block of a readout (`address(value*unit)` data sets, CR LF separated, `!` at the end)
 * → data sets → shared {@link Reading}s. Tolerant by design: meters in the field send padding
 * spaces, `-.--` placeholders, empty groups, several sets on one line, several groups per set,
 * continuation lines that start with `(`, and noise merged into lines. Nothing here throws:
 * what cannot be read is skipped and counted.
 *
 * Values stay exact text: never through a float.
 */
import type { Reading, ReadingSource } from '../../../shared/types';
import { parseObisAddress, formatObis } from '../obis/normalise';

export interface ValueGroup {
  /** The group as sent, between the parentheses (not trimmed). */
  raw: string;
  /**
   * Value text as sent, trimmed (a `-.--`-style placeholder stays as it is: numeric consumers ask
   * shared/reading-value.ts whether it holds a number); '' for empty and blank-filled groups.
   */
  value: string;
  /** Unit after the last `*`, trimmed; '' when there is none. */
  unit: string;
}

export interface DataSet {
  /** The address as the meter spelled it (control characters and noise removed). */
  address: string;
  groups: ValueGroup[];
}

export interface ParsedBlock {
  sets: DataSet[];
  /** Characters that belonged to no data set (noise, an unterminated group, a lone address). */
  skipped: number;
  /** The `!` end line was seen. */
  complete: boolean;
}

const MAX_ADDRESS = 64;

/** Split `value*unit` and trim; placeholders (`-.--`) are kept as the meter wrote them. */
export function parseGroup(raw: string): ValueGroup {
  const star = raw.lastIndexOf('*');
  const value = (star >= 0 ? raw.slice(0, star) : raw).trim();
  const unit = star >= 0 ? raw.slice(star + 1).trim() : '';
  return { raw, value, unit };
}

function isNoise(code: number): boolean {
  return code < 0x20 || code >= 0x7f;
}

/** Parse a data block (the text between STX and ETX, or any part of it). */
export function parseDataBlock(text: string): ParsedBlock {
  const sets: DataSet[] = [];
  let skipped = 0;
  let complete = false;
  let address = '';
  /** The set the next `(` adds a group to (same line, right after a `)`), if any. */
  let open: DataSet | undefined;
  /** The last set of the previous line, for continuation lines that start with `(`. */
  let lastSet: DataSet | undefined;
  let atLineStart = true;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    if (ch === '\r' || ch === '\n') {
      if (address.trim() === '!') complete = true;
      else skipped += address.trim().length;
      address = '';
      if (open) lastSet = open;
      open = undefined;
      atLineStart = true;
      i++;
      continue;
    }
    if (ch === '(') {
      const close = findClose(text, i + 1);
      if (close < 0) {
        // Unterminated group: the rest of the line is lost (e.g. a cut-off readout).
        const eol = nextEol(text, i + 1);
        skipped += eol - i + address.length;
        address = '';
        open = undefined;
        i = eol;
        continue;
      }
      const group = parseGroup(text.slice(i + 1, close));
      const addr = address.trim();
      if (addr.length > 0) {
        open = { address: addr, groups: [group] };
        sets.push(open);
      } else if (open) {
        open.groups.push(group);
      } else if (atLineStart && lastSet) {
        lastSet.groups.push(group);
        open = lastSet;
      } else {
        // A group with no address: keep it under an empty address rather than lose it.
        open = { address: '', groups: [group] };
        sets.push(open);
      }
      address = '';
      atLineStart = false;
      i = close + 1;
      continue;
    }
    atLineStart = atLineStart && (ch === ' ' || ch === '\t');
    if (ch === ')') {
      skipped++;
    } else if (ch === ' ' || ch === '\t') {
      // Blanks between groups keep the set open; inside an address they are kept (then trimmed).
      if (address.length > 0) address += ' ';
    } else if (isNoise(code)) {
      skipped++;
    } else {
      // A character after a closed group starts the next data set on the same line.
      open = undefined;
      address += ch;
      if (address.length > MAX_ADDRESS) {
        skipped += address.length - MAX_ADDRESS;
        address = address.slice(-MAX_ADDRESS);
      }
    }
    i++;
  }
  if (address.trim() === '!') complete = true;
  else skipped += address.trim().length;
  return { sets, skipped, complete };
}

function findClose(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === ')') return i;
    if (c === '\r' || c === '\n' || c === '(') return -1;
  }
  return -1;
}

function nextEol(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' || c === '\n') return i;
  }
  return text.length;
}

// --- data sets → readings ------------------------------------------------------------------------

/** Timestamps as meters write them: `101208152415W` (DSMR), `21-01-01 00:00`, `2021-07-12 22:20:17`. */
const TIMESTAMP_RE = [/^\d{12}[SW]$/, /^(\d{2}|\d{4})-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/];
/** Bare digit timestamps (`2103010000` = YYMMDDhhmm) only count when the other group has a unit. */
const BARE_TIMESTAMP_RE = /^\d{10}(\d{2})?$/;

function isTimestamp(g: ValueGroup, otherHasUnit: boolean): boolean {
  if (g.unit !== '') return false;
  if (TIMESTAMP_RE.some((re) => re.test(g.value))) return true;
  return otherHasUnit && BARE_TIMESTAMP_RE.test(g.value);
}

export interface ReadingOptions {
  /** PC time the block was received (ISO). */
  readAt: string;
  source?: ReadingSource;
}

/**
 * One data set → one Reading.
 *
 * Value rule for several groups (`address(v1)(v2)…`):
 * - exactly two groups, one a timestamp and the other not (`0-1:24.2.1(101209112500W)(12785.123*m3)`
 *   gas value with its capture time; `1-1:9.6.0(00.440*MVA)(13-07-19 08:30)` maximum demand with
 *   its time): `value`/`unit` come from the non-timestamp group, `captureTime` is the timestamp
 *   text exactly as sent;
 * - otherwise `value`/`unit` come from the first group and every further group goes, as sent
 *   (trimmed, `value*unit`), into `extra` in order. Nothing is dropped.
 */
export function dataSetToReading(set: DataSet, opts: ReadingOptions): Reading {
  const parts = parseObisAddress(set.address);
  const reading: Reading = {
    obis: parts ? formatObis(parts) : set.address,
    address: set.address,
    value: '',
    unit: '',
    readAt: opts.readAt,
    source: opts.source ?? 'readout',
  };
  if (parts?.history !== undefined) reading.history = parts.history;
  else if (!parts) {
    // Keep a history suffix even when the address has no OBIS form (`1.8.0*1000`).
    const h = /[*&](\d+)$/.exec(set.address);
    if (h) reading.history = set.address[h.index] === '&' ? `&${h[1]}` : h[1];
  }
  const g = set.groups;
  const first = g[0];
  if (!first) return reading;
  if (g.length === 2) {
    const second = g[1]!;
    const t0 = isTimestamp(first, second.unit !== '');
    const t1 = isTimestamp(second, first.unit !== '');
    if (t0 !== t1) {
      const [val, ts] = t0 ? [second, first] : [first, second];
      reading.value = val.value;
      reading.unit = val.unit;
      reading.captureTime = ts.value;
      return reading;
    }
  }
  reading.value = first.value;
  reading.unit = first.unit;
  if (g.length > 1) reading.extra = g.slice(1).map((x) => x.raw.trim());
  return reading;
}

/** Data block text → readings (data sets with an address; address-less groups are skipped). */
export function parseReadout(text: string, opts: ReadingOptions): Reading[] {
  return parseDataBlock(text)
    .sets.filter((s) => s.address !== '')
    .map((s) => dataSetToReading(s, opts));
}

// --- formatting (simulator, tests) -------------------------------------------------------------------

export interface DataLine {
  address: string;
  /** `value` or `value*unit` groups. */
  groups: { value: string; unit?: string }[];
}

export function formatDataLine(line: DataLine): string {
  return line.address + line.groups.map((g) => `(${g.value}${g.unit ? `*${g.unit}` : ''})`).join('');
}

/** Lines → a data block `line CR LF … ! CR LF` (what goes between STX and ETX). */
export function formatDataBlock(lines: DataLine[]): string {
  return lines.map((l) => `${formatDataLine(l)}\r\n`).join('') + '!\r\n';
}
