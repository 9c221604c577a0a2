/**
 * A decoded notification → readings. Positions named by the payload keep its OBIS code (with its
 * scaler and unit when the payload carries them); a matching layout names the others and gives
 * unit and scaler; a position nobody names is shown as `#n` with its type and raw value. The list
 * identity is the layout's name, or the body's signature when no layout matches, so a meter that
 * pushes a short and a long list shows two lists.
 */
import type { Reading } from '../../../shared/types';
import { scaleDecimal } from '../cosem/scale';
import { unitSymbol } from '../obis/units';
import { integerText, type DlmsValue } from '../dlms/axdr';
import { LOGICAL_NAME_ATTRIBUTE } from '../cosem/registry';
import { bodyPositions, bodySignature, rawText, signatureId, typeCode, valueText, type BodyShape, type Position } from './lists';
import { decodeAs, findLayout, type Layout } from './layouts';
import type { Notification } from './notification';

export interface ListenReading extends Reading {
  /** 1-based index of the value in the pushed body. */
  position?: number;
  /** A-XDR type code of the value (`u32`, `os16`…), for positions nobody names. */
  type?: string;
  /** P1: a time stamp group exactly as sent (`YYMMDDhhmmssW`). */
  timestamp?: string;
}

export interface ListInfo {
  /** `layout:<name>` or `sig:<hash>`: the identity of the list. */
  id: string;
  signature: string;
  shape: BodyShape | 'descriptor-entries';
  layout?: { name: string; operator: string; source: string };
}

export function listReadings(
  n: Notification,
  layouts: readonly Layout[],
  readAt: string,
): { readings: ListenReading[]; list: ListInfo; unnamed: number; notes: string[] } {
  const items = n.body.type === 'structure' || n.body.type === 'array' ? n.body.value : [n.body];
  const signature = bodySignature(n.body);
  const shaped = n.entries ? { shape: 'descriptor-entries' as const, positions: n.entries } : bodyPositions(n.body);
  const layout = findLayout(layouts, signature, items);
  const notes: string[] = [];
  const readings: ListenReading[] = [];
  const byAt = new Map(layout?.positions.map((p) => [p.at, p]));
  const consumed = new Set<number>();
  for (const p of layout?.positions ?? []) if (p.decode === 'time+date') consumed.add(p.at + 1);
  let unnamed = 0;
  let scalerless = false;
  for (const pos of shaped.positions) {
    if (consumed.has(pos.at)) continue;
    const lp = byAt.get(pos.at);
    if (pos.obis) {
      const r = named(pos, pos.obis, readAt);
      if (lp) {
        if (lp.obis !== pos.obis) notes.push(`layout ${layout!.name} names position ${pos.at} ${lp.obis}, the payload says ${pos.obis}: the payload wins`);
        else applyLayout(r, lp, pos, items);
      } else if (!pos.scalerUnit && integerText(pos.value) !== undefined) scalerless = true;
      readings.push(r);
      continue;
    }
    if (lp) {
      const r = named(pos, lp.obis, readAt);
      applyLayout(r, lp, pos, items);
      readings.push(r);
      continue;
    }
    unnamed++;
    readings.push({
      obis: `#${pos.at}`,
      address: `#${pos.at}`,
      value: valueText(pos.value, pushSetupName(pos)),
      unit: '',
      raw: rawText(pos.value),
      type: typeCode(pos.value),
      position: pos.at,
      readAt,
      source: 'dlms',
    });
  }
  if (scalerless) notes.push('values as sent: this push carries no scaler or unit for some values (the meter applies its register scalers)');
  const list: ListInfo = layout
    ? { id: `layout:${layout.name}`, signature, shape: shaped.shape, layout: { name: layout.name, operator: layout.operator, source: layout.source } }
    : { id: `sig:${signatureId(signature)}`, signature, shape: shaped.shape };
  return { readings, list, unnamed, notes };
}

/**
 * An IDIS push object list starts with the push setup's logical name ({Push setup, 0-x:25.9.0.255,
 * attribute 1}): a 6-byte octet string in the body's first position that reads as a push setup
 * code (C 25, D 9) is that logical name. Any other bare 6-byte octet string stays hex.
 */
function pushSetupName(pos: Position): boolean {
  const v: DlmsValue = pos.value;
  return pos.at === 1 && v.type === 'octet-string' && v.value.length === 12 && v.value.slice(4, 8) === '1909';
}

function named(pos: Position, obis: string, readAt: string): ListenReading {
  const raw = rawText(pos.value);
  const text = valueText(pos.value, pos.attribute === LOGICAL_NAME_ATTRIBUTE);
  const r: ListenReading = {
    obis,
    address: pos.attribute !== undefined ? `${obis}/${pos.attribute}` : obis,
    value: text,
    unit: '',
    position: pos.at,
    readAt,
    source: 'dlms',
  };
  if (pos.scalerUnit) {
    const isNumber = integerText(pos.value) !== undefined;
    r.scaler = pos.scalerUnit.scaler;
    r.unit = unitSymbol(pos.scalerUnit.unit);
    r.raw = raw;
    if (isNumber) r.value = scaleDecimal(raw, pos.scalerUnit.scaler);
  }
  return r;
}

function applyLayout(r: ListenReading, lp: Layout['positions'][number], pos: Position, items: readonly import('../dlms/axdr').DlmsValue[]): void {
  const isNumber = integerText(pos.value) !== undefined;
  if (isNumber && (lp.decode === undefined || lp.decode === 'number')) {
    const raw = integerText(pos.value)!;
    const scaler = lp.scaler ?? 0;
    r.raw = raw;
    r.scaler = scaler;
    r.value = scaleDecimal(raw, scaler);
  } else {
    const d = decodeAs(lp, pos.value, items[pos.at]);
    r.value = d.value;
    if (pos.value.type === 'octet-string') r.raw = pos.value.value;
  }
  if (lp.unit !== undefined) r.unit = lp.unit;
}
