/**
 * The wizard as a technician lives it, in Debian's Chromium against the real services and the
 * demo meter: each test walks one complaint from the field (client profile and password, the
 * profile shown and changed on the read step, identify left early, the align light and hint
 * agreeing, numbers and dates, texts) and fails on the behaviour that was reported.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumSuite, openApp } from '../support/browser';
import { testServices } from '../support/services';

const suite = chromiumSuite();
const h2 = (page: Page) => page.getByRole('heading', { level: 2 }).textContent();
const FAST = { targets: { virtualMeter: { pace: false, reactionMs: 450 } }, alignGapMs: 50, dlmsTimeouts: { responseTimeoutMs: 1500 } } as const;

/** The demo meter chosen, then the read step reached through its tab (no identification). */
async function toReadStep(page: Page, heading = 'Read the meter') {
  await page.getByTestId('port-virtual:e450').click();
  await page.getByRole('tab').nth(3).click();
  await expect.poll(() => h2(page)).toBe(heading);
}

/** The value and unit cells of the review row of one OBIS code. */
async function reviewCells(page: Page, obis: string): Promise<string[]> {
  await page.getByLabel('Filter').fill(obis);
  const row = page.getByTestId('readings-table').locator('.vspace .vrow').first();
  await row.waitFor();
  return row.locator('[role=cell]').allTextContents();
}

describe('the wizard as a technician lives it', () => {
  it('1 · 4 · 9: a password profile follows its client; the read step shows and changes the profile; a client without password says so', async () => {
    const services = testServices(FAST);
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    // A fresh installation has the three E450 clients.
    expect(services.settings.get().profiles.map((p) => [p.clientSap, p.auth])).toEqual([
      [16, 'none'],
      [32, 'lls'],
      [1, 'hls-gmac'],
    ]);

    // In the settings, a new profile's client SAP follows its security until it is typed.
    await page.getByTestId('open-settings').click();
    const settings = page.getByTestId('dialog-settings');
    await settings.getByRole('button', { name: /Add a profile/ }).click();
    await settings.getByRole('group', { name: 'New profile' }).getByLabel('Name').fill('Wrong client');
    const profile = settings.getByRole('group', { name: 'Wrong client' });
    const sap = profile.getByLabel('Client SAP');
    expect(await sap.inputValue()).toBe('16');
    await profile.getByLabel('Security').selectOption('lls');
    expect(await sap.inputValue()).toBe('32');
    await profile.getByLabel('Security').selectOption('hls-gmac');
    expect(await sap.inputValue()).toBe('1');
    await profile.getByLabel('Security').selectOption('none');
    expect(await sap.inputValue()).toBe('16');
    // Typed by the technician: the SAP stays, whatever the security.
    await sap.fill('17');
    await sap.fill('16');
    await profile.getByLabel('Security').selectOption('lls');
    expect(await sap.inputValue()).toBe('16');
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => services.settings.get().profiles.find((p) => p.name === 'Wrong client')).toMatchObject({ clientSap: 16, auth: 'lls' });
    await page.keyboard.press('Escape');
    const wrong = services.settings.get().profiles.find((p) => p.name === 'Wrong client')!;

    // The read step shows how it will read, and the profile is chosen there.
    await toReadStep(page);
    await page.getByTestId('plan-billing').click();
    await page.getByTestId('protocol-dlms').check();
    await page.getByTestId('read-profile').selectOption(wrong.id);
    await page.getByTestId('read-options').getByLabel('Password', { exact: true }).fill('00000000');
    await page.getByRole('button', { name: /Start reading/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 30_000 }).toBe('failed');
    const alert = page.getByRole('alert');
    // The meter's reason in words, first; no "wrong password, do not retry" for a client that takes none.
    expect(await alert.getByTestId('error-message').textContent()).toBe('This client does not accept a password.');
    const remedy = (await alert.getByTestId('error-remedy').textContent())!;
    expect(remedy).toMatch(/^What to do: /);
    expect(remedy).toContain('client SAP 32');
    expect(remedy).not.toContain('Do not retry');
    expect(await alert.getByTestId('error-message').textContent()).not.toMatch(/acse|rejected-permanent/);
    expect(await alert.getByTestId('error-detail').textContent()).toContain('authentication-mechanism-name-not-recognised');
    // Nothing was read: said in words, not "the 0 readings".
    const kept = (await page.getByTestId('read-kept').textContent())!;
    expect(kept).toMatch(/^Nothing had been (read|received) before the error\.$/);

    // A retry with the reading client from the same step: the password works.
    await page.getByTestId('read-profile').selectOption('e450-reading');
    await page.getByTestId('read-options').getByLabel('Password', { exact: true }).fill('00000000');
    await page.getByRole('button', { name: /Start reading/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    const [last] = services.sessions.list();
    const session = services.sessions.load(last!.id);
    expect(session.errors).toEqual([]);
    expect(session.readings.length).toBeGreaterThan(5);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('the password is kept for the run of the wizard: a cancelled read starts again at once; another profile forgets it', async () => {
    // Paced, so that the read can be cancelled while it runs.
    const services = testServices({ ...FAST, targets: { virtualMeter: { pace: true, reactionMs: 200 } } });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await toReadStep(page);
    await page.getByTestId('plan-billing').click();
    await page.getByTestId('protocol-dlms').check();
    await page.getByTestId('read-profile').selectOption('e450-reading');
    const password = page.getByTestId('read-options').getByLabel('Password', { exact: true });
    await password.fill('00000000');
    await page.getByRole('button', { name: /Start reading/ }).click();
    await page.getByTestId('read-cancel').click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
    // Started again without typing it: the reading client logs in.
    expect(await password.inputValue()).toBe('00000000');
    await page.getByRole('button', { name: /Start reading/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    const [last] = services.sessions.list();
    expect(services.sessions.load(last!.id).errors).toEqual([]);
    // Another client profile: the password is not carried over to it.
    await page.getByTestId('read-profile').selectOption('e450-public');
    expect(await password.count()).toBeLessThanOrEqual(1);
    await page.getByTestId('read-profile').selectOption('e450-reading');
    expect(await page.getByTestId('read-options').getByLabel('Password', { exact: true }).inputValue()).toBe('');
    // Never written anywhere: not in the settings.
    expect(JSON.stringify(services.settings.get())).not.toContain('00000000');
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('2 · 3: a long profile read shows rows and bytes growing, a rate and time left; the result says what was saved per kind', async () => {
    // Paced: the demo meter's profile arrives at the wire speed, block by block.
    const services = testServices({ ...FAST, targets: { virtualMeter: { pace: true, reactionMs: 200 } } });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await toReadStep(page);
    await page.getByTestId('plan-profile').click();
    await page.getByTestId('protocol-dlms').check();
    await page.getByTestId('read-profile').selectOption('e450-reading');
    await page.getByTestId('read-options').getByLabel('Password', { exact: true }).fill('00000000');
    const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('range-from').fill(day(3));
    await page.getByTestId('range-to').fill(day(0));
    await page.getByRole('button', { name: /Start reading/ }).click();
    // Sample the progress while the read runs: rows or bytes grow between samples 2 s apart.
    const samples: { rows: number; bytes: number; text: string }[] = [];
    const progress = page.getByTestId('read-progress');
    for (let i = 0; i < 40; i++) {
      if ((await page.getByTestId('read-ended').count()) > 0) break;
      if ((await progress.count()) > 0) {
        samples.push({
          rows: Number((await progress.getAttribute('data-rows')) || 0),
          bytes: Number((await progress.getAttribute('data-bytes')) || 0),
          text: (await progress.textContent()) ?? '',
        });
      }
      await page.waitForTimeout(2_000);
    }
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    const running = samples.filter((x) => x.bytes > 0);
    expect(running.length, JSON.stringify(samples)).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < running.length; i++) expect(running[i]!.rows + running[i]!.bytes).toBeGreaterThan(running[i - 1]!.rows + running[i - 1]!.bytes);
    // Rows and bytes in words, a rate and the time left while it ran.
    expect(
      running.some((x) => /rows?/.test(x.text) && /\/s|per second/.test(x.text) && /left/.test(x.text)),
      JSON.stringify(running.map((x) => x.text)),
    ).toBe(true);
    // The result counts each kind saved, the profile rows included; so does the session summary.
    const [last] = services.sessions.list();
    const session = services.sessions.load(last!.id);
    const rows = session.profile?.rows.length ?? 0;
    expect(rows).toBeGreaterThan(200);
    expect(await page.getByTestId('read-result').getAttribute('data-kinds')).toContain(`profile=${rows}`);
    expect(await page.getByTestId('read-result').textContent()).toMatch(/profile rows/);
    expect(last!.profileRowCount).toBe(rows);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('5 · 9: identify cannot be left before it ends; the spinner is CSS; a protocol picked early is kept', async () => {
    // The demo meter at the line's real speed: the identification takes seconds.
    const services = testServices({ alignGapMs: 50 });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await page.getByTestId('port-virtual:e450').click();
    await page.getByRole('tab', { name: /Identify/ }).click();
    await page.getByTestId('identify-busy').waitFor();
    expect(await page.getByTestId('nav-next').isDisabled()).toBe(true);
    // Enter on the page does not leave either.
    await page.keyboard.press('Enter');
    expect(await h2(page)).toBe('Identify the meter');
    // The busy sign is drawn by CSS, not an emoji that needs a font.
    expect(await page.getByTestId('identify-busy').textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(
      await page
        .getByTestId('identify-busy')
        .locator('.spinner')
        .evaluate((el) => getComputedStyle(el).animationName),
    ).toBe('omr-spin');
    // One way forward: the footer's Next (no second "Choose what to read" button).
    expect(await page.getByRole('button', { name: /Choose what to read/ }).count()).toBe(0);
    await page.getByTestId('protocol-dlms').check();
    await expect.poll(() => page.getByTestId('identity-maker').textContent(), { timeout: 30_000 }).toBe('Landis+Gyr (LGZ)');
    expect(await page.getByTestId('nav-next').isEnabled()).toBe(true);
    await page.getByTestId('nav-next').click();
    await expect.poll(() => h2(page)).toBe('Read the meter');
    // The DLMS choice made while the meter was answering is the read's.
    expect(await page.getByTestId('protocol-dlms').isChecked()).toBe(true);
    expect(await page.getByTestId('read-profile').isVisible()).toBe(true);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('6: the align hint follows the light (never "answers come and go" beside a green light at 100 %)', async () => {
    const services = testServices({ targets: { virtualMeter: { pace: false, reactionMs: 450 } }, alignGapMs: 150 });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await page.getByTestId('port-virtual:e450').click();
    // Every state the technician sees, recorded as it changes.
    await page.evaluate(() => {
      const seen: { look: string; rate: string; hint: string }[] = [];
      (window as unknown as { __alignSeen: typeof seen }).__alignSeen = seen;
      const record = () => {
        const light = document.querySelector('[data-testid="align-light"]');
        const hint = document.querySelector('[data-testid="align-hint"]');
        const rate = document.querySelector('[data-testid="align-rate"]');
        if (light && hint && rate) seen.push({ look: light.getAttribute('data-look') ?? '', rate: rate.textContent ?? '', hint: hint.textContent ?? '' });
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByTestId('nav-next').click();
    await expect.poll(() => page.getByTestId('align-hint').getAttribute('data-state'), { timeout: 30_000 }).toBe('steady');
    const seen = await page.evaluate(() => (window as unknown as { __alignSeen: { look: string; rate: string; hint: string }[] }).__alignSeen);
    const green = seen.filter((s) => s.look === 'pass' && /\(100\s?%\)/.test(s.rate));
    expect(green.length).toBeGreaterThan(0);
    for (const s of green) expect(s.hint, JSON.stringify(s)).not.toMatch(/come and go|searching|Looking for/);
    for (const s of seen.filter((x) => x.look === 'fail')) expect(s.hint).not.toMatch(/^Steady|Answer OK/);
    // Steady: one way forward, the footer's Next.
    expect(await page.getByRole('button', { name: /Continue|Next/ }).count()).toBe(1);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('7 · 9: one unit per register kind whatever read it, the meter text beside it, names for billing codes, unambiguous dates, a session title in words', async () => {
    const services = testServices(FAST);
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await page.getByTestId('port-virtual:e450').click();
    await page.getByTestId('nav-next').click();
    await expect.poll(() => page.getByTestId('align-hint').getAttribute('data-state'), { timeout: 30_000 }).toBe('steady');
    await page.getByTestId('nav-next').click();
    await expect.poll(() => page.getByTestId('identity-maker').textContent(), { timeout: 30_000 }).toBe('Landis+Gyr (LGZ)');
    const clock = page.getByTestId('identity-clock');
    if (await clock.count()) expect(await clock.textContent()).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4},? \d{2}:\d{2}:\d{2}/);
    await page.getByTestId('nav-next').click();

    // The readout.
    await page.getByTestId('plan-readout').click();
    await page.getByRole('button', { name: /Start reading/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    // The live list: energy in kWh with 3 decimals, no leading zeros, the meter's text beside it.
    const units = await page.getByTestId('live-unit').allTextContents();
    const values = await page.getByTestId('live-value').allTextContents();
    units.forEach((u, i) => {
      expect(u).not.toMatch(/^(Wh|W|varh|var)$/);
      if (u === 'kWh') expect(values[i]).toMatch(/^-?(0|[1-9]\d{0,2}(,\d{3})*)\.\d{3,}$/);
    });
    const readout = services.sessions.load(services.sessions.list()[0]!.id);
    // The session title is words: the meter and the time to the minute.
    expect(readout.name).toMatch(/^Demo meter \(virtual E450\) — \d{1,2} [A-Z][a-z]{2} \d{4},? \d{2}:\d{2}$/);
    await page.getByTestId('nav-next').click();
    await expect.poll(() => h2(page)).toBe('Review and export');
    const viaReadout = await reviewCells(page, '1-0:1.8.0*255');
    const readoutEnergy = readout.readings.find((r) => r.obis === '1-0:1.8.0*255')!;
    expect(readoutEnergy.value).toMatch(/^0\d/);
    // Grouped, leading zeros gone, 3 decimals; the meter's own text kept beside it.
    expect(viaReadout[2]).toMatch(/^[1-9]\d{0,2}(,\d{3})*\.\d{3}/);
    expect(viaReadout[2]).toContain(`${readoutEnergy.value} kWh`);
    expect(viaReadout[3]).toBe('kWh');
    // A billing-reset time from the readout has a name.
    const reset = readout.readings.find((r) => /^1-0:0\.1\.2\*\d+$/.test(r.obis) && r.obis !== '1-0:0.1.2*255');
    expect(reset, 'a 1-0:0.1.2*NN reading in the readout').toBeDefined();
    expect((await reviewCells(page, reset!.obis))[1]).toBe('Time of the last billing reset');

    // The same register read by DLMS (reading client and its password): the same unit and form.
    await page.getByRole('tab').nth(3).click();
    await page.getByTestId('plan-billing').click();
    await page.getByTestId('protocol-dlms').check();
    await page.getByTestId('read-profile').selectOption('e450-reading');
    await page.getByTestId('read-options').getByLabel('Password', { exact: true }).fill('00000000');
    await page.locator('label.name input').fill('Billing by DLMS');
    await page.getByRole('button', { name: /Start reading/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    const billing = services.sessions.load(services.sessions.list().find((s) => s.name === 'Billing by DLMS')!.id);
    const dlmsEnergy = billing.readings.find((r) => r.obis === '1-0:1.8.0*255')!;
    expect(dlmsEnergy).toBeDefined();
    await page.getByTestId('nav-next').click();
    await expect.poll(() => page.getByTestId('session-head').textContent()).toContain('Billing by DLMS');
    const viaDlms = await reviewCells(page, '1-0:1.8.0*255');
    expect(viaDlms[3]).toBe('kWh');
    expect(viaDlms[2]).toMatch(/^[1-9]\d{0,2}(,\d{3})*\.\d{3}/);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('9 (French): load profile dates checked in the app’s language, French punctuation, dates in words', async () => {
    const services = testServices({ ...FAST, locale: 'fr-FR' });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'fr-FR' });
    const { page } = app;
    await page.setViewportSize({ width: 1024, height: 700 });
    await toReadStep(page, 'Lire le compteur');
    await page.getByTestId('plan-profile').click();
    await page.getByTestId('range-from').fill('');
    await page.getByRole('button', { name: /Lancer la lecture/ }).click();
    expect(await page.getByTestId('range-problem').textContent()).toBe('Indiquez une date de début et une date de fin.');
    expect(services.sessions.list()).toHaveLength(0);
    await page.getByTestId('range-from').fill('2026-12-10');
    await page.getByTestId('range-to').fill('2026-12-03');
    await page.getByRole('button', { name: /Lancer la lecture/ }).click();
    expect(await page.getByTestId('range-problem').textContent()).toBe('La date de début est après la date de fin.');
    expect(services.sessions.list()).toHaveLength(0);

    // A hand-typed port that does not exist: the French remedy label has its space before the colon.
    await page.getByRole('tab', { name: /Port/ }).click();
    await page.locator('#manual-port').fill('/dev/omr-no-such-port');
    await page.locator('#manual-port').press('Enter');
    await page.getByRole('tab').nth(1).click();
    const remedy = page.getByRole('alert').getByTestId('error-remedy');
    await remedy.waitFor();
    expect(await remedy.textContent()).toMatch(/^Que faire : /);
    // The hint beside it says the check stopped, not "looking for the meter".
    expect(await page.getByTestId('align-hint').getAttribute('data-hint')).toBe('failed');

    // The session title in French words.
    await page.getByRole('tab', { name: /Port/ }).click();
    await page.getByTestId('port-virtual:e450').click();
    await page.getByRole('tab').nth(3).click();
    await page.getByTestId('plan-readout').click();
    await page.getByRole('button', { name: /Lancer la lecture/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(services.sessions.list()[0]!.name).toMatch(/^Compteur de démo \(E450 virtuel\) — \d{1,2} [a-zéû]+\.? \d{4},? \d{2}:\d{2}$/);
    // No horizontal scrolling at 1024 × 700.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('keyboard only: Tab, Enter and Escape through the wizard; focus on each new step’s heading; visible focus; no trap', async () => {
    const services = testServices(FAST);
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await expect.poll(() => h2(page)).toBe('Choose the port');
    const active = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return {
          tag: el?.tagName ?? '',
          testid: el?.getAttribute('data-testid') ?? el?.closest('[data-testid]')?.getAttribute('data-testid') ?? '',
          text: el?.textContent?.trim() ?? '',
          value: (el as HTMLInputElement | null)?.value ?? '',
          outline: el ? getComputedStyle(el).outlineStyle : '',
        };
      });
    /** Tab (bounded) until `match` holds for the focused element. */
    const tabTo = async (match: (a: Awaited<ReturnType<typeof active>>) => boolean, back = false) => {
      const visited: string[] = [];
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
        const a = await active();
        if (match(a)) return a;
        visited.push(`${a.tag}:${a.testid || a.text.slice(0, 20)}:${a.value}`);
      }
      throw new Error(`not reachable with the keyboard; visited ${visited.join(' | ')}`);
    };
    const seen = new Set<string>();
    // Tab into the port list, the arrow keys pick the demo meter (radio group).
    await tabTo((a) => {
      seen.add(a.testid || a.text);
      return a.tag === 'INPUT' && !!a.testid?.startsWith('port-');
    });
    for (let i = 0; i < 10 && (await active()).value !== 'virtual:e450'; i++) await page.keyboard.press('ArrowDown');
    expect((await active()).value).toBe('virtual:e450');
    await expect.poll(() => page.locator('.selected-port').textContent()).toContain('Demo meter');
    const next = await tabTo((a) => {
      seen.add(a.testid || a.text);
      return a.testid === 'nav-next';
    });
    // The focus can be seen, and Tab went through the header, the step and the footer.
    expect(next.outline).toBe('solid');
    expect(seen.has('open-settings')).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(active).toMatchObject({ tag: 'H2', text: 'Align the head' });
    await expect.poll(() => page.getByTestId('align-hint').getAttribute('data-state'), { timeout: 30_000 }).toBe('steady');
    // Enter on the heading goes on.
    await page.keyboard.press('Enter');
    await expect.poll(active).toMatchObject({ tag: 'H2', text: 'Identify the meter' });
    await expect.poll(() => page.getByTestId('identity-maker').textContent(), { timeout: 30_000 }).toBe('Landis+Gyr (LGZ)');
    await page.keyboard.press('Enter');
    await expect.poll(active).toMatchObject({ tag: 'H2', text: 'Read the meter' });
    await tabTo((a) => a.testid === 'read-start');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    await tabTo((a) => a.testid === 'nav-next');
    await page.keyboard.press('Enter');
    await expect.poll(active).toMatchObject({ tag: 'H2', text: 'Review and export' });

    // A dialog: opened with Enter, Escape closes it and the focus returns to its button.
    await tabTo((a) => a.testid === 'open-settings', true);
    await page.keyboard.press('Enter');
    await page.getByTestId('dialog-settings').waitFor();
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('dialog-settings').count()).toBe(0);
    await expect.poll(active).toMatchObject({ testid: 'open-settings' });
    // No trap: from there, Tab reaches the steps' tabs and the footer again.
    await tabTo((a) => a.tag === 'BUTTON' && /Review/.test(a.text));
    await tabTo((a) => a.testid === 'nav-next' || a.text.startsWith('←'));
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });
});
