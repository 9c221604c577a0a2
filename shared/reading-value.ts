/**
 * What a reading's value text holds as a number. Values are kept as the meter sent them (a
 * readout's ` -.--` placeholder stays `-.--`), so every consumer that computes with a value asks
 * here first: a placeholder, an empty group or a text is "no value".
 */

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/** The value as exact decimal text (trimmed, `- 12.5` → `-12.5`), or undefined when it holds no number. */
export function numericValue(value: string): string | undefined {
  const v = value.trim().replace(/^([+-])\s+(?=\d)/, '$1');
  return DECIMAL.test(v) ? v : undefined;
}

/**
 * A placeholder the meter sends for "no value": only dashes, dots and blanks with at least one
 * dash (`-.--`, `---.-`, `-`), or nothing at all.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return v === '' || (/^[-. ]*$/.test(v) && v.includes('-'));
}
