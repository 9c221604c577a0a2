/**
 * OBIS address normalisation: the many spellings meters use in IEC 62056-21 readouts
 * (`1.8.0`, `32.7`, `1.8.1*12`, `0.1.0&12`, `C.1.0`, `F.F`, `1-0:1.8.0*255`, `0-0:F.F.0*255`) →
 * the six-group form `A-B:C.D.E*F` used for storage (IEC 62056-6-1 / Blue Book).
 *
 * Rules (documented because readouts leave groups out and the standard leaves choices open):
 * - Letters in value groups C and D are the IEC 62056-21 compatibility codes of IEC 62056-6-1
 *   (OBIS §"Abstract objects / letters"): `C` = 96 (general service entries), `F` = 97 (error
 *   messages), `L` = 98 (lists), `P` = 99 (data profiles). So `C.1.0` → `0-0:96.1.0*255`
 *   (device ID 1, the serial number L+G readouts show) and `F.F` → `0-0:97.97.0*255` (error
 *   register), the same logical names DLMS meters use for those objects.
 * - Missing group A: 0 (abstract) when C is 96, 97 or 98; otherwise 1 (electricity), including
 *   C = 0 (`0.9.1` local time → `1-0:0.9.1*255`, `0.2.0` firmware → `1-0:0.2.0*255`) and
 *   C = 99 (`P.01` load profile → `1-0:99.1.0*255`), as in shared/obis-table.ts.
 * - Missing group B: 0. Missing group E (`32.7`): 0.
 * - Group F: the history suffix `*NN` or `&NN` (billing period: `*` periodic reset, `&` the
 *   other reset kind on L+G meters) when it is 0..254; 255 when there is none. A suffix that
 *   does not fit (`*1000`) or any group above 255 gives undefined: the caller keeps the address.
 * - Six dotted numbers `1.0.1.8.0.255` (the DLMS logical-name spelling) are accepted as is.
 * Anything else (manufacturer text, noise) → undefined.
 */

export interface ObisParts {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
  /** The history suffix as written after the address (`12` for `*12`, `&12` for `&12`). */
  history?: string;
}

const LETTER: Readonly<Record<string, number>> = { C: 96, F: 97, L: 98, P: 99 };

function group(s: string | undefined, letters: boolean): number | undefined {
  if (s === undefined) return undefined;
  if (letters && s in LETTER) return LETTER[s];
  if (!/^\d{1,3}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 255 ? n : undefined;
}

// [A-]?[B:]?C.D[.E][*F|&F]
const SHORT_OR_FULL = /^(?:(\d{1,3})-)?(?:(\d{1,3}):)?(\d{1,3}|[CFLP])\.(\d{1,3}|[CFLP])(?:\.(\d{1,3}))?(?:([*&])(\d{1,4}))?$/;
const DOTTED_SIX = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The six groups of an address, or undefined when it has no OBIS form. */
export function parseObisAddress(address: string): ObisParts | undefined {
  const s = address.trim();
  const six = DOTTED_SIX.exec(s);
  if (six) {
    const g = six.slice(1, 7).map((x) => group(x, false));
    if (g.some((x) => x === undefined)) return undefined;
    const [a, b, c, d, e, f] = g as number[];
    return { a: a!, b: b!, c: c!, d: d!, e: e!, f: f! };
  }
  const m = SHORT_OR_FULL.exec(s);
  if (!m) return undefined;
  const c = group(m[3], true);
  const d = group(m[4], true);
  const e = m[5] === undefined ? 0 : group(m[5], false);
  if (c === undefined || d === undefined || e === undefined) return undefined;
  const a = m[1] === undefined ? (c >= 96 && c <= 98 ? 0 : 1) : group(m[1], false);
  const b = m[2] === undefined ? 0 : group(m[2], false);
  if (a === undefined || b === undefined) return undefined;
  let f = 255;
  let history: string | undefined;
  if (m[7] !== undefined) {
    const n = Number(m[7]);
    if (n > 255) return undefined;
    f = n;
    if (n !== 255) history = m[6] === '&' ? `&${m[7]}` : m[7];
  }
  const parts: ObisParts = { a, b, c, d, e, f };
  if (history !== undefined) parts.history = history;
  return parts;
}

export function formatObis(p: ObisParts): string {
  return `${p.a}-${p.b}:${p.c}.${p.d}.${p.e}*${p.f}`;
}

/** `1.8.0` → `1-0:1.8.0*255`; undefined when the address has no OBIS form. */
export function normaliseObis(address: string): string | undefined {
  const p = parseObisAddress(address);
  return p ? formatObis(p) : undefined;
}
