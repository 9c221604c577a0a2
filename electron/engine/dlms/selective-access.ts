/**
 * Selective access to a profile generic's buffer: by range of the sort object (selector 1) or by
 * entry (selector 2).
 */
import { Clock, CLOCK_LN, PROFILE_SELECTOR } from '../cosem/registry';
import type { DlmsValue } from './axdr';
import { hex } from './bytes';
import { encodeDateTime, type CosemDateTime } from './datetime';
import { parseObis, type Obis } from './obis-code';
import type { AccessSelection } from './apdu';

export const CLOCK_OBIS: Obis = CLOCK_LN;

export interface RangeDescriptor {
  /** The restricting object; by default the clock's time attribute (class 8, 0-0:1.0.0*255, attr 2). */
  restricting?: { classId: number; obis: Obis | string; attribute: number; dataIndex?: number };
  from: CosemDateTime;
  to: CosemDateTime;
  /** Columns to return (empty = all). */
  columns?: { classId: number; obis: Obis | string; attribute: number; dataIndex?: number }[];
}

function captureObjectDefinition(o: { classId: number; obis: Obis | string; attribute: number; dataIndex?: number }): DlmsValue {
  const obis = typeof o.obis === 'string' ? parseObis(o.obis) : o.obis;
  return {
    type: 'structure',
    value: [
      { type: 'long-unsigned', value: o.classId },
      { type: 'octet-string', value: hex(Uint8Array.from(obis)) },
      { type: 'integer', value: o.attribute },
      { type: 'long-unsigned', value: o.dataIndex ?? 0 },
    ],
  };
}

/**
 * Selective access by range (selector 1). The bounds travel as 12-byte octet strings; leave the
 * deviation and clock status "not specified" (the default of {@link cosemDateTime}) unless the
 * meter needs them: some meters answer nothing otherwise.
 */
export function rangeAccess(d: RangeDescriptor): AccessSelection {
  const restricting = d.restricting ?? { classId: Clock.id, obis: CLOCK_OBIS, attribute: Clock.attr.time, dataIndex: 0 };
  return {
    selector: PROFILE_SELECTOR.range,
    parameters: {
      type: 'structure',
      value: [
        captureObjectDefinition(restricting),
        { type: 'octet-string', value: hex(encodeDateTime(d.from)) },
        { type: 'octet-string', value: hex(encodeDateTime(d.to)) },
        { type: 'array', value: (d.columns ?? []).map(captureObjectDefinition) },
      ],
    },
  };
}

/** Selective access by entry (selector 2): entries and columns are 1-based, 0 "to" = the last. */
export function entryAccess(fromEntry: number, toEntry = 0, fromColumn = 1, toColumn = 0): AccessSelection {
  return {
    selector: PROFILE_SELECTOR.entry,
    parameters: {
      type: 'structure',
      value: [
        { type: 'double-long-unsigned', value: fromEntry },
        { type: 'double-long-unsigned', value: toEntry },
        { type: 'long-unsigned', value: fromColumn },
        { type: 'long-unsigned', value: toColumn },
      ],
    },
  };
}
