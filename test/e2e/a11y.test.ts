/**
 * Accessibility of every step and dialog, in English and French, in Debian's Chromium against the
 * real services and the demo meter: axe-core (WCAG 2.1 A and AA rules) runs on each view, the
 * result is written to docs/a11y-report.md and docs/a11y-report.json, and the test fails on any
 * serious or critical violation. With OMR_SCREENSHOTS=1 (`npm run screenshots`) each view is also
 * saved to docs/screenshots/<view>-<lang>.png (a 1366 × 768 window, the whole page).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { chromiumSuite, openApp } from '../support/browser';
import { testServices } from '../support/services';

const suite = chromiumSuite();
const SHOTS = process.env.OMR_SCREENSHOTS === '1';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const h2 = (page: Page) => page.getByRole('heading', { level: 2 }).first().textContent();

interface ViewResult {
  view: string;
  lang: 'en' | 'fr';
  passes: number;
  violations: { id: string; impact: string; help: string; nodes: number; targets: string[] }[];
}
const results: ViewResult[] = [];

/** axe on what the page shows now; a screenshot of it when asked for. */
async function check(page: Page, view: string, lang: 'en' | 'fr') {
  // Nothing focused: the focus ring is not part of the picture.
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const axe = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  results.push({
    view,
    lang,
    passes: axe.passes.length,
    violations: axe.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      nodes: v.nodes.length,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    })),
  });
  if (SHOTS) await page.screenshot({ path: `docs/screenshots/${view}-${lang}.png`, fullPage: true });
}

const serious = (r: ViewResult) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

function writeReport() {
  const rows = results.map((r) => {
    const count = (impact: string) => r.violations.filter((v) => v.impact === impact).length;
    return `| ${r.view} | ${r.lang} | ${count('critical')} | ${count('serious')} | ${count('moderate')} | ${count('minor')} | ${r.passes} |`;
  });
  const details = results
    .filter((r) => r.violations.length)
    .flatMap((r) => [
      `### ${r.view} (${r.lang})`,
      '',
      ...r.violations.map(
        (v) => `- **${v.impact}** \`${v.id}\`: ${v.help} (${v.nodes} element${v.nodes === 1 ? '' : 's'}: ${v.targets.map((t) => `\`${t}\``).join(', ')})`,
      ),
      '',
    ]);
  const md = [
    '# Accessibility report',
    '',
    'Written by `test/e2e/a11y.test.ts` (axe-core through @axe-core/playwright, rules tagged ' +
      TAGS.join(', ') +
      '), run on every step and dialog of the wizard against the demo meter, in Chromium at 1366 × 768.',
    'The test fails on any serious or critical violation.',
    '',
    '| View | Language | Critical | Serious | Moderate | Minor | Rules passed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...(details.length ? ['## Violations', '', ...details] : ['No violation found.', '']),
  ].join('\n');
  writeFileSync('docs/a11y-report.md', md);
  writeFileSync('docs/a11y-report.json', JSON.stringify({ tool: 'axe-core', tags: TAGS, views: results }, null, 2) + '\n');
}

const TEXT = {
  en: { locale: 'en-GB', headings: ['Choose the port', 'Align the head', 'Identify the meter', 'Read the meter', 'Review and export'] },
  fr: { locale: 'fr-FR', headings: ['Choisir le port', 'Aligner la tête', 'Identifier le compteur', 'Lire le compteur', 'Bilan et export'] },
} as const;

describe('accessibility of every step and dialog (axe-core)', () => {
  afterAll(() => {
    if (results.length) writeReport();
  });

  for (const lang of ['en', 'fr'] as const) {
    it(`has no serious or critical violation (${lang})`, async () => {
      const t = TEXT[lang];
      const services = testServices({ targets: { virtualMeter: { pace: false, reactionMs: 450 } }, alignGapMs: 50, locale: t.locale });
      const app = await openApp(suite.browser, suite.url, services, { locale: t.locale });
      const { page } = app;
      await page.setViewportSize({ width: 1366, height: 768 });
      await expect.poll(() => h2(page)).toBe(t.headings[0]);
      await page.getByTestId('port-virtual:e450').click();
      await check(page, 'port', lang);

      await page.getByTestId('nav-next').click();
      await expect.poll(() => page.getByTestId('align-hint').getAttribute('data-state'), { timeout: 30_000 }).toBe('steady');
      await check(page, 'align', lang);

      await page.getByTestId('nav-next').click();
      await expect.poll(() => page.getByTestId('identity-maker').textContent(), { timeout: 30_000 }).toBe('Landis+Gyr (LGZ)');
      await page.getByTestId('protocol-dlms').check();
      await page.getByTestId('read-profile').selectOption('e450-reading');
      await check(page, 'identify', lang);

      await page.getByTestId('nav-next').click();
      await expect.poll(() => h2(page)).toBe(t.headings[3]);
      await page.getByTestId('protocol-readout').check();
      await page.getByTestId('plan-readout').click();
      await page.getByTestId('read-start').click();
      await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
      await check(page, 'read', lang);

      // The load profile's dates refused in the app's language.
      await page.getByTestId('plan-profile').click();
      await page.getByTestId('range-from').fill('');
      await page.getByTestId('read-start').click();
      await page.getByTestId('range-problem').waitFor();
      await check(page, 'read-dates', lang);
      await page.getByTestId('plan-readout').click();

      await page.getByTestId('mode-monitor').click();
      await check(page, 'read-monitor', lang);
      await page.getByTestId('mode-read').click();

      await page.getByTestId('nav-next').click();
      await expect.poll(() => h2(page)).toBe(t.headings[4]);
      await page.getByTestId('readings-table').waitFor();
      await check(page, 'review', lang);

      await page.getByTestId('open-sessions').click();
      await page.getByTestId('dialog-sessions').waitFor();
      await check(page, 'sessions', lang);
      await page.keyboard.press('Escape');
      await page.getByTestId('open-settings').click();
      await page.getByTestId('dialog-settings').waitFor();
      await check(page, 'settings', lang);
      await page.keyboard.press('Escape');

      // An error as shown on a step: a hand-typed port that does not exist.
      await page.getByRole('tab').nth(0).click();
      await page.locator('#manual-port').fill('/dev/omr-no-such-port');
      await page.locator('#manual-port').press('Enter');
      await page.getByRole('tab').nth(1).click();
      await page.getByRole('alert').waitFor();
      await check(page, 'align-error', lang);

      expect(app.errors).toEqual([]);
      await app.close();
      await services.dispose();
      const bad = results.filter((r) => r.lang === lang).flatMap((r) => serious(r).map((v) => `${r.view}: ${v.impact} ${v.id} (${v.targets.join(', ')})`));
      expect(bad).toEqual([]);
    });
  }
});
