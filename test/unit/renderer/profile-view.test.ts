/**
 * The profile view draws the meter's wall time as written, whatever UTC offset the row's time
 * carries, and never draws the clock status or deviation kept beside the time as a quantity.
 */
import { describe, expect, it } from 'vitest';
import type { ProfileData } from '../../../shared/session';
import { profileView } from '../../../renderer/src/profile-view';

const profile = (rows: string[][]): ProfileData => ({
  obis: '1-0:99.1.0*255',
  columns: [
    { obis: '0-0:1.0.0*255', attribute: 2, name: 'Clock', unit: '' },
    { obis: '0-0:1.0.0*255', attribute: 2, name: 'Clock status', unit: '', part: 'clockStatus' },
    { obis: '0-0:1.0.0*255', attribute: 2, name: 'Deviation from UTC', unit: 'min', part: 'deviation' },
    { obis: '1-0:1.8.0*255', attribute: 2, unit: 'Wh', scaler: 0 },
    { obis: '1-0:32.7.0*255', attribute: 2, unit: 'V', scaler: -1 },
  ],
  rows,
  capturePeriodS: 900,
});

describe('profileView', () => {
  it('reads times with an offset, without one (deviation unspecified) and in UTC as the wall time they show', () => {
    const v = profileView(
      profile([
        ['2024-05-07T00:15:00+01:00', '0x80', '-60', '100', '230.1'],
        ['2024-05-07T00:30:00', '0x80', 'unspecified', '110', '230.2'],
        ['2024-05-07T00:45:00+00:00', '0x00', '0', '125', '230.3'],
      ]),
    );
    expect(v.intervals.map((i) => new Date(i.t * 1000).toISOString())).toEqual([
      '2024-05-07T00:15:00.000Z',
      '2024-05-07T00:30:00.000Z',
      '2024-05-07T00:45:00.000Z',
    ]);
    expect(v.timeCol).toBe(0);
    expect(v.energyCols).toEqual([3]);
    // The status and deviation columns are numbers as text but no quantity: not drawn.
    expect(v.otherCols).toEqual([4]);
    expect(v.intervals.map((i) => i.deltas[0])).toEqual([null, 10, 15]);
  });
});
