/**
 * What the association lets this client read, from its object list (Association LN, attribute 2
 * of 0-0:40.0.0): the objects listed and the access mode of each attribute. A meter shows each
 * client only the objects it may use (the E450's public client sees its logical device name,
 * serial number, firmware, clock, invocation counter and the association itself), so a plan
 * need not ask for what the list leaves out.
 */
import { OmrError, toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import { decodeObjectList, type ObjectListEntry } from '../../engine/cosem/classes';
import { AssociationLn } from '../../engine/cosem/registry';
import { formatObis, parseObis } from '../../engine/dlms/obis-code';
import { endsSession, type DlmsSession } from './dlms-session';

/** Attribute access modes that allow a read (Blue Book: read-only, read-write, authenticated read, authenticated read-write). */
const READABLE = new Set([1, 3, 4, 6]);
export const CURRENT_ASSOCIATION = '0-0:40.0.0*255';

/** A reader of the object list: an attribute is readable when its object is listed with read access. */
export function visibilityOf(entries: ObjectListEntry[]): (obis: string, attribute: number) => boolean {
  const byLn = new Map(entries.map((e) => [e.logicalName, e]));
  return (obis, attribute) => {
    let ln: string;
    try {
      ln = formatObis(parseObis(obis));
    } catch {
      return true; // not an OBIS code we can look up: asked, and the meter answers
    }
    const e = byLn.get(ln);
    if (!e) return false;
    // An entry without access rights says nothing about its attributes: try.
    if (!e.attributes.length) return true;
    const a = e.attributes.find((x) => x.id === attribute);
    return a === undefined ? false : READABLE.has(a.access);
  };
}

/**
 * Read the current association's object list. Undefined (and the reason) when the meter refuses
 * it or it does not decode: then every object is asked for and the meter's answer is reported.
 * Throws the error that ended the session.
 */
export async function readVisibility(
  session: DlmsSession,
): Promise<{ visible?: (obis: string, attribute: number) => boolean; entries?: number; failure?: ErrorInfo }> {
  const [r] = await session.get([{ classId: AssociationLn.id, obis: CURRENT_ASSOCIATION, attribute: AssociationLn.attr.object_list }]);
  if (!r) return {};
  if (!r.ok) {
    if (endsSession(r.error.code)) throw session.failure ?? new OmrError(r.error.code, r.error.detail);
    return { failure: r.error };
  }
  try {
    const entries = decodeObjectList(r.value);
    return { visible: visibilityOf(entries), entries: entries.length };
  } catch (e) {
    return { failure: toErrorInfo(e instanceof OmrError ? e : new OmrError('DECODE_ERROR', `${CURRENT_ASSOCIATION} object_list: ${String(e)}`)) };
  }
}
