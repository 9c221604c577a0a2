/**
 * The app in Chromium against `omr serve` (the built CLI, a real process) whose meter is the
 * virtual E450 behind a socat pty pair: real HTTP, the real WebSocket and the real serialport
 * binding. The token comes from the page address; the wizard aligns, identifies, reads, reviews
 * and downloads the CSV; monitoring runs over the same WebSocket with the port held by one client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { SessionStore } from '../../electron/features/sessions/journal';
import { launchChromium } from '../support/browser';
import { startPtyMeter, type PtyMeter } from '../kit/pty-meter';
import { startStationProcess, type RunningStation } from '../support/station';

let browser: Browser;
let meter: PtyMeter;
let station: RunningStation;

beforeAll(async () => {
  meter = await startPtyMeter({ reactionMs: 200 });
  station = await startStationProcess(['--port', meter.hostPath, '--require-token'], { built: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await station?.stop();
  await meter?.stop();
});

const h2 = (page: Page) => page.getByRole('heading', { level: 2 }).textContent();

async function newPage(url: string) {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 780 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return { context, page, errors };
}

describe('the app in a browser against omr serve', () => {
  it('needs the token: the WebSocket is refused without it', async () => {
    const { context, page } = await newPage(station.url);
    const code = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws`);
          ws.onclose = (e) => resolve(e.code);
        }),
    );
    expect(code).toBe(1006);
    const api = await page.evaluate(async () => (await fetch('/api/status')).status);
    expect(api).toBe(401);
    await context.close();
  });

  it('walks the wizard over the WebSocket with the pty meter, and downloads the CSV', async () => {
    const { context, page, errors } = await newPage(`${station.url}?token=${station.token}`);
    // The token left the address bar (and the history), and stays for this tab.
    await expect.poll(() => page.url()).toBe(station.url);
    expect(await page.evaluate(() => sessionStorage.getItem('omr.stationToken'))).toBe(station.token);

    await expect.poll(() => h2(page), { timeout: 20_000 }).toBe('Choose the port');
    // The station's meter (a pty, which port lists never show) waits in the hand-typed field.
    await expect.poll(() => page.locator('#manual-port').inputValue()).toBe(meter.hostPath);
    await page.getByRole('button', { name: 'Use this port' }).click();
    await expect.poll(() => page.locator('.selected-port').textContent()).toContain(meter.hostPath);
    await page.getByRole('button', { name: /Next/ }).click();
    await expect.poll(() => h2(page)).toBe('Align the head');
    await expect.poll(() => page.getByTestId('align-hint').getAttribute('data-state'), { timeout: 30_000 }).toBe('steady');
    await page.getByRole('button', { name: /Next/ }).click();
    await expect.poll(() => page.getByTestId('identity-maker').textContent(), { timeout: 30_000 }).toBe('Landis+Gyr (LGZ)');
    await page.getByRole('button', { name: /Next/ }).click();
    await expect.poll(() => h2(page)).toBe('Read the meter');
    await page.getByTestId('plan-readout').click();
    await page.locator('label.name input').fill('Station visit');
    await page.getByRole('button', { name: /Start reading/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    await page.getByRole('button', { name: /Next/ }).click();
    await expect.poll(() => h2(page)).toBe('Review and export');

    const store = new SessionStore(join(station.dataDir, 'sessions'));
    const summary = store.list().find((s) => s.name === 'Station visit')!;
    const session = store.load(summary.id);
    expect(session.state).toBe('done');
    expect(session.readings.length).toBeGreaterThan(20);
    await expect.poll(() => page.getByTestId('readings-shown').textContent()).toBe(`${session.readings.length} of ${session.readings.length}`);

    // Export, then the browser downloads the file from the station.
    await page.getByTestId('export-dialect').selectOption('comma-dot');
    await page.getByTestId('export-readings').click();
    await page.getByTestId('export-download').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    expect(download.suggestedFilename()).toBe(`${summary.id}-readings.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv
      .replace(/^\ufeff/, '')
      .split('\r\n')
      .filter(Boolean);
    expect(lines[0]).toBe('OBIS,Name,Meter address,Value,Unit,Scaler,Meter time,PC time,Source,Other values,Verified');
    expect(lines.length).toBe(session.readings.length + 1);
    const energy = session.readings.find((r) => r.obis === '1-0:1.8.0*255')!;
    expect(lines.find((l) => l.startsWith('1-0:1.8.0*255,'))).toContain(`,${energy.value},kWh,`);

    // A reload keeps working (the token is in sessionStorage), and the sessions list is there.
    await page.reload();
    await expect.poll(() => h2(page), { timeout: 20_000 }).toBe('Choose the port');
    await page.getByTestId('open-sessions').click();
    await page.getByTestId(`session-${summary.id}`).waitFor();
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('monitors over the same WebSocket; the port belongs to one client at a time', async () => {
    const a = await newPage(`${station.url}?token=${station.token}`);
    const b = await newPage(`${station.url}?token=${station.token}`);
    await expect.poll(() => h2(a.page), { timeout: 20_000 }).toBe('Choose the port');
    // Browser A starts monitoring through the contract, and hears its polls.
    const started = await a.page.evaluate(async (target) => {
      const w = window as unknown as {
        omr: { invoke(c: string, r?: unknown): Promise<any>; on(c: string, l: (p: any) => void): () => void };
        polls: unknown[];
      };
      w.polls = [];
      w.omr.on('monitor:update', (u) => u.poll && w.polls.push(u.poll));
      return w.omr.invoke('monitor:start', { target, intervalS: 2, plan: 'registers' });
    }, meter.hostPath);
    expect(started).toMatchObject({ ok: true, value: { operationId: expect.any(String), sessionId: expect.any(String) } });
    await expect
      .poll(() => a.page.evaluate(() => (window as unknown as { polls: { ok: boolean }[] }).polls.filter((p) => p.ok).length), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);

    // Browser B (and a script) find the port busy, with the typed error.
    const busy = await b.page.evaluate(
      (target) => (window as unknown as { omr: { invoke(c: string, r?: unknown): Promise<any> } }).omr.invoke('meter:identify', { target }),
      meter.hostPath,
    );
    expect(busy).toMatchObject({ ok: false, error: { code: 'PORT_BUSY' } });
    const status = await (await fetch(`${station.url}api/status`, { headers: { authorization: `Bearer ${station.token}` } })).json();
    expect(status.value.monitor).toMatchObject({ operationId: started.value.operationId, running: true, health: 'good' });
    expect(status.value.station.clients).toBeGreaterThanOrEqual(2);

    // The script stops it; both browsers hear the end.
    const stop = await fetch(`${station.url}api/stop`, { method: 'POST', headers: { authorization: `Bearer ${station.token}` } });
    expect(stop.status).toBe(200);
    const free = await b.page.evaluate(
      (target) => (window as unknown as { omr: { invoke(c: string, r?: unknown): Promise<any> } }).omr.invoke('meter:identify', { target }),
      meter.hostPath,
    );
    expect(free).toMatchObject({ ok: true, value: { identity: { manufacturer: 'LGZ' } } });
    const polls = new SessionStore(join(station.dataDir, 'sessions')).load(started.value.sessionId).polls ?? [];
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    await a.context.close();
    await b.context.close();
  });
});
