/**
 * The whole wizard in Debian's Chromium against the real services and the demo meter (and the
 * same meter behind a socat pty, through the hand-typed port field): align until steady,
 * identify, quick readout, review, CSV export checked cell by cell, sessions reopened, renamed
 * and deleted; both languages. The screenshots of the steps and dialogs come from
 * test/e2e/a11y.test.ts (npm run screenshots); this file keeps those of the review's other tabs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { obisName } from '../../shared/obis';
import { meterQuantity } from '../../renderer/src/format';
import type { SessionData } from '../../shared/session';
import type { Reading } from '../../shared/types';
import { chromiumSuite, openApp } from '../support/browser';
import { startPtyMeter } from '../kit/pty-meter';
import { testServices } from '../support/services';

const SHOTS = 'docs/screenshots';
const suite = chromiumSuite();

/** RFC 4180 parsing (quotes doubled, CRLF records), to check the export independently. */
function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const L = {
  en: {
    locale: 'en-GB',
    headings: ['Choose the port', 'Align the head', 'Identify the meter', 'Read the meter', 'Review and export'],
    next: /Next/,
    steady: 'Steady — go on',
    start: /Start reading/,
    header: ['OBIS', 'Name', 'Meter address', 'Value', 'Unit', 'Scaler', 'Meter time', 'PC time', 'Source', 'Other values', 'Verified'],
    delimiter: ',',
    decimal: '.',
    sessions: 'Sessions',
    settings: 'Settings',
  },
  fr: {
    locale: 'fr-FR',
    headings: ['Choisir le port', 'Aligner la tête', 'Identifier le compteur', 'Lire le compteur', 'Bilan et export'],
    next: /Suivant/,
    steady: 'Stable — continuez',
    start: /Lancer la lecture/,
    header: [
      'OBIS',
      'Libellé',
      'Adresse compteur',
      'Valeur',
      'Unité',
      'Facteur d’échelle',
      'Heure compteur',
      'Heure PC',
      'Source',
      'Autres valeurs',
      'Vérifié',
    ],
    delimiter: ';',
    decimal: ',',
    sessions: 'Sessions',
    settings: 'Réglages',
  },
} as const;

/** A full-page screenshot from the top, with nothing focused (no focus ring in the picture). */
async function shot(page: Page, path: string) {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path, fullPage: true });
}

const h2 = (page: Page) => page.getByRole('heading', { level: 2 }).textContent();

/** The expected CSV row of a reading (computed from the session data, independently of the exporter). */
function expectedRow(r: Reading, lang: 'en' | 'fr', meterClock: string): string[] {
  const num = /^[+-]?\d+(\.\d+)?$/.test(r.value) && lang === 'fr' ? r.value.replace('.', ',') : r.value;
  const neutral = (s: string) => (/^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(\.\d+)?$/.test(s) ? `'${s}` : s);
  // Times as spreadsheets read them: the PC's local `YYYY-MM-DD hh:mm:ss`; the meter time is the
  // value's capture time or, for the other values, the meter clock the readout states (0.9.2 + 0.9.1).
  const d = new Date(r.readAt);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const pc = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  const meter = r.captureTime ? r.captureTime.replace('T', ' ').replace(/(\.\d+)?([+-]\d\d:\d\d|Z)?$/, '') : meterClock;
  return [
    r.obis,
    obisName(r.obis, lang) ?? '',
    r.address,
    num,
    r.unit,
    r.scaler === undefined ? '' : String(r.scaler),
    meter,
    pc,
    r.source,
    (r.extra ?? []).join(' | '),
    r.verified === false ? (lang === 'fr' ? 'non' : 'no') : lang === 'fr' ? 'oui' : 'yes',
  ].map(neutral);
}

function checkCsv(path: string, session: SessionData, lang: 'en' | 'fr'): string[][] {
  const bytes = readFileSync(path);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const rows = parseCsv(text, L[lang].delimiter);
  expect(rows[0]).toEqual([...L[lang].header]);
  expect(rows.length).toBe(session.readings.length + 1);
  const value = (address: string) => session.readings.find((r) => r.address === address)?.value.replace(/\D/g, '') ?? '';
  const [date, time] = [value('0.9.2').slice(-6), value('0.9.1')];
  const meterClock =
    date.length === 6 && time.length >= 6
      ? `20${date.slice(0, 2)}-${date.slice(2, 4)}-${date.slice(4, 6)} ${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}`
      : '';
  session.readings.forEach((r, i) => expect(rows[i + 1], `row ${i + 1}`).toEqual(expectedRow(r, lang, meterClock)));
  return rows;
}

/** Align (until steady), identify, read the quick readout, land on the review. */
async function walkWizard(page: Page, lang: 'en' | 'fr', port: { testId?: string; manual?: string }, visit: string) {
  const t = L[lang];
  await expect.poll(() => h2(page)).toBe(t.headings[0]);
  if (port.testId) await page.getByTestId(port.testId).click();
  if (port.manual) {
    await page.locator('#manual-port').fill(port.manual);
    await page.locator('#manual-port').press('Enter');
    await expect.poll(() => page.locator('.selected-port').textContent()).toContain(port.manual);
  }

  await page.getByRole('button', { name: t.next }).click();
  await expect.poll(() => h2(page)).toBe(t.headings[1]);
  await expect.poll(() => page.getByTestId('align-hint').getAttribute('data-state'), { timeout: 30_000 }).toBe('steady');
  expect(await page.getByTestId('align-light').getAttribute('data-look')).toBe('pass');
  expect(await page.getByTestId('align-light').textContent()).toContain(t.steady);
  expect(await page.getByTestId('align-rate').textContent()).toMatch(/\d/);

  await page.getByRole('button', { name: t.next }).click();
  await expect.poll(() => h2(page)).toBe(t.headings[2]);
  await expect.poll(() => page.getByTestId('identity-maker').textContent(), { timeout: 30_000 }).toBe('Landis+Gyr (LGZ)');
  expect(await page.getByTestId('identity-type').textContent()).toBe('ZMF100AC.d2');

  await page.getByRole('button', { name: t.next }).click();
  await expect.poll(() => h2(page)).toBe(t.headings[3]);
  await page.getByTestId('plan-readout').click();
  await page.locator('label.name input').fill(visit);
  await page.getByRole('button', { name: t.start }).click();
  await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
  await expect.poll(() => page.getByTestId('read-count').textContent()).toMatch(/^[1-9]\d* /);

  await page.getByRole('button', { name: t.next }).click();
  await expect.poll(() => h2(page)).toBe(t.headings[4]);
  await page.getByTestId('readings-table').waitFor();
}

describe('the wizard against the demo meter', () => {
  it('aligns, identifies, reads, reviews and exports (English), then reopens the session from the list', async () => {
    const services = testServices({ targets: { virtualMeter: { pace: false, reactionMs: 450 } }, alignGapMs: 50 });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await walkWizard(page, 'en', { testId: 'port-virtual:e450' }, 'Cellar, building B');

    // The alignment was stopped by itself (steady) and nothing is left running.
    await expect.poll(() => services.operations.size).toBe(0);

    const [summary] = services.sessions.list();
    expect(summary!.name).toBe('Cellar, building B');
    expect(summary!.state).toBe('done');
    const session = services.sessions.load(summary!.id);
    expect(session.identity?.manufacturer).toBe('LGZ');
    expect(session.readings.length).toBeGreaterThan(20);

    // The review table shows the readings with their names, exact values and units.
    const energy = session.readings.find((r) => r.obis === '1-0:1.8.0*255')!;
    await page.getByLabel('Filter').fill('1-0:1.8.0*255');
    await expect.poll(() => page.getByTestId('readings-table').locator('.vspace .vrow').count()).toBe(1);
    const cells = await page.getByTestId('readings-table').locator('.vspace .vrow').first().locator('[role=cell]').allTextContents();
    // Shown in kWh, grouped, with the meter's own text beside it.
    const shown = meterQuantity(energy.value, energy.unit, 'en-GB');
    expect(cells.slice(0, 4)).toEqual(['1-0:1.8.0*255', 'Active energy import (+A), total', `${shown.value} ${energy.value} kWh`, 'kWh']);
    await page.getByLabel('Filter').fill('');
    await expect.poll(() => page.getByTestId('readings-shown').textContent()).toBe(`${session.readings.length} of ${session.readings.length}`);

    // The frame trace is there, tx and rx.
    await page.getByRole('tab', { name: /Frame trace/ }).click();
    await page.getByTestId('trace-table').waitFor();
    expect(await page.getByTestId('trace-table').textContent()).toContain('/?!');
    await shot(page, `${SHOTS}/review-trace-en.png`);
    await page.getByRole('tab', { name: /Readings/ }).click();

    // Export: the default dialect follows the language (English: comma, decimal point).
    expect(await page.getByTestId('export-dialect').inputValue()).toBe('auto');
    await page.getByTestId('export-readings').click();
    await page.getByTestId('export-result').waitFor();
    const path = (await page.getByTestId('export-path').textContent())!;
    expect(path.startsWith(join(services.dataDir, 'exports'))).toBe(true);
    const rows = checkCsv(path, session, 'en');
    // A name with a comma is quoted in the file, and comes back whole.
    expect(readFileSync(path, 'utf8')).toContain('"Active energy import (+A), total"');
    expect(rows.find((r) => r[0] === '1-0:1.8.0*255')![3]).toBe(energy.value);
    expect(await page.getByTestId('export-result').textContent()).toContain(`${session.readings.length} rows`);

    // Changing the dialect for this export: semicolon and decimal comma, English headers.
    await page.getByTestId('export-dialect').selectOption('semicolon-comma');
    await page.getByTestId('export-readings').click();
    await page.getByTestId('export-result').waitFor();
    const semi = parseCsv(readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8').slice(1), ';');
    expect(semi[0]![0]).toBe('OBIS');
    expect(semi.find((r) => r[0] === '1-0:1.8.0*255')![3]).toBe(energy.value.replace('.', ','));

    // The sessions list (from the header) reopens it into the review, after a rename.
    await page.goto(suite.url);
    await expect.poll(() => h2(page)).toBe('Choose the port');
    await page.getByTestId('open-sessions').click();
    const row = page.getByTestId(`session-${summary!.id}`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Rename' }).click();
    await row.getByLabel('Meter location').fill('Rue des Lilas 4, cellar');
    await row.getByLabel('Note').fill('Seal intact');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.textContent()).toContain('Rue des Lilas 4, cellar');
    expect(services.sessions.load(summary!.id).location).toBe('Rue des Lilas 4, cellar');
    await row.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => h2(page)).toBe('Review and export');
    expect(await page.getByTestId('session-head').textContent()).toContain('Rue des Lilas 4, cellar');
    await expect.poll(() => page.getByTestId('readings-shown').textContent()).toBe(`${session.readings.length} of ${session.readings.length}`);

    // Escape closes a dialog; the settings dialog saves through settings:set.
    await page.getByTestId('open-settings').click();
    await page.getByTestId('dialog-settings').waitFor();
    const settings = page.getByTestId('dialog-settings');
    await settings.getByLabel('CSV format').selectOption('semicolon-comma');
    await settings.getByLabel('Reaction timeout').fill('2000');
    await settings.getByRole('button', { name: /Add a profile/ }).click();
    await settings.getByRole('group', { name: 'New profile' }).getByLabel('Name').fill('E450 reader');
    await settings.getByRole('group', { name: 'E450 reader' }).getByLabel('Client SAP').fill('1');
    await settings.getByRole('group', { name: 'E450 reader' }).getByLabel('Security').selectOption('lls');
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => services.settings.get().csvDialect).toBe('semicolon-comma');
    expect(services.settings.get().reactionTimeoutMs).toBe(2000);
    // After the three E450 profiles of a fresh installation; the SAP typed by hand stays.
    expect(services.settings.get().profiles.at(-1)).toMatchObject({ name: 'E450 reader', clientSap: 1, auth: 'lls', protocol: 'dlms' });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('dialog-settings').count()).toBe(0);
    // The export dialect now defaults to the saved one.
    expect(await page.getByTestId('export-dialect').inputValue()).toBe('semicolon-comma');

    // Delete asks first.
    await page.getByTestId('open-sessions').click();
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Keep it' }).click();
    expect(services.sessions.list()).toHaveLength(1);
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => services.sessions.list().length).toBe(0);
    await expect.poll(() => row.count()).toBe(0);
    await page.keyboard.press('Escape');
    // The review of a deleted session is gone too.
    await expect.poll(() => page.getByTestId('session-head').count()).toBe(0);

    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('does the same in French: semicolon, decimal comma, French headers and names', async () => {
    // A French system: main's locale is French too (CSV headers follow main's language).
    const services = testServices({ targets: { virtualMeter: { pace: false, reactionMs: 450 } }, alignGapMs: 50, locale: 'fr-FR' });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'fr-FR' });
    const { page } = app;
    await walkWizard(page, 'fr', { testId: 'port-virtual:e450' }, 'Cave B');
    const [summary] = services.sessions.list();
    const session = services.sessions.load(summary!.id);
    const energy = session.readings.find((r) => r.obis === '1-0:1.8.0*255')!;
    await page.getByLabel('Filtrer').fill('1.8.0');
    const cells = await page.getByTestId('readings-table').locator('.vspace .vrow').first().locator('[role=cell]').allTextContents();
    // Every digit, French grouping and decimal mark; the meter's own text beside it.
    const shown = meterQuantity(energy.value, energy.unit, 'fr-FR');
    expect(shown.value).toContain(',');
    expect(cells.slice(0, 4)).toEqual(['1-0:1.8.0*255', 'Énergie active importée (+A), totale', `${shown.value} ${energy.value} kWh`, 'kWh']);
    await page.getByLabel('Filtrer').fill('');

    await page.getByTestId('export-readings').click();
    await page.getByTestId('export-result').waitFor();
    checkCsv((await page.getByTestId('export-path').textContent())!, session, 'fr');

    await page.getByTestId('open-sessions').click();
    await page.getByTestId(`session-${summary!.id}`).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('open-settings').click();
    await page.getByTestId('dialog-settings').waitFor();
    await page.keyboard.press('Escape');
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('cancels a read in progress and keeps the session; shows port errors with their remedy', async () => {
    // The demo meter at the real speed of the line: a readout takes seconds, time to cancel.
    const services = testServices({ alignGapMs: 50 });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await page.getByTestId('port-virtual:e450').click();
    await page.getByRole('tab', { name: /Read/ }).click();
    await expect.poll(() => h2(page)).toBe('Read the meter');
    await page.getByRole('button', { name: /Start reading/ }).click();
    await page.getByTestId('read-cancel').click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled');
    await expect.poll(() => services.sessions.list()[0]?.state).toBe('cancelled');

    // A DLMS plan with the public client (no password): mode E, association, and the billing
    // registers, which the public client's object list does not show, reported as not read (the
    // plan goes on, no crash).
    await page.getByTestId('plan-billing').click();
    await page.getByRole('button', { name: /Start reading/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    const billing = services.sessions.load(services.sessions.list()[0]!.id);
    expect(billing.warnings.join('\n')).toMatch(/object list/);

    // A port typed by hand that does not exist: the align step shows the error and its remedy.
    await page.getByRole('tab', { name: /Port/ }).click();
    await page.locator('#manual-port').fill('/dev/omr-no-such-port');
    await page.getByRole('button', { name: 'Use this port' }).click();
    await page.getByRole('tab', { name: /Align/ }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toMatch(/PORT_NOT_FOUND|PORT_OPEN_FAILED/);
    expect(await alert.textContent()).toContain('What to do');
    expect(await page.getByRole('button', { name: /Start again/ }).isEnabled()).toBe(true);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('reads the meter behind a socat pty typed into the port field', async () => {
    const meter = await startPtyMeter();
    const services = testServices({ alignGapMs: 100 });
    try {
      const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
      const { page } = app;
      await expect.poll(() => h2(page)).toBe('Choose the port');
      await page.locator('#manual-port').fill(meter.hostPath);
      await page.locator('#manual-port').press('Enter');
      await page.getByRole('button', { name: /Next/ }).click();
      await expect.poll(() => page.getByTestId('align-hint').getAttribute('data-state'), { timeout: 30_000 }).toBe('steady');
      // Aligning is not reading: the port becomes the last port once the meter identified on it.
      expect(services.settings.get().lastPort).toBeUndefined();
      await page.getByRole('button', { name: /Next/ }).click();
      await expect.poll(() => page.getByTestId('identity-maker').textContent(), { timeout: 30_000 }).toBe('Landis+Gyr (LGZ)');
      await expect.poll(() => services.settings.get().lastPort).toBe(meter.hostPath);
      expect(app.errors).toEqual([]);
      await app.close();
    } finally {
      await services.dispose();
      await meter.stop();
    }
  });
});

describe('the review with big and rich sessions', () => {
  function writeJournal(dir: string, id: string, records: object[]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${id}.jsonl`), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  it('stays smooth at 100,000 readings, draws the load profile, lists events, neutralises formulas', async () => {
    const services = testServices();
    const dir = join(services.dataDir, 'sessions');
    const t0 = Date.UTC(2024, 4, 1);
    const big: Reading[] = Array.from({ length: 100_000 }, (_, i) => ({
      obis: `1-0:1.8.0*${(i % 100) + 1}`,
      address: `1.8.0*${(i % 100) + 1}`,
      value: `${String(i).padStart(6, '0')}.${String(i % 1000).padStart(3, '0')}`,
      unit: 'kWh',
      readAt: new Date(t0 + i * 1000).toISOString(),
      source: 'readout',
    }));
    writeJournal(dir, 'big-session', [
      { k: 'meta', t: new Date(t0).toISOString(), id: 'big-session', name: 'Big history' },
      { k: 'readings', t: new Date(t0).toISOString(), readings: big },
      { k: 'state', t: new Date(t0).toISOString(), state: 'done' },
    ]);
    const tricky: Reading[] = [
      { obis: '1-0:1.8.0*255', address: '=HYPERLINK("http://x")', value: '-12.5', unit: '@kWh', readAt: new Date(t0).toISOString(), source: 'readout' },
      {
        obis: '0-0:96.1.0*255',
        address: 'C.1.0',
        value: '+33 1 23',
        unit: '',
        readAt: new Date(t0).toISOString(),
        source: 'readout',
        extra: ['a;b', 'say "hi"'],
      },
    ];
    const profileRows = Array.from({ length: 96 }, (_, i) => [
      new Date(t0 + i * 900_000).toISOString(),
      String((i * 0.25).toFixed(3)),
      String((230 + Math.sin(i / 8) * 3).toFixed(1)),
    ]);
    writeJournal(dir, 'rich-session', [
      { k: 'meta', t: new Date(t0 + 1000).toISOString(), id: 'rich-session', name: 'Profile day' },
      { k: 'readings', t: new Date(t0).toISOString(), readings: tricky },
      {
        k: 'profile',
        t: new Date(t0).toISOString(),
        profile: {
          obis: '1-0:99.1.0*255',
          columns: [
            { obis: '0-0:1.0.0*255', attribute: 2, unit: '' },
            { obis: '1-0:1.8.0*255', attribute: 2, unit: 'kWh' },
            { obis: '1-0:32.7.0*255', attribute: 2, unit: 'V' },
          ],
          rows: profileRows,
          capturePeriodS: 900,
        },
      },
      {
        k: 'events',
        t: new Date(t0).toISOString(),
        events: [
          { log: 'Standard', time: new Date(t0).toISOString(), code: 1, text: 'Power down' },
          { log: 'Standard', time: new Date(t0 + 60_000).toISOString(), code: 2, text: 'Power up' },
        ],
      },
      { k: 'trace', t: new Date(t0).toISOString(), entries: [{ t: new Date(t0).toISOString(), dir: 'tx', hex: '0150310228**2903', summary: 'P1 (**)' }] },
      { k: 'state', t: new Date(t0).toISOString(), state: 'done' },
    ]);

    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await page.getByTestId('open-sessions').click();
    await page.getByTestId('session-big-session').getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('readings-shown').textContent(), { timeout: 30_000 }).toBe('100,000 of 100,000');
    // Only the rows in view are in the page.
    const rendered = await page.getByTestId('readings-table').locator('.vspace .vrow').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(80);
    // Scrolling to the end: frames keep coming (no long task), the last reading shows.
    const timing = await page.evaluate(async () => {
      const body = document.querySelector('[data-testid="readings-table"] .vbody')!;
      const frames: number[] = [];
      let last = performance.now();
      for (let i = 0; i <= 40; i++) {
        body.scrollTop = (body.scrollHeight * i) / 40;
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        const now = performance.now();
        frames.push(now - last);
        last = now;
      }
      return Math.max(...frames.slice(1));
    });
    expect(timing).toBeLessThan(250);
    await expect.poll(() => page.getByTestId('readings-table').textContent()).toContain('099999.999');
    await shot(page, `${SHOTS}/review-100k-en.png`);

    await page.getByTestId('open-sessions').click();
    await page.getByTestId('session-rich-session').getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('session-head').textContent()).toContain('Profile day');
    await page.getByRole('tab', { name: /Load profile/ }).click();
    await page.getByTestId('profile-chart').locator('canvas').waitFor();
    expect(await page.getByTestId('profile-chart').textContent()).toContain('96 intervals');
    await shot(page, `${SHOTS}/review-profile-en.png`);
    await page.getByRole('tab', { name: /Events/ }).click();
    expect(await page.getByTestId('events-table').textContent()).toContain('Power up');
    await page.getByRole('tab', { name: /Frame trace/ }).click();
    const trace = (await page.getByTestId('trace-table').textContent())!;
    expect(trace).toContain('**');
    expect(trace).not.toContain('secret');

    // Export: formulas neutralised, quotes doubled, delimiters inside cells quoted.
    await page.getByTestId('export-readings').click();
    await page.getByTestId('export-result').waitFor();
    const path = (await page.getByTestId('export-path').textContent())!;
    const session = services.sessions.load('rich-session');
    const rows = checkCsv(path, session, 'en');
    expect(rows[1]![2]).toBe('\'=HYPERLINK("http://x")');
    expect(rows[1]![3]).toBe('-12.5');
    expect(rows[1]![4]).toBe("'@kWh");
    expect(rows[2]![3]).toBe("'+33 1 23");
    expect(readFileSync(path, 'utf8')).toContain('"a;b | say ""hi"""');
    await page.getByTestId('export-profile').click();
    await expect.poll(() => page.getByTestId('export-result').textContent()).toContain('96 rows');
    await page.getByTestId('export-events').click();
    await expect.poll(() => page.getByTestId('export-result').textContent()).toContain('2 rows');
    expect(app.errors).toEqual([]);
    await app.close();
  });
});
