/**
 * A profile's CSV: a row time with a UTC offset is written as the meter's wall time (as
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
