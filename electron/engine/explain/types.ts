/**
 * The shape of an explanation: a tree of layers, outermost first (HDLC frame → LLC → ciphering →
 * APDU → data), each with the fields it carries and a verdict. Text is given in English and
 * French so the CLI and the app can show it in the user's language.
 */

export interface Text {
  en: string;
  fr: string;
}

export type Verdict =
  /** Checked and whole. */
  | { ok: true; note?: Text }
  /** What is wrong, and at which byte when that is known. */
  | { ok: false; problem: Text; at?: number };

export interface Field {
  name: string;
  value: string;
}

export interface Layer {
  /** Short layer name: `HDLC`, `LLC`, `general-glo-ciphering`, `GET.response`, `data` … */
  layer: string;
  /** One line: what this is. */
  summary: string;
  verdict: Verdict;
  fields: Field[];
  /** The layer inside this one (an APDU in a frame, a value in a response). */
  inner?: Layer[];
  /** For data: the value as a tree (type, value, children). */
  data?: DataNode;
}

export interface DataNode {
  type: string;
  /** The value as text (numbers exact, strings quoted, octet strings as hex with a reading). */
  value?: string;
  /** A reading of the value: the OBIS name of a logical name, a date-time, text. */
  meaning?: string;
  children?: DataNode[];
}

export const t = (en: string, fr: string): Text => ({ en, fr });
export const ok = (note?: Text): Verdict => (note ? { ok: true, note } : { ok: true });
export const bad = (problem: Text, at?: number): Verdict => (at === undefined ? { ok: false, problem } : { ok: false, problem, at });
export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
