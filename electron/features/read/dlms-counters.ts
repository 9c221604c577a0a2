/**
 * The invocation counter of an HLS-GMAC association, found before the AARQ: read with the public
 * client (SAP 16, no authentication) from the object the caller names, else from where meters
 * usually keep it — 0-0:43.1.<client SAP> (IDIS: one counter object per client; the E450's
 * management client 1 at 0-0:43.1.1) and 0-0:43.1.0 (Gurux's example server) — together with the
 * serial number that identifies the meter in the counter store.
 *
 * Every candidate is read in one visit; the highest value read wins (a counter ahead of the
 * meter's is always accepted, one behind never), and the association uses it + 1. When none can be
 * read, the counter stored for this meter, client and key is used; with neither, a typed error
 * says where it looked.
 */
import { OmrError, type ErrorCode } from '../../../shared/errors';
import { Data } from '../../engine/cosem/registry';
import { integerText, type DlmsValue } from '../../engine/dlms/axdr';
import { formatObis, parseObis } from '../../engine/dlms/obis-code';

/** The part of a session the pre-read needs (DlmsSession fits). */
export interface CounterReader {
  get(
    requests: { classId: number; obis: string; attribute: number }[],
  ): Promise<({ ok: true; value: DlmsValue } | { ok: false; error: { code: ErrorCode; detail?: string; message?: string } })[]>;
}

export const SERIAL_OBIS = '0-0:96.1.0*255';

/** Where to look for the counter of this client, in order (the named object alone when given). */
export function counterCandidates(clientSap: number, named?: string): string[] {
  if (named) {
    let ln: string;
    try {
      ln = formatObis(parseObis(named));
    } catch (e) {
      throw new OmrError('INVALID_REQUEST', `invocation counter object ${named}: ${(e as Error).message}`);
    }
    return [ln];
  }
  return [...new Set([`0-0:43.1.${clientSap}*255`, '0-0:43.1.0*255'])];
}

export interface CounterPreRead {
  serial?: string;
  /** The highest counter value read, and where. */
  read?: { value: number; obis: string };
  /** What each candidate answered (for the note or the error). */
  tried: { obis: string; outcome: string; code?: ErrorCode }[];
}

const text = (v: DlmsValue | undefined): string | undefined => {
  if (!v) return undefined;
  if (v.type === 'visible-string' || v.type === 'utf8-string') return v.value;
  if (v.type === 'octet-string') return Buffer.from(v.value, 'hex').toString('latin1');
  return integerText(v);
};

/** Read the serial number and every candidate counter object in one go. */
export async function preReadCounter(session: CounterReader, candidates: readonly string[]): Promise<CounterPreRead> {
  const results = await session.get([
    { classId: Data.id, obis: SERIAL_OBIS, attribute: Data.attr.value },
    ...candidates.map((obis) => ({ classId: Data.id, obis, attribute: Data.attr.value })),
  ]);
  const out: CounterPreRead = { tried: [] };
  const sn = results[0];
  if (sn?.ok) {
    const s = text(sn.value);
    if (s) out.serial = s;
  }
  candidates.forEach((obis, i) => {
    const r = results[i + 1];
    if (!r) return void out.tried.push({ obis, outcome: 'no answer' });
    if (!r.ok) return void out.tried.push({ obis, outcome: r.error.detail ?? r.error.message ?? r.error.code, code: r.error.code });
    const n = integerText(r.value);
    const value = n === undefined ? NaN : Number(n);
    if (!Number.isSafeInteger(value) || value < 0 || value > 0xffffffff)
      return void out.tried.push({ obis, outcome: `not a counter (${r.value.type})`, code: 'DECODE_ERROR' });
    out.tried.push({ obis, outcome: String(value) });
    if (!out.read || value > out.read.value) out.read = { value, obis };
  });
  return out;
}

/** The counter to start the association with, or the error that says why there is none. */
export function chooseCounter(pre: CounterPreRead, stored: number | undefined): { counter: number; note: string } {
  if (pre.read) {
    const fromMeter = pre.read.value + 1;
    if (stored !== undefined && stored > fromMeter)
      return {
        counter: stored,
        note: `invocation counter read with the public client at ${pre.read.obis}: ${pre.read.value}; the stored one for this meter, client and key is higher: ${stored}`,
      };
    return { counter: fromMeter, note: `invocation counter read with the public client at ${pre.read.obis}: ${pre.read.value}` };
  }
  const where = pre.tried.map((t) => `${t.obis} (${t.outcome})`).join(', ');
  if (stored !== undefined)
    return {
      counter: stored,
      note: `invocation counter not readable with the public client (${where}): the one stored for this meter, client and key is used: ${stored}`,
    };
  const code = pre.tried.find((t) => t.code)?.code ?? 'DLMS_ERROR';
  throw new OmrError(
    code,
    `invocation counter: not readable with the public client at ${where}, and none stored for this meter, client and key; name the object that holds it (omr read --counter-obis, or the meter profile's counter object)`,
  );
}
