/**
 * A-XDR encoding of the COSEM `Data` CHOICE (IEC 62056-5-3 / Blue Book). Values are plain data
 * objects (`{ type: 'double-long-unsigned', value: 123 }`) that cross IPC and journals as they are:
 * octet strings are lower-case hex, bit strings are '0'/'1' text, 64-bit integers are bigint.
 */
import { OmrError } from '../../../shared/errors';
import { decodeError, encodeLength, guardDecode, hex, Reader, unhex, Writer } from './bytes';
import { decodeDate, decodeDateTime, decodeTime, encodeDate, encodeDateTime, encodeTime, type CosemDate, type CosemDateTime, type CosemTime } from './datetime';

export const DATA_TAGS = {
  'null-data': 0,
  array: 1,
  structure: 2,
  boolean: 3,
  'bit-string': 4,
  'double-long': 5,
  'double-long-unsigned': 6,
  'octet-string': 9,
  'visible-string': 10,
  'utf8-string': 12,
  bcd: 13,
  integer: 15,
  long: 16,
  unsigned: 17,
  'long-unsigned': 18,
  'compact-array': 19,
  long64: 20,
  'long64-unsigned': 21,
  enum: 22,
  float32: 23,
  float64: 24,
  'date-time': 25,
  date: 26,
  time: 27,
  'dont-care': 255,
} as const;

export type DataType = keyof typeof DATA_TAGS;
const TAG_NAMES = new Map<number, DataType>(Object.entries(DATA_TAGS).map(([k, v]) => [v, k as DataType]));

export function dataTypeName(tag: number): DataType | undefined {
  return TAG_NAMES.get(tag);
}

/** The type description of a compact array (Blue Book TypeDescription). */
export type TypeDescription =
  | { type: Exclude<DataType, 'array' | 'structure' | 'compact-array'> }
  | { type: 'array'; count: number; element: TypeDescription }
  | { type: 'structure'; elements: TypeDescription[] };

export type DlmsValue =
  | { type: 'null-data' }
  | { type: 'dont-care' }
  | { type: 'array'; value: DlmsValue[] }
  | { type: 'structure'; value: DlmsValue[] }
  | { type: 'boolean'; value: boolean }
  /** Bits as '0'/'1' text, first bit first. */
  | { type: 'bit-string'; value: string }
  | { type: 'double-long' | 'double-long-unsigned' | 'integer' | 'long' | 'unsigned' | 'long-unsigned' | 'enum'; value: number }
  /** bcd [13]: one octet (ASN.1 Integer8) of two decimal digits, as sent (0..255); see bcdDigits. */
  | { type: 'bcd'; value: number }
  | { type: 'long64' | 'long64-unsigned'; value: bigint }
  | { type: 'float32' | 'float64'; value: number }
  /** Lower-case hex. */
  | { type: 'octet-string'; value: string }
  | { type: 'visible-string' | 'utf8-string'; value: string }
  | { type: 'date-time'; value: CosemDateTime }
  | { type: 'date'; value: CosemDate }
  | { type: 'time'; value: CosemTime }
  | { type: 'compact-array'; description: TypeDescription; value: DlmsValue[] };

const INT_RANGES = {
  integer: [-128, 127, 1],
  long: [-32768, 32767, 2],
  'double-long': [-2147483648, 2147483647, 4],
  unsigned: [0, 255, 1],
  'long-unsigned': [0, 65535, 2],
  'double-long-unsigned': [0, 4294967295, 4],
  enum: [0, 255, 1],
  bcd: [0, 255, 1],
} as const;

/** Nesting limit for decoding: real data is a few levels deep; this bounds hostile input. */
const MAX_DEPTH = 64;

// ------------------------------------------------------------------------------------------ encode

export function encodeData(v: DlmsValue): Uint8Array {
  const w = new Writer();
  writeData(w, v);
  return w.finish();
}

function invalid(detail: string): OmrError {
  return new OmrError('INVALID_REQUEST', detail);
}

function writeData(w: Writer, v: DlmsValue): void {
  const tag = DATA_TAGS[v.type];
  if (tag === undefined) throw invalid(`unknown data type ${(v as { type: string }).type}`);
  w.u8(tag);
  if (v.type === 'compact-array') {
    writeTypeDescription(w, v.description);
    const body = new Writer();
    for (const item of v.value) writeUntagged(body, v.description, item);
    const bytes = body.finish();
    w.length(bytes.length).bytes(bytes);
    return;
  }
  writeBody(w, v);
}

/** The value without its tag (used inside compact arrays and by writeData). */
function writeBody(w: Writer, v: DlmsValue): void {
  switch (v.type) {
    case 'null-data':
    case 'dont-care':
      return;
    case 'array':
    case 'structure':
      w.length(v.value.length);
      for (const item of v.value) writeData(w, item);
      return;
    case 'boolean':
      w.u8(v.value ? 1 : 0);
      return;
    case 'bit-string': {
      if (!/^[01]*$/.test(v.value)) throw invalid('bit-string value must be 0/1 text');
      w.length(v.value.length);
      const bytes = new Uint8Array(Math.ceil(v.value.length / 8));
      for (let i = 0; i < v.value.length; i++) if (v.value[i] === '1') bytes[i >> 3]! |= 0x80 >> (i & 7);
      w.bytes(bytes);
      return;
    }
    case 'integer':
    case 'long':
    case 'double-long':
    case 'unsigned':
    case 'long-unsigned':
    case 'double-long-unsigned':
    case 'enum':
    case 'bcd': {
      const [min, max, size] = INT_RANGES[v.type];
      if (!Number.isInteger(v.value) || v.value < min || v.value > max) throw invalid(`${v.type} value ${v.value} out of range ${min}..${max}`);
      const u = v.value < 0 ? v.value + 2 ** (8 * size) : v.value;
      if (size === 1) w.u8(u);
      else if (size === 2) w.u16(u);
      else w.u32(u);
      return;
    }
    case 'long64':
    case 'long64-unsigned': {
      const signed = v.type === 'long64';
      const min = signed ? -(1n << 63n) : 0n;
      const max = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
      if (typeof v.value !== 'bigint' || v.value < min || v.value > max) throw invalid(`${v.type} value out of range`);
      const u = BigInt.asUintN(64, v.value);
      for (let i = 7; i >= 0; i--) w.u8(Number((u >> BigInt(i * 8)) & 0xffn));
      return;
    }
    case 'float32':
    case 'float64': {
      const size = v.type === 'float32' ? 4 : 8;
      const b = new Uint8Array(size);
      const dv = new DataView(b.buffer);
      if (size === 4) dv.setFloat32(0, v.value);
      else dv.setFloat64(0, v.value);
      w.bytes(b);
      return;
    }
    case 'octet-string': {
      const b = unhexValue(v.value);
      w.length(b.length).bytes(b);
      return;
    }
    case 'visible-string': {
      const b = new Uint8Array(v.value.length);
      for (let i = 0; i < v.value.length; i++) {
        const c = v.value.charCodeAt(i);
        if (c > 0xff) throw invalid('visible-string holds a character above 0xFF');
        b[i] = c;
      }
      w.length(b.length).bytes(b);
      return;
    }
    case 'utf8-string': {
      const b = new TextEncoder().encode(v.value);
      w.length(b.length).bytes(b);
      return;
    }
    case 'date-time':
      w.bytes(encodeDateTime(v.value));
      return;
    case 'date':
      w.bytes(encodeDate(v.value));
      return;
    case 'time':
      w.bytes(encodeTime(v.value));
      return;
    case 'compact-array':
      throw invalid('compact-array inside a compact array');
  }
}

function unhexValue(text: string): Uint8Array {
  try {
    return unhex(text);
  } catch {
    throw invalid('octet-string value must be hex text');
  }
}

function writeTypeDescription(w: Writer, d: TypeDescription): void {
  if (d.type === 'array') {
    w.u8(DATA_TAGS.array).u16(d.count);
    writeTypeDescription(w, d.element);
  } else if (d.type === 'structure') {
    w.u8(DATA_TAGS.structure).length(d.elements.length);
    for (const e of d.elements) writeTypeDescription(w, e);
  } else {
    const tag = DATA_TAGS[d.type];
    if (tag === undefined) throw invalid(`unknown type ${d.type}`);
    w.u8(tag);
  }
}

function writeUntagged(w: Writer, d: TypeDescription, v: DlmsValue): void {
  if (d.type !== v.type) throw invalid(`compact-array element of type ${v.type} where ${d.type} is described`);
  if (d.type === 'array' && v.type === 'array') {
    if (v.value.length !== d.count) throw invalid('compact-array element count differs from its description');
    for (const item of v.value) writeUntagged(w, d.element, item);
  } else if (d.type === 'structure' && v.type === 'structure') {
    if (v.value.length !== d.elements.length) throw invalid('compact-array structure differs from its description');
    v.value.forEach((item, i) => writeUntagged(w, d.elements[i]!, item));
  } else writeBody(w, v);
}

// ------------------------------------------------------------------------------------------ decode

/** Decode exactly one Data value filling `bytes`; trailing bytes are a DECODE_ERROR. */
export function decodeData(bytes: Uint8Array): DlmsValue {
  return guardDecode('A-XDR', () => {
    const r = new Reader(bytes);
    const v = readData(r);
    if (!r.done) throw decodeError(`${r.remaining} byte(s) after the A-XDR value`);
    return v;
  });
}

/** Decode one Data value from a reader (the reader moves past it). */
export function readData(r: Reader, depth = 0): DlmsValue {
  if (depth > MAX_DEPTH) throw decodeError('A-XDR nesting too deep');
  const at = r.pos;
  const tag = r.u8('data tag');
  const type = TAG_NAMES.get(tag);
  if (type === undefined) throw decodeError(`unknown A-XDR data tag ${tag} at offset ${at}`);
  if (type === 'compact-array') {
    const description = readTypeDescription(r, depth + 1);
    const len = r.length('compact-array length');
    const body = new Reader(r.bytes(len, 'compact-array contents'));
    const min = minEncodedSize(description);
    if (min === 0) throw decodeError('compact-array description of empty elements');
    const value: DlmsValue[] = [];
    while (!body.done) {
      if (body.remaining < min) throw decodeError('compact-array contents end inside an element');
      value.push(readUntagged(body, description, depth + 1));
    }
    return { type, description, value };
  }
  return readBody(r, type, depth);
}

function readBody(r: Reader, type: Exclude<DataType, 'compact-array'>, depth: number): DlmsValue {
  switch (type) {
    case 'null-data':
    case 'dont-care':
      return { type };
    case 'array':
    case 'structure': {
      const n = r.length(`${type} count`);
      // Each element takes at least one byte: a count beyond the input is corrupt, not a hang.
      if (n > r.remaining) throw decodeError(`${type} of ${n} elements in ${r.remaining} bytes`);
      const value: DlmsValue[] = [];
      for (let i = 0; i < n; i++) value.push(readData(r, depth + 1));
      return { type, value };
    }
    case 'boolean':
      return { type, value: r.u8('boolean') !== 0 };
    case 'bit-string': {
      const bits = r.length('bit-string length');
      const bytes = r.bytes(Math.ceil(bits / 8), 'bit-string');
      let value = '';
      for (let i = 0; i < bits; i++) value += bytes[i >> 3]! & (0x80 >> (i & 7)) ? '1' : '0';
      return { type, value };
    }
    case 'integer': {
      const b = r.u8(type);
      return { type, value: b >= 0x80 ? b - 0x100 : b };
    }
    case 'unsigned':
    case 'enum':
    case 'bcd':
      return { type, value: r.u8(type) };
    case 'long': {
      const v = r.u16(type);
      return { type, value: v >= 0x8000 ? v - 0x10000 : v };
    }
    case 'long-unsigned':
      return { type, value: r.u16(type) };
    case 'double-long': {
      const v = r.u32(type);
      return { type, value: v >= 0x80000000 ? v - 0x100000000 : v };
    }
    case 'double-long-unsigned':
      return { type, value: r.u32(type) };
    case 'long64':
    case 'long64-unsigned': {
      const b = r.bytes(8, type);
      let u = 0n;
      for (const x of b) u = (u << 8n) | BigInt(x);
      return { type, value: type === 'long64' ? BigInt.asIntN(64, u) : u };
    }
    case 'float32':
    case 'float64': {
      const size = type === 'float32' ? 4 : 8;
      const b = r.bytes(size, type);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      return { type, value: size === 4 ? dv.getFloat32(0) : dv.getFloat64(0) };
    }
    case 'octet-string':
      return { type, value: hex(r.bytes(r.length('octet-string length'), 'octet-string')) };
    case 'visible-string': {
      const b = r.bytes(r.length('visible-string length'), 'visible-string');
      let value = '';
      for (const c of b) value += String.fromCharCode(c);
      return { type, value };
    }
    case 'utf8-string': {
      const b = r.bytes(r.length('utf8-string length'), 'utf8-string');
      try {
        return { type, value: new TextDecoder('utf-8', { fatal: true }).decode(b) };
      } catch {
        throw decodeError('utf8-string is not valid UTF-8');
      }
    }
    case 'date-time':
      return { type, value: decodeDateTime(r.bytes(12, 'date-time')) };
    case 'date':
      return { type, value: decodeDate(r.bytes(5, 'date')) };
    case 'time':
      return { type, value: decodeTime(r.bytes(4, 'time')) };
  }
}

function readTypeDescription(r: Reader, depth: number): TypeDescription {
  if (depth > MAX_DEPTH) throw decodeError('compact-array description nesting too deep');
  const tag = r.u8('type description');
  const type = TAG_NAMES.get(tag);
  if (type === undefined) throw decodeError(`unknown type ${tag} in a compact-array description`);
  if (type === 'compact-array') throw decodeError('compact-array inside a compact-array description');
  if (type === 'array') {
    const count = r.u16('compact-array element count');
    return { type, count, element: readTypeDescription(r, depth + 1) };
  }
  if (type === 'structure') {
    const n = r.length('structure description count');
    if (n > r.remaining) throw decodeError(`structure description of ${n} elements in ${r.remaining} bytes`);
    const elements: TypeDescription[] = [];
    for (let i = 0; i < n; i++) elements.push(readTypeDescription(r, depth + 1));
    return { type, elements };
  }
  return { type };
}

/** The fewest bytes one element of this description takes (bounds the work on hostile input). */
function minEncodedSize(d: TypeDescription): number {
  switch (d.type) {
    case 'array': {
      const e = minEncodedSize(d.element);
      if (d.count > 0 && e === 0) throw decodeError('compact-array description repeats empty elements');
      return d.count * e;
    }
    case 'structure':
      return d.elements.reduce((n, e) => n + minEncodedSize(e), 0);
    case 'null-data':
    case 'dont-care':
      throw decodeError('compact-array of null-data');
    case 'long':
    case 'long-unsigned':
      return 2;
    case 'double-long':
    case 'double-long-unsigned':
    case 'float32':
    case 'time':
      return 4;
    case 'long64':
    case 'long64-unsigned':
    case 'float64':
      return 8;
    case 'date':
      return 5;
    case 'date-time':
      return 12;
    default:
      return 1;
  }
}

function readUntagged(r: Reader, d: TypeDescription, depth: number): DlmsValue {
  if (depth > MAX_DEPTH) throw decodeError('compact-array nesting too deep');
  if (d.type === 'array') {
    const value: DlmsValue[] = [];
    for (let i = 0; i < d.count; i++) value.push(readUntagged(r, d.element, depth + 1));
    return { type: 'array', value };
  }
  if (d.type === 'structure') return { type: 'structure', value: d.elements.map((e) => readUntagged(r, e, depth + 1)) };
  if (d.type === 'null-data' || d.type === 'dont-care') throw decodeError('compact-array of null-data');
  return readBody(r, d.type, depth);
}

// ----------------------------------------------------------------------------------------- helpers

/** Size in bytes of the A-XDR length prefix for n (for PDU size planning). */
export function lengthSize(n: number): number {
  return encodeLength(n).length;
}

/**
 * The number a bcd octet stands for: high nibble tens, low nibble units (0x42 → 42). A nibble
 * above 9 is not a decimal digit; no sign convention is defined for the one-octet bcd type, so
 * such an octet has no number (undefined) and is shown as sent (`bcdText`), never guessed.
 */
export function bcdDigits(octet: number): number | undefined {
  const hi = (octet >> 4) & 0x0f;
  const lo = octet & 0x0f;
  return hi <= 9 && lo <= 9 ? hi * 10 + lo : undefined;
}

/** A bcd octet as text: its digits when both nibbles are digits, else the octet in hex (0x4f). */
export function bcdText(octet: number): string {
  const digits = bcdDigits(octet);
  return digits === undefined ? `0x${octet.toString(16).padStart(2, '0')}` : String(digits);
}

/** Numeric value of an integer-typed Data as exact decimal text; undefined for other types. */
export function integerText(v: DlmsValue): string | undefined {
  switch (v.type) {
    case 'integer':
    case 'long':
    case 'double-long':
    case 'unsigned':
    case 'long-unsigned':
    case 'double-long-unsigned':
    case 'enum':
      return String(v.value);
    case 'bcd':
      return bcdDigits(v.value)?.toString();
    case 'long64':
    case 'long64-unsigned':
      return v.value.toString();
    default:
      return undefined;
  }
}

/**
 * The shortest decimal text that reads back as the same float32 (230.1 for the float32 nearest
 * 230.1, which as a double prints 230.10000610351562). Non-finite values as String() gives them.
 */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const t = Number(f.toPrecision(p));
    if (Math.fround(t) === f) return String(t);
  }
  return String(f);
}

/** Shorthands for building values. */
export const D = {
  null: (): DlmsValue => ({ type: 'null-data' }),
  array: (value: DlmsValue[]): DlmsValue => ({ type: 'array', value }),
  structure: (value: DlmsValue[]): DlmsValue => ({ type: 'structure', value }),
  bool: (value: boolean): DlmsValue => ({ type: 'boolean', value }),
  integer: (value: number): DlmsValue => ({ type: 'integer', value }),
  long: (value: number): DlmsValue => ({ type: 'long', value }),
  doubleLong: (value: number): DlmsValue => ({ type: 'double-long', value }),
  unsigned: (value: number): DlmsValue => ({ type: 'unsigned', value }),
  longUnsigned: (value: number): DlmsValue => ({ type: 'long-unsigned', value }),
  doubleLongUnsigned: (value: number): DlmsValue => ({ type: 'double-long-unsigned', value }),
  long64: (value: bigint): DlmsValue => ({ type: 'long64', value }),
  long64Unsigned: (value: bigint): DlmsValue => ({ type: 'long64-unsigned', value }),
  enum: (value: number): DlmsValue => ({ type: 'enum', value }),
  octets: (value: Uint8Array | string): DlmsValue => ({ type: 'octet-string', value: typeof value === 'string' ? value.toLowerCase() : hex(value) }),
  visible: (value: string): DlmsValue => ({ type: 'visible-string', value }),
  dateTime: (value: CosemDateTime): DlmsValue => ({ type: 'octet-string', value: hex(encodeDateTime(value)) }),
};
