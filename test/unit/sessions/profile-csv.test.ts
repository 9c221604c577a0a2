/**
 * A profile's and an event log's CSV: a time with a UTC offset is written as the meter's wall time (as
 * spreadsheets read it), its deviation and clock status in the columns kept beside it.
 */
import { describe, expect, it } from 'vitest';
import type { SessionData } from '../../../shared/session';
import { sessionTable } from '../../../electron/features/sessions/export';

describe('profile CSV', () => {
  it('writes the wall time, the status byte and the deviation (or unspecified)', () => {
    const s = {
      profile: {
        obis: '1-0:99.1.0*255',
        columns: [
          { obis: '0-0:1.0.0*255', attribute: 2, name: 'Clock', unit: '' },
          { obis: '0-0:1.0.0*255', attribute: 2, name: 'Clock status', unit: '', part: 'clockStatus' },
          { obis: '0-0:1.0.0*255', attribute: 2, name: 'Deviation from UTC', unit: 'min', part: 'deviation' },
          { obis: '1-0:1.8.0*255', attribute: 2, unit: 'Wh' },
        ],
        rows: [
          ['2024-05-07T00:15:00+01:00', '0x80', '-60', '10'],
          ['2024-05-07T00:30:00', '0x00', 'unspecified', '20'],
        ],
      },
    } as unknown as SessionData;
    const t = sessionTable(s, 'profile', 'en');
    expect(t.columns.map((c) => c.header)).toEqual(['Clock', 'Clock status', 'Deviation from UTC (min)', expect.stringContaining('(Wh)')]);
    expect([...t.rows]).toEqual([
      ['2024-05-07 00:15:00', '0x80', '-60', '10'],
      ['2024-05-07 00:30:00', '0x00', 'unspecified', '20'],
    ]);
  });
});

describe('event log CSV', () => {
  it('writes the wall time, then the deviation and the clock status of each event in columns of their own', () => {
    const s = {
      events: [
        { log: '0-0:99.98.0*255', time: '2024-05-07T03:10:00+02:00', code: 1, text: 'Power down', deviation: -120, clockStatus: 0x80 },
        { log: '0-0:99.98.0*255', time: '2024-05-07T03:12:00', code: 2, text: 'Power up', deviation: null, clockStatus: null },
        // A session written before these fields existed.
        { log: '0-0:99.98.0*255', time: '2024-05-07T04:00:00', code: 4, text: 'Clock adjusted' },
      ],
    } as unknown as SessionData;
    const t = sessionTable(s, 'events', 'fr');
    expect(t.columns.map((c) => c.header)).toEqual(['Journal', 'Heure', 'Code', 'Événement', 'Écart à UTC (min)', 'État de l’horloge']);
    expect([...t.rows]).toEqual([
      ['0-0:99.98.0*255', '2024-05-07 03:10:00', '1', 'Power down', '-120', '0x80'],
      ['0-0:99.98.0*255', '2024-05-07 03:12:00', '2', 'Power up', 'unspecified', ''],
      ['0-0:99.98.0*255', '2024-05-07 04:00:00', '4', 'Clock adjusted', '', ''],
    ]);
  });
});
