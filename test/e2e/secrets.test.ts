/**
 * Stored passwords in the UI, against the real services with a fake system keychain: the settings
 * dialog keeps a profile's password (encrypted, never in settings.json), the identify step says
 * the stored one will be used, and the DLMS read with that profile logs in with it. Without a
 * keychain, the dialog says the password is asked at each reading and stores nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretStore, type Encryptor } from '../../electron/features/settings/secrets';
import { chromiumSuite, openApp } from '../support/browser';
import { testServices } from '../support/services';

const suite = chromiumSuite();

/** A stand-in for safeStorage: XOR and a marker, so the plain text is not in the ciphertext. */
const fakeKeychain: Encryptor = {
  isAvailable: () => true,
  encrypt: (s) => Buffer.concat([Buffer.from('OS:'), Buffer.from(s).map((b) => b ^ 0x6b)]),
  decrypt: (b) => Buffer.from(b.subarray(3).map((x) => x ^ 0x6b)).toString(),
};

describe('stored passwords', () => {
  it('are kept from the settings dialog and used by a DLMS read with the profile', async () => {
    const services = testServices({
      targets: { virtualMeter: { pace: false, reactionMs: 450 } },
      encryptor: fakeKeychain,
      dlmsTimeouts: { responseTimeoutMs: 500 },
    });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'en-GB' });
    const { page } = app;
    await page.getByTestId('open-settings').click();
    const settings = page.getByTestId('dialog-settings');
    await settings.getByRole('button', { name: /Add a profile/ }).click();
    const group = settings.getByRole('group', { name: 'New profile' });
    await group.getByLabel('Name').fill('E450 LLS');
    const profile = settings.getByRole('group', { name: 'E450 LLS' });
    await profile.getByLabel('Client SAP').fill('32');
    await profile.getByLabel('Security').selectOption('lls');
    await profile.getByLabel('Store the password (encrypted by the system)').fill('00000000');
    await settings.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => services.settings.get().profiles.find((p) => p.name === 'E450 LLS')?.hasStoredSecret).toBe(true);
    await expect.poll(() => profile.textContent()).toContain('A password is stored for this profile: leave the field empty to keep it.');
    await page.screenshot({ path: 'docs/screenshots/settings-secret-en.png' });
    const id = services.settings.get().profiles.find((p) => p.name === 'E450 LLS')!.id;
    expect(new SecretStore(join(services.dataDir, 'secrets.json'), fakeKeychain).get(id)).toBe('00000000');
    expect(readFileSync(join(services.dataDir, 'settings.json'), 'utf8')).not.toContain('00000000');
    expect(readFileSync(join(services.dataDir, 'secrets.json'), 'utf8')).not.toContain('00000000');
    // The field is emptied once saved; the profile says a password is kept.
    await expect.poll(() => profile.getByLabel('Store the password (encrypted by the system)').inputValue()).toBe('');
    await page.keyboard.press('Escape');

    // Identify, choose DLMS with the profile: the password field says the stored one is used.
    await page.getByTestId('port-virtual:e450').click();
    await page.getByRole('tab', { name: /Identify/ }).click();
    await expect.poll(() => page.getByTestId('identity-maker').textContent(), { timeout: 30_000 }).toBe('Landis+Gyr (LGZ)');
    await page.getByRole('radio', { name: /DLMS\/COSEM/ }).check();
    expect(await page.getByTestId('password-help').textContent()).toBe('Kept in memory for this meter and profile until you close the app; never saved.');
    await page.locator('.dlms-options select').selectOption(id);
    expect(await page.getByTestId('password-help').textContent()).toContain('use the password stored for this profile');
    await page.getByLabel('Password', { exact: true }).fill('x');
    expect(await page.getByTestId('password-help').textContent()).toBe('Kept in memory for this meter and profile until you close the app; never saved.');
    await page.getByLabel('Password', { exact: true }).fill('');

    // The read: billing registers over the LLS client, logged in with the stored password.
    await page.getByRole('tab', { name: /Read/ }).click();
    await page.getByTestId('plan-billing').click();
    await page.getByRole('button', { name: /Start reading/ }).click();
    await expect.poll(() => page.getByTestId('read-ended').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    const [summary] = services.sessions.list();
    const session = services.sessions.load(summary!.id);
    expect(session.errors).toEqual([]);
    expect(session.readings.length).toBeGreaterThan(0);

    // Forget it: the keychain entry goes, the profile says so.
    await page.getByTestId('open-settings').click();
    await page.getByTestId('dialog-settings').getByRole('button', { name: 'Forget the stored password' }).click();
    await page.getByTestId('dialog-settings').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => services.settings.get().profiles.find((p) => p.name === 'E450 LLS')?.hasStoredSecret).toBe(false);
    expect(existsSync(join(services.dataDir, 'secrets.json'))).toBe(false);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });

  it('without a keychain: the dialog says the password is asked at each reading', async () => {
    const services = testServices();
    await services.settings.set({
      profiles: [{ id: 'p1', name: 'E450 LLS', protocol: 'dlms', clientSap: 32, serverLogical: 1, serverPhysical: 17, auth: 'lls', hasStoredSecret: false }],
    });
    const app = await openApp(suite.browser, suite.url, services, { locale: 'fr-FR' });
    const { page } = app;
    await page.getByTestId('open-settings').click();
    const profile = page.getByTestId('dialog-settings').getByRole('group', { name: 'E450 LLS' });
    expect(await profile.getByTestId('secret-unavailable').textContent()).toBe(
      'Le trousseau du système n’est pas disponible sur cet ordinateur : le mot de passe est demandé à chaque lecture.',
    );
    expect(await profile.locator('input[type=password]').count()).toBe(0);
    expect(app.errors).toEqual([]);
    await app.close();
    await services.dispose();
  });
});
