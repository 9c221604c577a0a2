/**
 * Values as one line of text (trace, tables): numbers exact, strings quoted, date-times readable.
 * A 6-byte octet string is an OBIS code only where the caller says the value is a logical name
 * (attribute 1 of any class, the logical_name of a capture object or an object list entry, the
 * name of a self-describing pushed structure); elsewhere it is hex like any other octet string.
 */
import { bcdText, float32Text, type DlmsValue } from './axdr';
import { unhex } from './bytes';
import { decodeDateTime, formatDate, formatDateTime, formatTime } from './datetime';

/**
 * Where the caller knows a value (or part of it) is a logical name. A 6-byte octet string reads as
 * an OBIS code only there; elsewhere it is shown like any other octet string (hex unless text).
 */
export interface FormatOptions {
  /** This value is a logical name (attribute 1 of any class, an entry's logical_name). */
  logicalName?: boolean;
  /** Options for the elements of a structure or array, by index. */
  elements?: readonly (FormatOptions | undefined)[];
  /** Options for every element of an array or structure (before `elements`). */
  each?: FormatOptions;
}

/** A capture object definition {class_id, logical_name, attribute_index, data_index}. */
export const CAPTURE_OBJECT: FormatOptions = { elements: [undefined, { logicalName: true }] };
/** A profile's or a push setup's capture objects (array of capture object definitions). */
export const CAPTURE_OBJECTS: FormatOptions = { each: CAPTURE_OBJECT };
/** An object list entry {class_id, version, logical_name, access_rights}, and the whole list. */
export const OBJECT_LIST: FormatOptions = { each: { elements: [undefined, undefined, { logicalName: true }] } };
/** A self-describing pushed structure {logical_name, value[, scaler_unit]}. */
export const SELF_DESCRIBING: FormatOptions = { elements: [{ logicalName: true }] };

/** A logical name as an OBIS code (A-B:C.D.E*F); any other value as formatValue shows it. */
export function logicalNameText(v: DlmsValue): string {
  return formatValue(v, { logicalName: true });
}

/** A one-line readable rendering of a value (trace, tables). */
export function formatValue(v: DlmsValue, options: FormatOptions = {}): string {
  switch (v.type) {
    case 'null-data':
      return 'null';
    case 'dont-care':
      return 'dont-care';
    case 'array':
    case 'structure':
    case 'compact-array': {
      const [open, close] = v.type === 'structure' ? ['{', '}'] : ['[', ']'];
      return `${open}${v.value.map((e, i) => formatValue(e, options.elements?.[i] ?? options.each)).join(', ')}${close}`;
    }
    case 'boolean':
      return v.value ? 'true' : 'false';
    case 'bit-string':
      return `b'${v.value}'`;
    case 'long64':
    case 'long64-unsigned':
      return v.value.toString();
    case 'float32':
      return float32Text(v.value);
    case 'octet-string':
      return octetStringText(v.value, options.logicalName === true);
    case 'visible-string':
    case 'utf8-string':
      return JSON.stringify(v.value);
    case 'date-time':
      return formatDateTime(v.value);
    case 'date':
      return formatDate(v.value);
    case 'time':
      return formatTime(v.value);
    case 'bcd':
      return bcdText(v.value);
    default:
      return String(v.value);
  }
}

/**
 * An octet string as shown: an OBIS code when the caller says it is a logical name (6 bytes), a
 * date-time when 12 bytes, printable text, else hex.
 */
export function octetStringText(hexValue: string, logicalName = false): string {
  const b = unhex(hexValue);
  if (logicalName && b.length === 6) return `${b[0]}-${b[1]}:${b[2]}.${b[3]}.${b[4]}*${b[5]}`;
  if (b.length === 12 && (b[0] === 0xff || b[0]! >= 0x07) && (b[2]! <= 12 || b[2]! >= 0xfd)) {
    return formatDateTime(decodeDateTime(b));
  }
  if (b.length > 0 && b.every((c) => c >= 0x20 && c < 0x7f)) return JSON.stringify(String.fromCharCode(...b));
  return hexValue;
}
