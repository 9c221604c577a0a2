/**
 * The renderer's i18next reads the shared catalogue: `{name}` placeholders are filled, plural
 * forms are picked from `count`, and both languages answer the same keys.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../shared/i18n';

type I18n = typeof import('i18next').default;
let i18n: I18n;

beforeAll(async () => {
  // i18n.ts reads the browser's language when it is loaded.
  if (typeof globalThis.navigator === 'undefined') Object.defineProperty(globalThis, 'navigator', { value: { language: 'en-GB' }, configurable: true });
  i18n = (await import('../../../renderer/src/i18n')).default;
  await new Promise<void>((done) => (i18n.isInitialized ? done() : i18n.on('initialized', () => done())));
});

describe('renderer i18n', () => {
  it('fills {name} placeholders in both languages, as the shared t() does', async () => {
    await i18n.changeLanguage('en');
    expect(i18n.t('nav.stepOf', { n: 2, total: 5 })).toBe('Step 2 of 5');
    expect(i18n.t('port.selected', { path: '/dev/ttyUSB0' })).toBe(t('en', 'ui.port.selected', { path: '/dev/ttyUSB0' }));
    await i18n.changeLanguage('fr');
    expect(i18n.t('port.selected', { path: 'COM3' })).toBe(t('fr', 'ui.port.selected', { path: 'COM3' }));
    expect(i18n.t('port.selected', { path: 'COM3' })).toContain('COM3');
  });

  it('picks plural forms from count', async () => {
    await i18n.changeLanguage('en');
    expect(i18n.t('read.done', { count: 1 })).toBe('Done: 1 reading saved.');
    expect(i18n.t('read.done', { count: 3 })).toBe('Done: 3 readings saved.');
    await i18n.changeLanguage('fr');
    expect(i18n.t('read.done', { count: 3 })).toBe(t('fr', 'ui.read.done', { count: 3 }));
  });

  it('does not escape what it interpolates (React does)', async () => {
    await i18n.changeLanguage('en');
    expect(i18n.t('port.selected', { path: '<tcp://a&b>' })).toBe('Selected: <tcp://a&b>');
  });
});
