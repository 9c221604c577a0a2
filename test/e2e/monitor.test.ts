/**
 * Monitoring mode in Debian's Chromium against the real services and the demo meter: switch the
 * Read step to Monitor, start, watch the charts fill (points drawn, anomalies marked and listed),
 * read now, stop, export the polls and the anomalies; both languages, screenshots into
 * docs/screenshots/monitor-{en,fr}.png.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumSuite, openApp } from '../support/browser';
import { testServices } from '../support/services';

const SHOTS = 'docs/screenshots';
const suite = chromiumSuite();

const T = {
  en: {
    locale: 'en-GB',
    title: 'Monitor the meter',
    health: 'Connection good',
    rule: 'Voltage L1',
    header: 'PC time,OK,Reaction (ms),Poll time (ms),Voltage L1 (V)',
    anomalies: 'Time,Rule,Channel,Measured value,Threshold,Side,Unit',
  },
  fr: {
    locale: 'fr-FR',
    title: 'Surveiller le compteur',
    health: 'Liaison bonne',
    rule: 'Tension L1',
    header: 'Heure PC;OK;Temps de réaction (ms);Durée de l’interrogation (ms);Tension L1 (V)',
    anomalies: 'Heure;Règle;Voie;Valeur mesurée;Seuil;Sens;Unité',
  },
} as const;

const points = (page: Page, chart: string) => page.getByTestId(`monitor-chart-${chart}`).getAttribute('data-points').then(Number);

async function monitorFlow(lang: 'en' | 'fr') {
  const t = T[lang];
  // The demo meter shows a voltage swell on L1 in its 3rd and 4th readouts (one crossing).
  let readouts = 0;
  const s = testServices({
    targets: { virtualMeter: { pace: false, data: { overrides: () => (++readouts === 3 || readouts === 4 ? { '32.7.0': '262.0' } : undefined) } } },
  });
  s.settings.set({ baudSwitchDelayMs: 0 });
  const app = await openApp(suite.browser, suite.url, s, { locale: t.locale });
  const { page } = app;
  try {
    await page.getByTestId('port-virtual:e450').click();
    await page.locator('#tab-read').click();
    await page.getByTestId('mode-monitor').click();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe(t.title);
    await page.getByTestId('monitor-interval').selectOption('2');
    await page.getByTestId('monitor-start').click();

    // The charts fill as polls come ("read now" does not wait for the interval).
    await expect.poll(() => points(page, 'voltage'), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    for (let n = 2; n <= 5; n++) {
      await page.getByTestId('monitor-read-now').click();
      await expect.poll(() => points(page, 'voltage'), { timeout: 20_000 }).toBeGreaterThanOrEqual(n);
    }
    expect(await points(page, 'current')).toBeGreaterThanOrEqual(5);
    expect(await points(page, 'power')).toBeGreaterThanOrEqual(5);
    await expect.poll(() => page.getByTestId('monitor-health').textContent()).toContain(t.health);
    // One crossing, one anomaly: listed and marked on the voltage chart only.
    await expect.poll(() => page.getByTestId('monitor-anomalies').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('monitor-anomalies').locator('tbody tr').textContent()).toContain(t.rule);
    expect(await page.getByTestId('monitor-chart-voltage').getAttribute('data-marks')).toBe('1');
    expect(await page.getByTestId('monitor-chart-current').getAttribute('data-marks')).toBe('0');
    const canvas = await page.getByTestId('monitor-chart-voltage').locator('canvas').boundingBox();
    expect(canvas!.width).toBeGreaterThan(300);
    const polled = Number(await page.getByTestId('monitor-polls').textContent());
    expect(polled).toBeGreaterThanOrEqual(5);
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: `${SHOTS}/monitor-${lang}.png`, fullPage: true });

    await page.getByTestId('monitor-stop').click();
    await expect.poll(() => page.getByTestId('monitor-stats').getAttribute('data-health')).toBe('stopped');
    await page.getByTestId('export-polls').click();
    await page.getByTestId('export-result').waitFor();
    const csv = readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8').split('\r\n');
    const total = Number(await page.getByTestId('monitor-polls').textContent());
    expect(csv[0]!.startsWith(`\ufeff${t.header}`)).toBe(true);
    expect(csv.length).toBe(total + 2);
    await page.getByTestId('export-anomalies').click();
    await expect.poll(() => page.getByTestId('export-path').textContent()).toMatch(/-anomalies\.csv$/);
    const an = readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8').split('\r\n');
    expect(an[0]).toBe(`\ufeff${t.anomalies}`);
    expect(an.length).toBe(3);
    expect(app.errors).toEqual([]);
  } finally {
    await app.close();
    await s.dispose();
  }
}

describe('monitoring mode in the browser', () => {
  it('English: start, watch the charts fill, anomaly marked, stop, export', () => monitorFlow('en'));
  it('French: the same in French, with the French CSV dialect', () => monitorFlow('fr'));
});
