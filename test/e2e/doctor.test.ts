/**
 * The Diagnose panel of the port step, in Debian's Chromium against the real services: a healthy
 * run on the demo meter, a failing one (the demo meter told to echo and stay silent: the head
 * check fails with its remedy), the panel filling in as the checks arrive, the language switched
 * without running again, the report copied to the clipboard (and the fallback when the clipboard
 * is refused), a command to copy (a host tree where the user may not open the port), and the
 * report saved with the session under review. Screenshots: docs/screenshots/doctor-fail-{en,fr}.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { formatReport, type DoctorReport } from '../../shared/doctor';
import { ERROR_TEXT } from '../../shared/errors';
import type { SimFault } from '../../shared/target';
import type { AppServiceDeps, AppServices } from '../../electron/app/app';
import { FixtureHostFs, HOSTFS_FIXTURES } from '../fixtures/hostfs/fixture-hostfs';
import { chromiumSuite, openApp } from '../support/browser';
import { testServices } from '../support/services';

const SHOTS = 'docs/screenshots';
const suite = chromiumSuite();

/**
 * Real services behind a bridge that records the doctor's runs and, when asked, has the demo meter
 * show faults (the renderer offers no fault injection: that is the contract's `simFaults`).
 */
function doctorServices(overrides: Partial<AppServiceDeps> = {}) {
  const services = testServices({ targets: { virtualMeter: { pace: false, reactionMs: 450 } }, ...overrides });
  const runs: { request: Record<string, unknown>; report?: DoctorReport }[] = [];
  const control: { faults?: SimFault[] } = {};
  const inner = services.dispatcher;
  const bridged: AppServices = {
    ...services,
    dispatcher: {
      async dispatch(channel, request, ctx) {
        if (channel !== 'doctor:run') return inner.dispatch(channel, request, ctx);
        const run: (typeof runs)[number] = { request: { ...(request as Record<string, unknown>) } };
        runs.push(run);
        const env = await inner.dispatch(channel, control.faults ? { ...(request as object), simFaults: control.faults } : request, ctx);
        if (env.ok) run.report = env.value as DoctorReport;
        return env;
      },
    },
  };
  return { services, bridged, runs, control };
}

const status = (page: Page, id: string) => page.getByTestId(`doctor-check-${id}`).getAttribute('data-status');
const word = (page: Page, id: string) => page.getByTestId(`doctor-status-${id}`).textContent();
const summary = (page: Page) => page.getByTestId('doctor-summary').textContent();

/** A full-page screenshot from the top, with nothing focused. */
async function shot(page: Page, path: string) {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path, fullPage: true });
}

async function clipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

describe('the Diagnose panel', () => {
  it('passes on the demo meter, fails at the head when it only echoes, copies the report, switches language without running again', async () => {
    const { services, bridged, runs, control } = doctorServices();
    const app = await openApp(suite.browser, suite.url, bridged, { locale: 'en-GB' });
    const { page } = app;
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(suite.url).origin });
    await page.getByTestId('port-virtual:e450').click();
    await page.getByRole('button', { name: 'Diagnose' }).click();
    await page.getByTestId('doctor-panel').waitFor();

    // Healthy: nothing broken; the adapter steps do not apply to the demo meter.
    await expect.poll(() => summary(page), { timeout: 30_000 }).toBe('No broken link found.');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.request).toEqual({ target: 'virtual:e450' });
    for (const id of ['adapter', 'permission', 'conflicts']) {
      expect(await status(page, id)).toBe('skipped');
      expect(await word(page, id)).toBe('Skipped');
    }
    for (const id of ['open', 'head', 'meter']) {
      expect(await status(page, id)).toBe('pass');
      expect(await word(page, id)).toBe('Pass');
    }
    expect(await page.getByTestId('doctor-seen-meter').textContent()).toContain('/LGZ5\\2ZMF100AC.d2');
    expect(await page.locator('.doctor-check.first-failure').count()).toBe(0);

    // Failing: the head sees only its own light. The panel fills in while the doctor walks.
    control.faults = ['echo', 'silence'];
    await page.getByTestId('doctor-again').click();
    await expect.poll(() => status(page, 'open')).toBe('pass');
    expect(await status(page, 'head')).toBe('pending');
    expect(await summary(page)).toMatch(/^Checking… [1-5] of 6$/);
    await expect.poll(() => summary(page), { timeout: 30_000 }).toBe('First broken link: Optical head');
    expect(runs).toHaveLength(2);
    const report = runs[1]!.report!;
    expect(report.firstFailure).toBe('head');
    expect(await status(page, 'head')).toBe('fail');
    expect(await word(page, 'head')).toBe('Fail');
    expect(await page.getByTestId('doctor-remedy-head').textContent()).toContain(ERROR_TEXT.ECHO_ONLY.en.remedy);
    expect(await page.getByTestId('doctor-seen-head').textContent()).toContain(ERROR_TEXT.ECHO_ONLY.en.message);
    expect(await status(page, 'meter')).toBe('skipped');
    const first = page.locator('.doctor-check.first-failure');
    expect(await first.count()).toBe(1);
    expect(await first.getAttribute('data-testid')).toBe('doctor-check-head');
    expect(await first.textContent()).toContain('First broken link');
    await shot(page, `${SHOTS}/doctor-fail-en.png`);

    // Copy report: exactly the text report, in the UI language.
    await page.getByTestId('doctor-copy-report').click();
    await page.getByTestId('doctor-copied').waitFor();
    const copied = await clipboard(page);
    expect(copied).toBe(formatReport(report, 'en'));
    expect(copied).toContain('[FAIL] Optical head');
    expect(copied).toContain(`Remedy: ${ERROR_TEXT.ECHO_ONLY.en.remedy}`);

    // French: the same report re-rendered, not run again.
    await page.getByLabel('Language').selectOption('fr');
    await expect.poll(() => summary(page)).toBe('Premier maillon cassé : Tête optique');
    expect(await word(page, 'head')).toBe('Échec');
    expect(await word(page, 'open')).toBe('Réussi');
    expect(await word(page, 'meter')).toBe('Sauté');
    expect(await page.getByTestId('doctor-remedy-head').textContent()).toContain(ERROR_TEXT.ECHO_ONLY.fr.remedy);
    expect(await page.getByRole('button', { name: 'Copier le rapport' }).isEnabled()).toBe(true);
    expect(runs).toHaveLength(2);
    await shot(page, `${SHOTS}/doctor-fail-fr.png`);
    await page.getByTestId('doctor-copy-report').click();
    await expect.poll(() => clipboard(page)).toBe(formatReport(report, 'fr'));
    expect(await clipboard(page)).toContain('[ÉCHEC ] Tête optique');

    // A refused clipboard: the text is shown selected for Ctrl+C instead.
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await page.getByTestId('doctor-copy-report').click();
    const box = page.getByTestId('doctor-copy-text');
    await box.waitFor();
    expect(await box.inputValue()).toBe(formatReport(report, 'fr'));
    expect(await box.evaluate((el: HTMLTextAreaElement) => el === document.activeElement && el.selectionEnd - el.selectionStart === el.value.length)).toBe(
      true,
    );

    expect(runs).toHaveLength(2);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('shows the exact command when the user may not open the port, with a Copy button', async () => {
    // A Debian host where bob is not in dialout (test/fixtures/hostfs/no-permission).
    const { services, bridged, runs } = doctorServices({ hostFs: new FixtureHostFs(join(HOSTFS_FIXTURES, 'no-permission')) });
    const app = await openApp(suite.browser, suite.url, bridged, { locale: 'en-GB' });
    const { page } = app;
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(suite.url).origin });
    // Typed by hand, not selected: the doctor takes the typed port.
    await page.locator('#manual-port').fill('/dev/ttyUSB0');
    await page.getByRole('button', { name: 'Diagnose' }).click();
    await expect.poll(() => summary(page), { timeout: 30_000 }).toBe('First broken link: Permission');
    expect(runs[0]!.request).toEqual({ target: '/dev/ttyUSB0' });
    const check = runs[0]!.report!.checks.find((c) => c.id === 'permission')!;
    expect(check.command).toBeTruthy();
    expect(await status(page, 'adapter')).toBe('pass');
    expect(await status(page, 'permission')).toBe('fail');
    const command = page.getByTestId('doctor-command-permission');
    expect(await command.textContent()).toBe(check.command);
    expect(await command.evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/mono/i);
    await page.getByRole('button', { name: 'Copy the command of “Permission”' }).click();
    await expect.poll(() => page.getByTestId('doctor-copied').textContent()).toContain('Command copied');
    expect(await clipboard(page)).toBe(check.command);
    for (const id of ['conflicts', 'open', 'head', 'meter']) expect(await status(page, id)).toBe('skipped');
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('saves the report with the session under review', async () => {
    const { services, bridged, runs } = doctorServices();
    const dir = join(services.dataDir, 'sessions');
    mkdirSync(dir, { recursive: true });
    const t0 = new Date(Date.UTC(2024, 4, 1)).toISOString();
    writeFileSync(
      join(dir, 'visit-7.jsonl'),
      [
        { k: 'meta', t: t0, id: 'visit-7', name: 'Rue des Lilas 4' },
        { k: 'state', t: t0, state: 'failed' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const app = await openApp(suite.browser, suite.url, bridged, { locale: 'en-GB' });
    const { page } = app;
    await page.getByTestId('open-sessions').click();
    await page.getByTestId('session-visit-7').getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('session-head').textContent()).toContain('Rue des Lilas 4');
    await page.getByRole('tab', { name: /Port/ }).click();
    await page.getByTestId('port-virtual:e450').click();
    await page.getByRole('button', { name: 'Diagnose' }).click();
    await expect.poll(() => summary(page), { timeout: 30_000 }).toBe('No broken link found.');
    expect(runs[0]!.request).toEqual({ target: 'virtual:e450', sessionId: 'visit-7' });
    expect(await page.getByTestId('doctor-panel').textContent()).toContain('The report is saved with the session “Rue des Lilas 4”.');
    expect(services.sessions.load('visit-7').doctorReports).toEqual([formatReport(runs[0]!.report!)]);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });
});
