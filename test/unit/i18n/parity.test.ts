/**
 * The one text catalogue (shared/i18n): English and French have exactly the same keys, the same
 * placeholders per key, no empty or untrimmed text; every error code has its message and remedy;
 * the lookup interpolates, picks plural forms, and falls back as documented.
 */
import { describe, expect, it } from 'vitest';
import { doctor as enDoctor } from '../../../shared/i18n/en/doctor';
import { errors as enErrors } from '../../../shared/i18n/en/errors';
import { ui as enUi } from '../../../shared/i18n/en/ui';
import { doctor as frDoctor } from '../../../shared/i18n/fr/doctor';
import { errors as frErrors } from '../../../shared/i18n/fr/errors';
import { ui as frUi } from '../../../shared/i18n/fr/ui';
import { both, CATALOGUE, interpolate, joinTexts, placeholders, t, uiResources, type MessageKey } from '../../../shared/i18n';
import { ERROR_CODES, ERROR_TEXT, errorInfo } from '../../../shared/errors';

const NAMESPACES = {
  ui: [enUi, frUi],
  error: [enErrors, frErrors],
  doctor: [enDoctor, frDoctor],
} as const;

const EN = CATALOGUE.en as Readonly<Record<string, string>>;
const FR = CATALOGUE.fr as Readonly<Record<string, string>>;

describe('catalogue parity', () => {
  it('has exactly the same keys in English and French, in every namespace file', () => {
    for (const [ns, [en, fr]] of Object.entries(NAMESPACES)) {
      const enKeys = Object.keys(en);
      const frKeys = Object.keys(fr);
      expect(
        enKeys.filter((k) => !(k in fr)),
        `${ns}: only in English`,
      ).toEqual([]);
      expect(
        frKeys.filter((k) => !(k in en)),
        `${ns}: only in French`,
      ).toEqual([]);
      // Every key of a file is in its namespace, so the files cannot overwrite one another.
      expect(
        enKeys.filter((k) => !k.startsWith(`${ns}.`)),
        `${ns}: keys outside the namespace`,
      ).toEqual([]);
    }
    expect(Object.keys(EN).sort()).toEqual(Object.keys(FR).sort());
    const total = Object.values(NAMESPACES).reduce((n, [en]) => n + Object.keys(en).length, 0);
    expect(Object.keys(EN)).toHaveLength(total);
    expect(total).toBeGreaterThan(500);
  });

  it('has the same placeholders per key in both languages', () => {
    const diff = Object.keys(EN).filter((k) => JSON.stringify(placeholders(EN[k]!)) !== JSON.stringify(placeholders(FR[k]!)));
    expect(diff).toEqual([]);
  });

  it('has no empty or untrimmed text', () => {
    for (const [lang, table] of [
      ['en', EN],
      ['fr', FR],
    ] as const) {
      const bad = Object.entries(table)
        .filter(([, v]) => v.trim() === '' || v !== v.trim())
        .map(([k]) => `${lang}:${k}`);
      expect(bad).toEqual([]);
    }
  });

  it('gives plural forms in pairs', () => {
    for (const table of [EN, FR]) {
      const keys = Object.keys(table);
      const one = keys.filter((k) => k.endsWith('_one')).map((k) => k.slice(0, -4));
      const other = keys.filter((k) => k.endsWith('_other')).map((k) => k.slice(0, -6));
      expect(one.sort()).toEqual(other.sort());
    }
  });

  it('has a message and a remedy for every error code, and nothing else under error.*', () => {
    const expected = ERROR_CODES.flatMap((c) => [`error.${c}.message`, `error.${c}.remedy`]).sort();
    expect(Object.keys(enErrors).sort()).toEqual(expected);
    for (const code of ERROR_CODES) {
      expect(ERROR_TEXT[code].en.message).toBe(EN[`error.${code}.message`]);
      expect(ERROR_TEXT[code].fr.remedy).toBe(FR[`error.${code}.remedy`]);
    }
    expect(errorInfo('PORT_BUSY', 'COM3', 'fr')).toEqual({
      code: 'PORT_BUSY',
      message: FR['error.PORT_BUSY.message'],
      remedy: FR['error.PORT_BUSY.remedy'],
      detail: 'COM3',
    });
  });
});

describe('t()', () => {
  it('interpolates {name} once, per language when a parameter has both', () => {
    expect(t('en', 'doctor.open.serial', { port: '/dev/ttyUSB0' })).toBe('/dev/ttyUSB0 opened at 300 baud 7E1.');
    expect(t('fr', 'doctor.open.serial', { port: '/dev/ttyUSB0' })).toBe('/dev/ttyUSB0 ouvert à 300 bauds 7E1.');
    // A value that looks like a placeholder is not expanded again.
    expect(t('en', 'doctor.open.tcp', { port: '{port}' })).toBe('Connected to {port}.');
    expect(both('doctor.meter.offers', { modes: { en: 'A', fr: 'B' } })).toEqual({ en: 'Offers: A.', fr: 'Propose : B.' });
    expect(interpolate('en', 'x {missing} {n}', { n: 3 })).toBe('x {missing} 3');
  });

  it('picks the plural form from count', () => {
    expect(t('en', 'doctor.conflicts.unreadable', { count: 1 })).toBe('(1 process of other users could not be looked into.)');
    expect(t('en', 'doctor.conflicts.unreadable', { count: 2 })).toBe('(2 processes of other users could not be looked into.)');
    expect(t('en', 'ui.read.done', { count: 1 })).toBe(EN['ui.read.done_one']!.replace('{count}', '1'));
    expect(t('fr', 'ui.read.done', { count: 5 })).toBe(FR['ui.read.done_other']!.replace('{count}', '5'));
  });

  it('gives the key itself for an unknown key', () => {
    expect(t('fr', 'no.such.key' as MessageKey)).toBe('no.such.key');
  });

  it('joins texts per language, leaving the missing and empty ones out', () => {
    expect(joinTexts([{ en: 'a.', fr: 'b.' }, undefined, { en: '', fr: '' }, { en: 'c.', fr: 'd.' }])).toEqual({ en: 'a. c.', fr: 'b. d.' });
  });

  it('gives i18next the ui.* texts without the prefix, nested on the dots', () => {
    const res = uiResources('fr') as { port: { title: string }; read: { done_one: string } };
    expect(res.port.title).toBe(FR['ui.port.title']);
    expect(res.read.done_one).toBe(FR['ui.read.done_one']);
    const leaves = (tree: object): number => Object.values(tree).reduce((n: number, v) => n + (typeof v === 'string' ? 1 : leaves(v as object)), 0);
    expect(leaves(uiResources('en'))).toBe(Object.keys(enUi).length);
  });
});
