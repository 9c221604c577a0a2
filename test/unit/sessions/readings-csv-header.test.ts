/**
 * One column spec for every readings CSV: `omr read --csv` writes the same header, column for
 * column, as the app's session export (English, comma + dot), and the same cells for a reading.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/run';
import { exportSession } from '../../../electron/features/sessions/export';
import type { SessionData } from '../../../shared/session';
import type { Reading } from '../../../shared/types';

async function cliCsv(dir: string): Promise<string> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.resume();
  stderr.resume();
  const file = join(dir, 'cli.csv');
  const code = await runCli(['read', '--simulator', '--no-pace', '--csv', file, '--data-dir', join(dir, 'data')], { stdout, stderr, env: {} } as never);
  expect(code).toBe(0);
  return readFileSync(file, 'utf8');
}

describe('readings CSV: the CLI and the app export share one column spec', () => {
  it('same header; an unverified reading says so in its own column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-csv-'));
    const cli = await cliCsv(dir);
    const readings: Reading[] = [
      { obis: '1-0:1.8.0*255', address: '1.8.0', value: '0302.8260', unit: 'kWh', readAt: '2024-01-01T00:00:00.000Z', source: 'readout' },
      { obis: '1-0:1.7.0*255', address: '1.7.0', value: '-.--', unit: 'kW', readAt: '2024-01-01T00:00:00.000Z', source: 'readout', verified: false },
    ];
    const session = { id: 'csv-test', readings } as unknown as SessionData;
    const app = await exportSession(session, 'readings', { dir, dialect: 'comma-dot', lang: 'en' });
    const appText = readFileSync(app.path, 'utf8');
    const header = (t: string) => t.split('\r\n')[0];
    expect(header(cli)).toBe(header(appText));
    expect(header(cli)).toMatch(/,Verified$/);
    const rows = appText.split('\r\n').slice(1, 3);
    expect(rows[0]).toMatch(/,yes$/);
    // The placeholder is kept (neutralised against formulas), the row says it is not verified.
    expect(rows[1]).toContain(",'-.--,kW,");
    expect(rows[1]).toMatch(/,no$/);
  });
});
