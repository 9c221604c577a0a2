/** Real main-side services for tests, with their data in a fresh temporary folder. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppServices, type AppServiceDeps, type AppServices } from '../../electron/app/app';
import { JsonFileSettingsStore } from '../../electron/features/settings/settings';

export function testServices(overrides: Partial<AppServiceDeps> = {}): AppServices & { dataDir: string } {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'omr-test-'));
  const services = createAppServices({
    dataDir,
    settingsStore: new JsonFileSettingsStore(join(dataDir, 'settings.json')),
    appInfo: { name: 'Optical Meter Reader', version: '0.1.0-test', platform: process.platform, node: process.versions.node },
    // No real serial hardware in tests: the list comes from an empty sysfs, plus the demo meter.
    serialportList: async () => [],
    hasUdevadm: () => true,
    platform: 'linux',
    ...overrides,
  });
  return Object.assign(services, { dataDir });
}
