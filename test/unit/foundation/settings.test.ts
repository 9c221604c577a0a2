import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { JsonFileSettingsStore, MemorySettingsStore, SettingsService } from '../../../electron/features/settings/settings';
import { resolveLang } from '../../../electron/app/app';

describe('settings', () => {
  it('starts from the defaults', () => {
    const s = new SettingsService(new MemorySettingsStore());
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(s.get().baudSwitchDelayMs).toBe(300);
    expect(s.get().reactionTimeoutMs).toBe(1500);
  });

  it('persists a patch to a JSON file and reads it back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'omr-settings-')), 'settings.json');
    const a = new SettingsService(new JsonFileSettingsStore(file));
    a.set({ language: 'fr', lastPort: '/dev/ttyUSB0', csvDialect: 'semicolon-comma' });
    const b = new SettingsService(new JsonFileSettingsStore(file));
    expect(b.get()).toMatchObject({ language: 'fr', lastPort: '/dev/ttyUSB0', csvDialect: 'semicolon-comma' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ language: 'fr' });
  });

  it('keeps the valid fields of a damaged settings file and defaults the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-settings-'));
    const file = join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ language: 'fr', maxBaud: 'very fast', baudSwitchDelayMs: 400, junk: true }));
    const s = new SettingsService(new JsonFileSettingsStore(file));
    expect(s.get()).toMatchObject({ language: 'fr', maxBaud: DEFAULT_SETTINGS.maxBaud, baudSwitchDelayMs: 400 });
    writeFileSync(file, '{ not json');
    expect(new SettingsService(new JsonFileSettingsStore(file)).get()).toEqual(DEFAULT_SETTINGS);
  });

  it('refuses an invalid patch with a typed error and changes nothing', () => {
    const s = new SettingsService(new MemorySettingsStore());
    expect(() => s.set({ baudSwitchDelayMs: -5 })).toThrowError(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('notifies listeners of changes', () => {
    const s = new SettingsService(new MemorySettingsStore());
    const seen: string[] = [];
    const off = s.onChange((v) => seen.push(v.language));
    s.set({ language: 'fr' });
    off();
    s.set({ language: 'en' });
    expect(seen).toEqual(['fr']);
  });

  it('resolves the auto language from the OS locale', () => {
    expect(resolveLang('auto', 'fr-CA')).toBe('fr');
    expect(resolveLang('auto', 'de-DE')).toBe('en');
    expect(resolveLang('en', 'fr-FR')).toBe('en');
  });
});
