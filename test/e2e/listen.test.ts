/**
 * The customer-port view in Debian's Chromium against the real services and the built-in
 * virtual P1 meter (every third telegram with a bad CRC): telegrams seen live, the bad one
 * flagged with its layer and remedy and its values not shown, listening going on after it, the
 * list's values always from a good telegram, the session saved, its pushes exported to CSV, and
 * the session reopened from Sessions;
 * both languages, screenshots into docs/screenshots/listen-{en,fr}.png.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chromiumSuite, openApp } from '../support/browser';
import { testServices } from '../support/services';

const SHOTS = 'docs/screenshots';
const suite = chromiumSuite();

const T = {
  en: {
    locale: 'en-GB',
    title: 'Listen to the customer port',
    crc: 'CRC mismatch',
    header: 'Time,List,Verdict,OBIS,Value,Unit',
    bad: ',bad (crc-bad),,,',
    good: ',good,',
  },
  fr: {
    locale: 'fr-FR',
    title: 'Écouter le port client',
    crc: 'CRC incorrect',
    header: 'Heure;Liste;Verdict;OBIS;Valeur;Unité',
    bad: ';mauvais (crc-bad);;;',
    good: ';bon;',
  },
} as const;

async function listenFlow(lang: 'en' | 'fr') {
  const t = T[lang];
  const s = testServices({ targets: { p1Meter: { intervalMs: 300, faults: ['bad-crc'] } } });
  const app = await openApp(suite.browser, suite.url, s, { locale: t.locale });
  const { page } = app;
  try {
    await page.getByTestId('open-listen').click();
    const view = page.getByTestId('dialog-listen');
    await expect.poll(() => view.getByRole('heading', { level: 2 }).textContent()).toBe(t.title);
    expect(await page.getByTestId('listen-port').inputValue()).toBe('virtual:p1');
    expect(await page.getByTestId('listen-line').inputValue()).toBe('p1');
    await page.getByTestId('listen-start').click();

    // Telegrams arrive live; the second one has a bad CRC: flagged, no value shown.
    const rows = page.getByTestId('listen-frame');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    const bad = page.locator('[data-testid="listen-frame"][data-layer="crc-bad"]').first();
    expect(await bad.getAttribute('data-status')).toBe('bad');
    expect(await bad.getAttribute('data-values')).toBe('0');
    expect(await bad.textContent()).toContain(t.crc);
    expect(await bad.getByTestId('listen-unchecked').count()).toBe(1);
    const badN = Number(await bad.getAttribute('data-n'));
    // Listening goes on: good telegrams after the bad one.
    await expect
      .poll(async () => Number(await page.locator('[data-testid="listen-frame"][data-status="good"]').first().getAttribute('data-n')), { timeout: 10_000 })
      .toBeGreaterThan(badN);

    // One meter, one list; its values come from a good telegram only.
    expect(await page.locator('[data-testid^="listen-list-"][data-list-id]').count()).toBe(1);
    const card = page.getByTestId('listen-list-0');
    expect(await card.getAttribute('data-list-id')).toMatch(/^p1:/);
    const powerCell = card.locator('tr[data-obis^="1-0:1.7.0"] td.num');
    const shown = (await powerCell.textContent())!.replace(',', '.');
    const counts = page.getByTestId('listen-counts');
    expect(Number(await counts.getAttribute('data-bad'))).toBeGreaterThanOrEqual(1);
    expect(Number(await counts.getAttribute('data-good'))).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: `${SHOTS}/listen-${lang}.png`, fullPage: true });

    await page.getByTestId('listen-stop').click();
    await expect.poll(() => page.getByTestId('listen-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('ended');
    const sessions = s.sessions.list();
    expect(sessions.length).toBe(1);
    const session = s.sessions.load(sessions[0]!.id);
    expect(session.state).toBe('done');
    expect(sessions[0]!.pushCount).toBe(session.pushes!.length);
    // The value on screen was a good telegram's.
    const withShown = session.pushes!.filter((f) => f.values.some((v) => v.obis.startsWith('1-0:1.7.0') && v.value === shown));
    expect(withShown.length).toBeGreaterThanOrEqual(1);
    expect(withShown.every((f) => f.verdict.status === 'good')).toBe(true);

    // Export the pushes.
    await page.getByTestId('export-pushes').click();
    await page.getByTestId('export-result').waitFor();
    const path = (await page.getByTestId('export-path').textContent())!;
    expect(path).toMatch(/-pushes\.csv$/);
    const csv = readFileSync(path, 'utf8').split('\r\n');
    expect(csv[0]).toBe(`\ufeff${t.header}`);
    const badFrames = session.pushes!.filter((f) => f.verdict.status === 'bad').length;
    expect(csv.filter((r) => r.endsWith(t.bad)).length).toBe(badFrames);
    const goodValues = session.pushes!.filter((f) => f.verdict.status === 'good').reduce((n, f) => n + f.values.length, 0);
    expect(csv.filter((r) => r.includes(t.good)).length).toBe(goodValues);

    // Listed and reopened like any session: the review shows its lists and every frame.
    await view.getByRole('button', { name: /Close|Fermer/ }).click();
    await page.getByTestId('open-sessions').click();
    await page.getByTestId(`session-${session.id}`).getByRole('button').first().click();
    const reopened = page.getByTestId('listen-session');
    await reopened.waitFor();
    expect(Number(await reopened.getAttribute('data-frames'))).toBe(session.pushes!.length);
    expect(await reopened.locator('[data-testid="listen-frame"][data-layer="crc-bad"]').count()).toBe(badFrames);
    expect(await reopened.locator('[data-testid^="listen-list-"][data-list-id]').count()).toBe(1);
    expect(await page.getByTestId('export-pushes').isEnabled()).toBe(true);
    expect(app.errors).toEqual([]);
  } finally {
    await app.close();
    await s.dispose();
  }
}

describe('customer-port view (Chromium)', () => {
  it('shows the P1 demo meter live, flags a bad CRC, saves and exports (English)', () => listenFlow('en'), 60_000);
  it('the same in French', () => listenFlow('fr'), 60_000);
});
