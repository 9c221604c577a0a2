/**
 * The same wizard flow in Electron itself (_electron.launch): the real main process, preload and
 * IPC. Runs wherever an Electron binary exists; elsewhere it skips with the reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { findElectronBinary } from '../support/electron-binary';

const binary = findElectronBinary();
if (!binary.path) process.stderr.write(`[electron e2e] skipped: ${binary.reason}\n`);

describe('Electron app', () => {
  it('opens a secure window and walks the wizard frame through the real IPC', async (ctx) => {
    if (!binary.path) return ctx.skip(`no Electron binary here: ${binary.reason}`);
    const userData = mkdtempSync(join(tmpdir(), 'omr-electron-'));
    const app = await electron.launch({
      executablePath: binary.path,
      args: ['out/main/index.js', '--lang=en-US', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...process.env, OMR_USER_DATA: userData },
    });
    try {
      const page = await app.firstWindow();
      await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Choose the port');
      // The page has no Node and only the contract bridge.
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => Object.keys(window.omr ?? {}).sort())).toEqual(['invoke', 'on']);
      expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      // The window was made with the secure preferences (read back from the main process).
      const windows = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
      expect(windows).toBe(1);
      await page.getByTestId('port-virtual:e450').click();
      for (const title of ['Align the head', 'Identify the meter', 'Read the meter', 'Review and export']) {
        await page.getByRole('button', { name: /Next/ }).click();
        await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe(title);
      }
      await page.getByLabel('Language').selectOption('fr');
      await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Bilan et export');
      const unknown = await page.evaluate(() => window.omr!.invoke('fs:read' as never, {} as never));
      expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    } finally {
      await app.close();
    }
  });
});
