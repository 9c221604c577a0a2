/**
 * sessions:export takes the renderer's language: headers, names and the `auto` dialect follow it
 * instead of the main side's language; without it, the main side's language is used.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/contract';
import type { ExportResult } from '../../../shared/session';
import { testServices } from '../../support/services';

function withSession(locale: string) {
  const s = testServices({ locale });
  const dir = join(s.dataDir, 'sessions');
  mkdirSync(dir, { recursive: true });
  const t = '2024-05-01T10:00:00.000Z';
  const reading = { obis: '1-0:1.8.0*255', address: '1.8.0', value: '12345.678', unit: 'kWh', readAt: t, source: 'readout' };
  writeFileSync(
    join(dir, 'v1.jsonl'),
    [
      { k: 'meta', t, id: 'v1', name: 'Visit' },
      { k: 'readings', t, readings: [reading] },
      { k: 'state', t, state: 'done' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
  return s;
}

async function exported(s: ReturnType<typeof testServices>, request: object): Promise<string[]> {
  const env = (await s.dispatcher.dispatch('sessions:export', { id: 'v1', ...request }, { client: 'test' })) as Envelope<ExportResult>;
  if (!env.ok) throw new Error(env.error.code);
  return readFileSync(env.value.path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split('\r\n');
}

describe('sessions:export language', () => {
  it('follows the request, else the main side', async () => {
    const fr = withSession('fr-FR');
    const [headFr, rowFr] = await exported(fr, {});
    expect(headFr!.split(';').slice(0, 2)).toEqual(['OBIS', 'Libellé']);
    expect(rowFr).toContain('12345,678');

    const [headEn, rowEn] = await exported(fr, { lang: 'en' });
    expect(headEn!.split(',').slice(0, 2)).toEqual(['OBIS', 'Name']);
    expect(rowEn).toContain('"Active energy import (+A), total"');
    expect(rowEn).toContain(',12345.678,');

    const en = withSession('en-GB');
    const [head] = await exported(en, { lang: 'fr', dialect: 'auto' });
    expect(head!.split(';').slice(0, 4)).toEqual(['OBIS', 'Libellé', 'Adresse compteur', 'Valeur']);
    // An explicit dialect still wins over the language's.
    const [headComma] = await exported(en, { lang: 'fr', dialect: 'comma-dot' });
    expect(headComma!.split(',').slice(0, 2)).toEqual(['OBIS', 'Libellé']);

    const bad = await fr.dispatcher.dispatch('sessions:export', { id: 'v1', lang: 'de' }, { client: 'test' });
    expect(bad.ok === false && bad.error.code).toBe('INVALID_REQUEST');
  });
});
