/**
 * A-XDR data as a tree: each node its type, its value as exact text, and what it means where that
 * can be said without guessing (an octet string of 12 bytes that decodes as a COSEM date-time, a
 * printable string). A 6-byte octet string is only called a logical name where the position says
 * so (an attribute descriptor, a capture object); elsewhere it stays hex.
 */
import { obisName } from '../../../shared/obis';
import { formatDateTime, decodeDateTime } from '../dlms/datetime';
import type { DlmsValue } from '../dlms/axdr';
import { formatValue } from '../dlms/value-format';
import type { DataNode } from './types';

const unhex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

export function logicalName(bytes: Uint8Array, lang: 'en' | 'fr'): string {
  const code = `${bytes[0]}-${bytes[1]}:${bytes[2]}.${bytes[3]}.${bytes[4]}*${bytes[5]}`;
  const name = obisName(code, lang);
  return name ? `${code} (${name})` : code;
}

function octetMeaning(hexValue: string): string | undefined {
  const b = unhex(hexValue);
  if (b.length === 12 && (b[0] === 0xff || b[0]! >= 0x07) && (b[2]! <= 12 || b[2]! >= 0xfd)) {
    try {
      return formatDateTime(decodeDateTime(b));
    } catch {
      return undefined;
    }
  }
  if (b.length > 0 && b.every((c) => c >= 0x20 && c < 0x7f)) return JSON.stringify(String.fromCharCode(...b));
  return undefined;
}

/**
 * A capture object or attribute descriptor: {class id, logical name (6 bytes), attribute, …}.
 * Only then is the octet string read as an OBIS code.
 */
function isDescriptor(v: DlmsValue): boolean {
  return (
    v.type === 'structure' &&
    v.value.length >= 3 &&
    v.value[0]!.type === 'long-unsigned' &&
    v.value[1]!.type === 'octet-string' &&
    v.value[1]!.value.length === 12 &&
    (v.value[2]!.type === 'integer' || v.value[2]!.type === 'unsigned')
  );
}

export function dataTree(v: DlmsValue, lang: 'en' | 'fr', logicalNameAt?: number): DataNode {
  switch (v.type) {
    case 'array':
    case 'structure':
    case 'compact-array': {
      const descriptor = isDescriptor(v);
      return { type: v.type, value: `${v.value.length} element(s)`, children: v.value.map((c, i) => dataTree(c, lang, descriptor && i === 1 ? 1 : undefined)) };
    }
    case 'octet-string': {
      const node: DataNode = { type: v.type, value: v.value };
      if (logicalNameAt !== undefined && v.value.length === 12) node.meaning = logicalName(unhex(v.value), lang);
      else {
        const m = octetMeaning(v.value);
        if (m) node.meaning = m;
      }
      return node;
    }
    default:
      return { type: v.type, value: formatValue(v) };
  }
}
