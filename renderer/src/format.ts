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

/** An ISO time in the UI locale (date and time to the second); other text is shown as is. */
export function formatDateTime(text: string | undefined, locale: string): string {
  if (!text) return '';
  if (!ISO_LIKE.test(text)) return text;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return text;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }).format(ms);
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
