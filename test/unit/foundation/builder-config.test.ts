/**
 * electron-builder's own validator accepts our configuration; the fuses and the Linux udev rule
 * are as the security and install notes say. (Installers themselves are built on each OS's CI.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('electron-builder configuration', () => {
  const yaml = require('js-yaml') as { load(s: string): unknown };
  const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Record<string, any>;

  it('passes electron-builder validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // And the validator does reject a broken one (this test can fail).
    await expect(validateConfiguration({ ...config, nsis: { oneClick: 'sometimes' } }, new DebugLogger(false))).rejects.toThrow();
  });

  it('targets NSIS, DMG, AppImage and deb, with the fuses set', () => {
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toContain('node_modules/@serialport/bindings-cpp/**');
  });

  it('ships the udev rule in the deb, for the chips the app recognises as heads', async () => {
    const mapping = (config.deb.fpm as string[]).find((a) => a.includes('.rules='))!;
    const [src, dst] = mapping.split('=');
    expect(dst).toBe('/lib/udev/rules.d/60-optical-meter-reader.rules');
    expect(existsSync(src!)).toBe(true);
    expect(existsSync(config.deb.afterInstall)).toBe(true);
    const rule = readFileSync(src!, 'utf8');
    const { KNOWN_HEAD_CHIPS } = await import('../../../electron/features/ports/ports');
    for (const id of Object.keys(KNOWN_HEAD_CHIPS)) {
      const [vid, pid] = id.split(':');
      expect(rule, id).toMatch(new RegExp(`idVendor}=="${vid}", ATTRS\\{idProduct}=="[^"]*\\b${pid}\\b`));
    }
    expect(rule).toMatch(/GROUP="dialout"/);
    expect(existsSync(config.linux.icon)).toBe(true);
  });
});
