/**
 * Every text a technician reads, in English and French, in one catalogue of namespaced keys:
 * `ui.*` (the renderer, through i18next), `error.<CODE>.message|remedy` (shared/errors.ts),
 * `doctor.*` (the connection doctor and its report). Placeholders are `{name}`; a key with plural
 * forms has `_one` / `_other` variants and is looked up by its base with a numeric `count`.
 *
 * Pure: no I/O, nothing from either side.
 */
import { doctor as enDoctor } from './en/doctor';
import { errors as enErrors } from './en/errors';
import { ui as enUi } from './en/ui';
import { doctor as frDoctor } from './fr/doctor';
import { errors as frErrors } from './fr/errors';
import { ui as frUi } from './fr/ui';

export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];

const EN = { ...enUi, ...enErrors, ...enDoctor };
const FR_ALL = { ...frUi, ...frErrors, ...frDoctor };

type CatalogueKey = keyof typeof EN;
/** French has every English key (checked here) and no other (checked below and by the parity test). */
const FR: Record<CatalogueKey, string> = FR_ALL;
type ExtraFrench = Exclude<keyof typeof FR_ALL, CatalogueKey>;
const _noExtraFrench: [ExtraFrench] extends [never] ? true : ExtraFrench = true;

/** The catalogue, per language: full key → text. */
export const CATALOGUE: Record<Lang, Readonly<Record<CatalogueKey, string>>> = { en: EN, fr: FR };

type PluralBase<K> = K extends `${infer B}_one` ? B : never;
/** A key of the catalogue, or the base of a key with plural forms (`ui.read.count`). */
export type MessageKey = CatalogueKey | PluralBase<CatalogueKey>;

/** The same text in both languages. */
export type Texts = Record<Lang, string>;
/** A parameter: one value for both languages, or one per language. */
export type Param = string | number | Texts;
export type Params = Record<string, Param>;

const plurals = new Map<Lang, Intl.PluralRules>();
function pluralForm(lang: Lang, count: number): string {
  let rules = plurals.get(lang);
  if (!rules) plurals.set(lang, (rules = new Intl.PluralRules(lang)));
  return rules.select(count);
}

function lookup(lang: Lang, key: string, count: unknown): string | undefined {
  const table = CATALOGUE[lang] as Readonly<Record<string, string>>;
  const has = (k: string) => Object.prototype.hasOwnProperty.call(table, k);
  if (has(key)) return table[key];
  if (typeof count === 'number') {
    const form = `${key}_${pluralForm(lang, count)}`;
    if (has(form)) return table[form];
    if (has(`${key}_other`)) return table[`${key}_other`];
  }
  return undefined;
}

/** `{name}` → the parameter's text in `lang`; a placeholder without a parameter is left as is. */
export function interpolate(lang: Lang, text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const v = params[name]!;
    return typeof v === 'object' ? v[lang] : String(v);
  });
}

/** The text of `key` in `lang` (English when missing; the key itself when unknown). */
export function t(lang: Lang, key: MessageKey, params?: Params): string {
  const text = lookup(lang, key, params?.count) ?? lookup('en', key, params?.count) ?? key;
  return interpolate(lang, text, params);
}

/** The text of `key` in both languages. */
export function both(key: MessageKey, params?: Params): Texts {
  return { en: t('en', key, params), fr: t('fr', key, params) };
}

/** Texts joined per language, leaving out the missing and the empty ones (sentences: sep ' '). */
export function joinTexts(parts: readonly (Texts | undefined)[], sep = ' '): Texts {
  const pick = (lang: Lang) =>
    parts
      .map((p) => p?.[lang] ?? '')
      .filter((s) => s !== '')
      .join(sep);
  return { en: pick('en'), fr: pick('fr') };
}

/** The placeholders of a text, sorted (`{port}` → `port`). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

type Tree = { [k: string]: string | Tree };

/**
 * The `ui.*` texts of one language as i18next resources: the `ui.` prefix dropped, nested on the
 * dots (`ui.port.title` → `{ port: { title } }`). i18next is set to `{name}` placeholders.
 */
export function uiResources(lang: Lang): Tree {
  const root: Tree = {};
  for (const [key, text] of Object.entries(CATALOGUE[lang])) {
    if (!key.startsWith('ui.')) continue;
    const path = key.slice(3).split('.');
    let node = root;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (typeof next === 'string') throw new Error(`ui key ${key} is below a text`);
      node = next ?? (node[part] = {});
    }
    node[path[path.length - 1]!] = text;
  }
  return root;
}
