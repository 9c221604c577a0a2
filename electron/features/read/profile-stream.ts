/**
 * A profile buffer decoded as its GET data blocks arrive: the blocks of a GET.response
 * with-datablock carry one A-XDR value cut anywhere; for an `array` of rows, every row whose bytes
 * have all come is decoded at once, so a read that is cut off (cable, kill) has already handed
 * over every complete row. The whole value the client assembles at the end stays the reference.
 */
import type { Lang } from '../../../shared/errors';
import type { ProfileColumnPart, ProfileData } from '../../../shared/session';
import { asDateTime, decodeProfileBuffer, type CaptureObject, type ScalerUnit } from '../../engine/cosem/classes';
import { Clock } from '../../engine/cosem/registry';
import { readData, type DlmsValue } from '../../engine/dlms/axdr';
import { Reader } from '../../engine/dlms/bytes';
import type { CosemDateTime } from '../../engine/dlms/datetime';
import { lookupObis } from '../../engine/obis/names';

/** One block of a plain GET.response with-datablock (tag C4, choice 02), or undefined. */
export interface DataBlock {
  blockNumber: number;
  last: boolean;
  raw: Uint8Array;
}

/** The data block in an unciphered APDU, or undefined (another APDU, an error block, ciphered). */
export function plainDataBlock(apdu: Uint8Array): DataBlock | undefined {
  if (apdu.length < 9 || apdu[0] !== 0xc4 || apdu[1] !== 0x02) return undefined;
  try {
    const r = new Reader(apdu, 3);
    const last = r.u8('last-block') !== 0;
    const blockNumber = r.u32('block-number');
    if (r.u8('result choice') !== 0) return undefined;
    const raw = r.bytes(r.length('raw-data length'), 'raw-data');
    return { blockNumber, last, raw };
  } catch {
    return undefined;
  }
}

/**
 * The elements of an A-XDR `array` as its bytes come. Anything else (a compact array, a
 * damaged start) turns the stream off: the caller then has the rows only with the whole value.
 */
export class ArrayStream {
  private buf = new Uint8Array(0);
  private pos = 0;
  private count: number | undefined;
  private decoded = 0;
  private off = false;
  /** Bytes received so far. */
  bytes = 0;
  /** Blocks received so far. */
  blocks = 0;
  private nextBlock = 1;

  get elements(): number {
    return this.decoded;
  }

  /** Add one block; returns the elements it completed. Blocks out of order turn the stream off. */
  block(b: DataBlock): DlmsValue[] {
    if (b.blockNumber !== this.nextBlock) {
      this.off = true;
      return [];
    }
    this.nextBlock++;
    this.blocks++;
    return this.push(b.raw);
  }

  push(chunk: Uint8Array): DlmsValue[] {
    this.bytes += chunk.length;
    if (this.off) return [];
    const rest = this.buf.subarray(this.pos);
    const next = new Uint8Array(rest.length + chunk.length);
    next.set(rest, 0);
    next.set(chunk, rest.length);
    this.buf = next;
    this.pos = 0;
    const out: DlmsValue[] = [];
    if (this.count === undefined) {
      if (!this.buf.length) return out;
      if (this.buf[0] !== 0x01) {
        this.off = true;
        return out;
      }
      try {
        const r = new Reader(this.buf, 1);
        this.count = r.length('array count');
        this.pos = r.pos;
      } catch {
        return out; // the count is cut: wait for the next block
      }
    }
    while (this.decoded < this.count) {
      const r = new Reader(this.buf, this.pos);
      let v: DlmsValue;
      try {
        v = readData(r);
      } catch {
        break; // this element ends in a later block (or is damaged: the whole value says so)
      }
      this.pos = r.pos;
      this.decoded++;
      out.push(v);
    }
    return out;
  }
}

/** A time cell `s` seconds later, on the same wall clock (its UTC offset, if any, kept). */
function addSeconds(iso: string, s: number): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-]\d{2}:\d{2})?$/.exec(iso);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]! + s));
  return d.toISOString().slice(0, 19) + (m[7] ?? '');
}

/** The cells of the columns added after a clock time column, for this time. */
function partCell(part: ProfileColumnPart, dt: CosemDateTime | undefined): string {
  if (!dt) return '';
  if (part === 'clockStatus') return dt.clockStatus === null ? '' : `0x${dt.clockStatus.toString(16).padStart(2, '0')}`;
  return dt.deviation === null ? 'unspecified' : String(dt.deviation);
}

const PART_NAMES: Record<ProfileColumnPart, Record<Lang, string>> = {
  clockStatus: { en: 'Clock status', fr: 'État de l’horloge' },
  deviation: { en: 'Deviation from UTC', fr: 'Écart à UTC' },
};
const PARTS: readonly ProfileColumnPart[] = ['clockStatus', 'deviation'];

const isClockTime = (c: CaptureObject): boolean => c.classId === Clock.id && c.attribute === Clock.attr.time;

/**
 * Profile rows as text, batch after batch: the columns (names, units, scalers) first, then rows
 * as their values come. A time column left null (IDIS compression) is the previous row's time
 * plus the capture period, across batches.
 */
export class ProfileAssembler {
  readonly data: ProfileData;
  private previous: string[] | undefined;
  /** Per column: the first row's value there is a date-time (a time column). */
  private timeColumns: boolean[] | undefined;

  constructor(
    obis: string,
    private readonly captureObjects: CaptureObject[],
    private readonly scalers: ReadonlyMap<string, ScalerUnit>,
    private readonly period: number | undefined,
    lang: Lang,
  ) {
    const { columns } = decodeProfileBuffer({ type: 'array', value: [] }, captureObjects, scalers);
    this.data = {
      obis,
      columns: columns.flatMap((c) => {
        const name = c.name ?? lookupObis(c.obis);
        const column = {
          obis: c.obis,
          attribute: c.attribute,
          ...(name ? { name: name[lang] } : {}),
          unit: c.scalerUnit?.symbol ?? '',
          ...(c.scalerUnit ? { scaler: c.scalerUnit.scaler } : {}),
        };
        if (!isClockTime(c)) return [column];
        // The clock's status and deviation of each time, kept beside it.
        return [
          column,
          ...PARTS.map((part) => ({ obis: c.obis, attribute: c.attribute, name: PART_NAMES[part][lang], unit: part === 'deviation' ? 'min' : '', part })),
        ];
      }),
      rows: [],
      ...(period !== undefined ? { capturePeriodS: period } : {}),
    };
  }

  /** The columns without rows (what is journaled before the first row). */
  head(): ProfileData {
    return { ...this.data, rows: [] };
  }

  /**
   * The row before the first one to come (kept by an earlier read): a time left out of the next
   * row (null-data, compressed profiles) follows from it.
   */
  seed(previous: string[]): void {
    this.previous = previous;
  }

  /** Rows of these buffer elements, appended to {@link data} and returned. */
  add(elements: DlmsValue[]): string[][] {
    if (!elements.length) return [];
    const p = decodeProfileBuffer({ type: 'array', value: elements }, this.captureObjects, this.scalers);
    this.timeColumns ??= p.rows[0]!.cells.map((c) => asDateTime(c.raw) !== undefined);
    const out: string[][] = [];
    for (const row of p.rows) {
      const previous = this.previous;
      const cells: string[] = [];
      row.cells.forEach((c, j) => {
        const dt = asDateTime(c.raw);
        const k = cells.length; // where this value's cell goes (added columns shift the rest)
        if (c.raw.type === 'null-data' && previous && this.period && this.timeColumns![j]) cells.push(addSeconds(previous[k]!, this.period) ?? '');
        // A time is ISO with the meter's UTC offset when it gave one (valueText's `time`).
        else cells.push(c.text.time ?? c.text.value);
        const co = this.captureObjects[j];
        if (co && isClockTime(co)) cells.push(...PARTS.map((part) => partCell(part, dt)));
      });
      out.push(cells);
      this.data.rows.push(cells);
      this.previous = cells;
    }
    return out;
  }
}
