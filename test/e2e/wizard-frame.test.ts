/**
 * The wizard frame in Debian's Chromium against the real services: port list, steps, both
 * languages, keyboard navigation. Screenshots go to docs/screenshots/.
 */
import { describe, expect, it } from 'vitest';
import { chromiumSuite, openApp } from '../support/browser';
import { testServices } from '../support/services';

const suite = chromiumSuite();

describe('wizard frame', () => {
  it('lists the demo meter, walks every step and remembers the port (English)', async () => {
    const services = testServices();
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Choose the port');
    await expect.poll(() => page.getByTestId('app-version').textContent()).toBe('Version 0.1.0-test');
    const demo = page.getByTestId('port-virtual:e450');
    await demo.waitFor();
    expect(await demo.textContent()).toContain('Demo meter');
    // Next is disabled until a port is chosen.
    expect(await page.getByRole('button', { name: /Next/ }).isDisabled()).toBe(true);
    await demo.click();
    // Choosing is not reading: only a read or an identification that reached a meter sets the last port.
    expect(services.settings.get().lastPort).toBeUndefined();
    await page.screenshot({ path: 'docs/screenshots/port-step-en.png' });

    const titles = ['Align the head', 'Identify the meter', 'Read the meter', 'Review and export'];
    for (const title of titles) {
      await page.getByRole('button', { name: /Next/ }).click();
      await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe(title);
    }
    expect(await page.getByRole('button', { name: /Next/ }).isDisabled()).toBe(true);

    // Keyboard: arrow keys move between the step tabs.
    await page.getByRole('tab', { name: /Review/ }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Read the meter');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Choose the port');
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('starts in French on a French system, switches language, and keeps the choice', async () => {
    const services = testServices();
    const app = await openApp(suite.browser, suite.url, services, { locale: 'fr-FR' });
    const { page } = app;
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Choisir le port');
    await page.getByTestId('port-virtual:e450').click();
    await expect.poll(() => page.locator('.selected-port').textContent()).toContain('Sélectionné');
    await page.screenshot({ path: 'docs/screenshots/port-step-fr.png' });

    await page.getByLabel('Langue').selectOption('en');
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Choose the port');
    await expect.poll(() => services.settings.get().language).toBe('en');
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('button', { name: /Suivant/ }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Aligner la tête');
    expect(app.errors).toEqual([]);
    await app.close();

    // Reopened with an English browser, the saved language (French) wins over the locale.
    const again = await openApp(suite.browser, suite.url, services, { locale: 'en-US' });
    await expect.poll(() => again.page.getByRole('heading', { level: 2 }).textContent()).toBe('Choisir le port');
    await again.close();
  });

  it('survives a failing port list and answers bad or undeclared requests with typed envelopes', async () => {
    const services = testServices({ serialportList: () => Promise.reject(new Error('boom')), platform: 'darwin' });
    // On macOS there is no sysfs fallback: the list still offers the demo meter and no crash.
    const app = await openApp(suite.browser, suite.url, services);
    await app.page.getByTestId('port-virtual:e450').waitFor();
    const rejected = await app.page.evaluate(() => window.omr!.invoke('settings:set', { language: 'de' } as never));
    expect(rejected).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    const unknown = await app.page.evaluate(() => window.omr!.invoke('fs:read' as never, {} as never));
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    await app.close();
  });
});
