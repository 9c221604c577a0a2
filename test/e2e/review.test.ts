/**
 * The review of a session, in Chromium against the real renderer build and real services:
 * - a load profile: consumption per interval (bars) with the totals one click away, flags as
 *   marks and words (not a line), and the table of the intervals (as many rows as the session);
 * - a monitoring session reopened: its polls, anomalies and charts, as the live view had them;
 * - the frame trace: one row per frame or line (received chunks joined), decoded with a verdict;
 * - the sessions list: counts per kind, and an export for every part the session has.
 * Screenshots at 1366×768 in EN and FR go to docs/screenshots/.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Envelope } from '../../shared/contract';
import type { OperationEnded, ReadStarted, SessionData } from '../../shared/session';
import { chromiumSuite, openApp } from '../support/browser';
import { testServices } from '../support/services';

const suite = chromiumSuite();
type Services = ReturnType<typeof testServices>;

async function read(s: Services, request: object): Promise<SessionData> {
  let id = '';
  const seen: OperationEnded[] = [];
  const off = s.events.subscribe((c, p) => {
    if (c === 'operation:ended') seen.push(p as OperationEnded);
  });
  const env = (await s.dispatcher.dispatch('read:start', request, { client: 'test' })) as Envelope<ReadStarted>;
  if (!env.ok) throw new Error(env.error.code);
  id = env.value.operationId;
  await expect.poll(() => seen.find((e) => e.operationId === id)?.state, { timeout: 60_000 }).toBe('done');
  off();
  return s.sessions.read(env.value.sessionId);
}

/** A monitoring session as the monitor journals it: setup, polls, an anomaly, the end. */
function monitoringSession(s: Services): string {
  const j = s.sessions.create('Substation 4 monitoring', 'virtual:e450');
  const t0 = Date.now() - 60_000;
  const at = (k: number) => new Date(t0 + k * 5000).toISOString();
  j.append({ k: 'monitor', t: at(0), setup: { intervalS: 5, plan: 'instantaneous', protocol: 'dlms', rules: {} as never } });
  const volts = ['230.1', '229.8', '231.0', '195.2'];
  volts.forEach((u, k) =>
    j.append({
      k: 'poll',
      t: at(k + 1),
      ok: true,
      reactionMs: 180 + k,
      durationMs: 900,
      values: { U1: u, U2: '230.4', U3: '229.9', I1: '4.12', I2: '3.9', I3: '0.5', P: '2.1', Pexp: '0' },
    }),
  );
  j.append({
    k: 'anomaly',
    t: at(4),
    anomaly: { t: at(4), rule: 'voltage', channel: 'L1', quantity: 'U1', value: '195.2', threshold: '207', side: 'below', unit: 'V' } as never,
  });
  s.sessions.finish(j, 'done');
  return j.id;
}

async function openSession(page: Page, id: string): Promise<void> {
  await page.getByTestId('open-sessions').click();
  const row = page.getByTestId(`session-${id}`);
  await row.getByRole('button', { name: /^(Open|Ouvrir)$/ }).click();
  await page.getByTestId(`session-${id}`).waitFor({ state: 'detached' });
}

describe('review: profile, monitoring, trace, exports', () => {
  for (const lang of ['en', 'fr'] as const) {
    it(`profile chart and intervals, a reopened monitoring session, the decoded trace (${lang})`, async () => {
      const s = testServices({ targets: { virtualMeter: { pace: false } }, locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
      const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
      const profile = await read(s, {
        target: 'virtual:e450',
        plan: 'profile',
        password: '00000000',
        from,
        name: lang === 'fr' ? 'Cave, bâtiment B' : 'Cellar, building B',
      });
      const rows = profile.profile!.rows.length;
      expect(rows).toBeGreaterThan(200);
      const monitorId = monitoringSession(s);
      const app = await openApp(suite.browser, suite.url, s, { locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
      const { page } = app;
      await page.setViewportSize({ width: 1366, height: 768 });

      // The sessions list says what each session saved, and offers an export for each part.
      await page.getByTestId('open-sessions').click();
      const row = page.getByTestId(`session-${profile.id}`);
      await row.waitFor();
      expect(await row.textContent()).toMatch(lang === 'fr' ? /\d+ lignes de courbe de charge/ : /\d+ profile rows/);
      await row.getByTestId('session-export-profile').click();
      await expect.poll(() => row.getByRole('status').textContent()).toContain(String(rows).replace(/\B(?=(\d{3})+$)/g, lang === 'fr' ? '\u202f' : ','));
      const mrow = page.getByTestId(`session-${monitorId}`);
      expect(await mrow.getByTestId('session-export-polls').count()).toBe(1);
      expect(await mrow.getByTestId('session-export-anomalies').count()).toBe(1);
      await page.keyboard.press('Escape');

      // Point 4: the profile opens on its chart, per interval, with its table.
      await openSession(page, profile.id);
      const chart = page.getByTestId('profile-chart');
      await chart.waitFor();
      expect(await chart.getAttribute('data-mode')).toBe('interval');
      await expect.poll(() => page.getByTestId('profile-table').getAttribute('aria-rowcount')).toBe(String(rows + 1));
      // Per-interval values are small numbers, not the register totals.
      const first = page.getByTestId('profile-row').nth(1);
      const cells = await first.getByRole('cell').allTextContents();
      const perInterval = Number(cells[1]!.replace(',', '.').replace(/\s/g, ''));
      const total = Number(cells[1 + 2]!.replace(',', '.').replace(/\s/g, '') || cells[2]!.replace(',', '.'));
      expect(perInterval).toBeGreaterThanOrEqual(0);
      expect(perInterval).toBeLessThan(total);
      // No tick label of the time axis overlaps another; the right side is not cut.
      const boxes = await page
        .locator('[data-testid=profile-chart] .u-axis')
        .first()
        .locator('.u-label, div')
        .evaluateAll((els) =>
          els
            .filter((e) => e.textContent && e.children.length === 0)
            .map((e) => e.getBoundingClientRect())
            .map((r) => ({ l: r.left, r: r.right, t: r.top })),
        );
      const byRow = boxes.filter((b) => Math.abs(b.t - boxes[0]!.t) < 2).sort((a, b) => a.l - b.l);
      for (let i = 1; i < byRow.length; i++) expect(byRow[i]!.l).toBeGreaterThanOrEqual(byRow[i - 1]!.r);
      const fig = await chart.boundingBox();
      const canvas = await chart.locator('canvas').first().boundingBox();
      expect(canvas!.x + canvas!.width).toBeLessThanOrEqual(fig!.x + fig!.width + 1);
      await page.screenshot({ path: `docs/screenshots/profile-chart-${lang}.png` });
      await page.getByTestId('profile-mode-total').check();
      await expect.poll(() => chart.getAttribute('data-mode')).toBe('total');

      // Point 8: the trace, one row per frame, decoded with a verdict.
      await page.getByRole('tab', { name: lang === 'fr' ? /Trace/ : /Frame trace/ }).click();
      const table = page.getByTestId('trace-table');
      await table.waitFor();
      const frames = Number(await table.getAttribute('data-frames'));
      const entries = Number(await table.getAttribute('data-entries'));
      expect(frames).toBeLessThanOrEqual(entries);
      await expect.poll(() => page.locator('[data-testid=trace-row][data-verdict=ok]').count(), { timeout: 20_000 }).toBeGreaterThan(3);
      const texts = await page.locator('[data-testid=trace-row]').allTextContents();
      expect(texts.some((x) => x.includes('/LGZ5'))).toBe(true);
      expect(texts.some((x) => /HDLC: .*(I-frame|UA|SNRM|RR)/.test(x))).toBe(true);
      expect(texts.some((x) => /GET\.response|get-response/i.test(x))).toBe(true);
      await page.screenshot({ path: `docs/screenshots/trace-frames-${lang}.png` });

      // Point 6: a monitoring session reopened shows its polls, anomalies and charts.
      await openSession(page, monitorId);
      await page.getByTestId('monitor-review').waitFor();
      expect(await page.getByTestId('review-polls').textContent()).toBe('4');
      expect(await page.getByTestId('review-anomaly-count').textContent()).toBe('1');
      expect(await page.getByTestId('review-poll').count()).toBe(4);
      await expect.poll(() => page.getByTestId('review-chart-voltage').getAttribute('data-points')).toBe('4');
      await expect.poll(() => page.getByTestId('review-chart-voltage').getAttribute('data-marks')).toBe('1');
      expect(await page.getByTestId('review-anomalies').textContent()).toMatch(/195[.,]2/);
      await page.screenshot({ path: `docs/screenshots/monitor-reopened-${lang}.png` });
      expect(app.errors).toEqual([]);
      await app.close();
      await s.dispose();
    });
  }
});
