/**
 * Range bounds of a profile read are the meter's wall time, computed right on both sides of a
 * daylight saving change: a range across the last Sunday of October 2026 (25 October, 03:00 CEST
 * → 02:00 CET) read in November in Europe/Paris.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBound } from '../../../electron/features/read/plans-profile';

const saved = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Europe/Paris';
});
afterAll(() => {
  if (saved === undefined) delete process.env.TZ;
  else process.env.TZ = saved;
});

const wall = (b: ReturnType<typeof parseBound>) => [b.year, b.month, b.day, b.hour, b.minute, b.second];
const NOVEMBER = Date.parse('2026-11-20T10:00:00Z');
const JULY = Date.parse('2026-07-01T10:00:00Z');

describe('profile range bounds across a DST change (Europe/Paris)', () => {
  it('the zone is in force in this test', () => {
    expect(new Date(NOVEMBER).getTimezoneOffset()).toBe(-60);
    expect(new Date(JULY).getTimezoneOffset()).toBe(-120);
  });

  it('a meter on the PC zone (deviation −60 stated in November): summer bounds in summer time, winter bounds in winter time', () => {
    // 24 Oct 22:00Z is 25 Oct 00:00 CEST: before the change.
    expect(wall(parseBound('2026-10-24T22:00:00Z', -60, NOVEMBER))).toEqual([2026, 10, 25, 0, 0, 0]);
    // 00:59:59Z is still 02:59:59 CEST; 01:00Z is 02:00 CET.
    expect(wall(parseBound('2026-10-25T00:59:59Z', -60, NOVEMBER))).toEqual([2026, 10, 25, 2, 59, 59]);
    expect(wall(parseBound('2026-10-25T01:00:00Z', -60, NOVEMBER))).toEqual([2026, 10, 25, 2, 0, 0]);
    // 26 Oct 00:00Z is 01:00 CET: after the change.
    expect(wall(parseBound('2026-10-26T00:00:00Z', -60, NOVEMBER))).toEqual([2026, 10, 26, 1, 0, 0]);
    // Read in July (deviation −120 then), the same bounds.
    expect(wall(parseBound('2026-10-24T22:00:00Z', -120, JULY))).toEqual([2026, 10, 25, 0, 0, 0]);
    expect(wall(parseBound('2026-10-26T00:00:00Z', -120, JULY))).toEqual([2026, 10, 26, 1, 0, 0]);
    // Deviation and status are "not specified" in a bound.
    const b = parseBound('2026-10-24T22:00:00Z', -60, NOVEMBER);
    expect([b.deviation, b.clockStatus]).toEqual([null, null]);
  });

  it('a meter on UTC (deviation 0) keeps its fixed offset; no deviation: the PC local time', () => {
    expect(wall(parseBound('2026-10-24T22:00:00Z', 0, NOVEMBER))).toEqual([2026, 10, 24, 22, 0, 0]);
    expect(wall(parseBound('2026-10-26T00:00:00Z', 0, NOVEMBER))).toEqual([2026, 10, 26, 0, 0, 0]);
    expect(wall(parseBound('2026-10-24T22:00:00Z', undefined, NOVEMBER))).toEqual([2026, 10, 25, 0, 0, 0]);
    expect(wall(parseBound('2026-10-26T00:00:00Z', undefined, NOVEMBER))).toEqual([2026, 10, 26, 1, 0, 0]);
  });
});
