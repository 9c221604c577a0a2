/**
 * Display formatting in the UI locale. Values read from a meter are exact decimal text: they are
 * never parsed to a float for display — the locale's decimal mark is put into the text, so every
 * digit (leading zeros included) is shown as the meter sent it.
 */
import type { UiLang } from './i18n';

/** The BCP 47 locale for Intl: the system locale when it matches the UI language, else the language. */
export function intlLocale(lang: UiLang, system: string = typeof navigator === 'undefined' ? lang : navigator.language): string {
  return system.toLowerCase().startsWith(lang) ? system : lang === 'fr' ? 'fr-FR' : 'en-GB';
}

const markCache = new Map<string, string>();
/** The decimal mark of a locale (`.` or `,`), from Intl. */
export function decimalMark(locale: string): string {
  let mark = markCache.get(locale);
  if (mark === undefined) {
    mark = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
    markCache.set(locale, mark);
  }
  return mark;
}

const EXACT_DECIMAL = /^([+-]?\d+)\.(\d+)$/;

/**
 * An exact value for display: `012345.678` → `012345,678` in French. Only the decimal mark
 * changes; anything that is not a plain decimal number (text, dates, `B31`) is shown as is.
 */
export function displayExact(value: string, locale: string): string {
  const m = EXACT_DECIMAL.exec(value);
  if (!m) return value;
  return `${m[1]}${decimalMark(locale)}${m[2]}`;
}

/** A count or measure computed by the app (not a meter value): Intl formatting is fine. */
export function formatCount(n: number, locale: string, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale, options).format(n);
}

export function formatPercent(ratio: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
}

export function formatBytes(bytes: number, locale: string): string {
  if (bytes < 1024) return `${formatCount(bytes, locale)} B`;
  if (bytes < 1024 * 1024) return `${formatCount(bytes / 1024, locale, { maximumFractionDigits: 1 })} kB`;
  return `${formatCount(bytes / (1024 * 1024), locale, { maximumFractionDigits: 1 })} MB`;
}

const ISO_LIKE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * An ISO time in the UI locale, unambiguous in both languages: the month is a word, the year has
 * four digits and the hours run 00–23 (`3 Dec 2026, 01:35:41`, `3 déc. 2026, 01:35:41`); other text
 * is shown as is.
 */
export function formatDateTime(text: string | undefined, locale: string, withSeconds = true): string {
  if (!text) return '';
  if (!ISO_LIKE.test(text)) return text;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return text;
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' as const } : {}),
    hourCycle: 'h23',
  }).format(ms);
}

const groupCache = new Map<string, string>();
/** The digit-group separator of a locale (`,` in English, a narrow no-break space in French). */
export function groupMark(locale: string): string {
  let mark = groupCache.get(locale);
  if (mark === undefined) {
    mark = new Intl.NumberFormat(locale).formatToParts(12345).find((p) => p.type === 'group')?.value ?? ',';
    groupCache.set(locale, mark);
  }
  return mark;
}

/** Units shown with the k prefix (energy and power), and the number of decimals kept at least. */
const KILO: Record<string, { unit: string; shift: number }> = {
  Wh: { unit: 'kWh', shift: -3 },
  kWh: { unit: 'kWh', shift: 0 },
  MWh: { unit: 'kWh', shift: 3 },
  varh: { unit: 'kvarh', shift: -3 },
  kvarh: { unit: 'kvarh', shift: 0 },
  VAh: { unit: 'kVAh', shift: -3 },
  kVAh: { unit: 'kVAh', shift: 0 },
  W: { unit: 'kW', shift: -3 },
  kW: { unit: 'kW', shift: 0 },
  var: { unit: 'kvar', shift: -3 },
  kvar: { unit: 'kvar', shift: 0 },
  VA: { unit: 'kVA', shift: -3 },
  kVA: { unit: 'kVA', shift: 0 },
};
const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** Moves the decimal point of exact decimal digits by `shift` places (no float on the way). */
function shiftDecimal(int: string, frac: string, shift: number): [string, string] {
  const digits = int + frac;
  let point = int.length + shift;
  let all = digits;
  if (point < 0) {
    all = '0'.repeat(-point) + all;
    point = 0;
  }
  if (point > all.length) all = all + '0'.repeat(point - all.length);
  return [all.slice(0, point) || '0', all.slice(point)];
}

export interface MeterQuantity {
  /** The value as shown: one unit per kind, digits grouped, the locale's decimal mark. */
  value: string;
  unit: string;
  /** The meter's own text (value and unit as sent), for a tooltip or a second line. */
  meter: string;
  /** True when the shown text differs from the meter's. */
  converted: boolean;
}

/**
 * A meter value for display, the same way whichever protocol read it: energy in kWh (kvarh, kVAh)
 * and power in kW (kvar, kVA) with at least 3 decimals, other quantities with the decimals sent;
 * leading zeros dropped and digits grouped. Only the decimal point moves: every digit the meter
 * sent is kept. Anything that is not a plain decimal number is shown as is.
 */
export function meterQuantity(value: string, unit: string, locale: string): MeterQuantity {
  const meter = unit ? `${value} ${unit}` : value;
  const m = DECIMAL.exec(value.trim());
  if (!m) return { value: displayExact(value, locale), unit, meter, converted: false };
  const kilo = KILO[unit];
  let [int, frac] = kilo ? shiftDecimal(m[2]!, m[3] ?? '', kilo.shift) : [m[2]!, m[3] ?? ''];
  if (kilo && frac.length < 3) frac = frac.padEnd(3, '0');
  int = int.replace(/^0+(?=\d)/, '');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, groupMark(locale));
  const sign = m[1] === '-' && /[1-9]/.test(int + frac) ? '-' : '';
  const shown = `${sign}${grouped}${frac ? decimalMark(locale) + frac : ''}`;
  const shownUnit = kilo?.unit ?? unit;
  return { value: shown, unit: shownUnit, meter, converted: `${shown} ${shownUnit}` !== meter };
}

/** A time of day with milliseconds, for the frame trace. */
export function formatClock(text: string, locale: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return text;
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23' }).format(ms);
}

/** `YYYY-MM-DD` of a date in local time (for date inputs). */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A date input's day → the ISO instant of its local midnight (with `endOfDay`, the next midnight). */
export function dayToIso(day: string, endOfDay = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (endOfDay ? 1 : 0));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The CSV dialect to ask for: `auto` follows the UI language (French: semicolon + decimal comma). */
export function concreteDialect(d: 'auto' | 'comma-dot' | 'semicolon-comma', lang: UiLang): 'comma-dot' | 'semicolon-comma' {
  if (d !== 'auto') return d;
  return lang === 'fr' ? 'semicolon-comma' : 'comma-dot';
}
