import { describe, expect, it } from 'vitest';
import type { Action, Machine } from '../../../electron/engine/machine';
import { createVirtualPair } from '../../../electron/link/virtual';
import { drive, redactedHex } from '../../../electron/runtime/driver';

describe('driver', () => {
  it('never ticks a machine before the time it asked for (timers may fire early)', async () => {
    const pair = createVirtualPair();
    const ticks: { at: number; now: number }[] = [];
    let at = 0;
    let n = 0;
    // A machine that loses its deadline when ticked early, as a strict one may.
    const machine: Machine<never> = {
      start: (now) => [{ type: 'wakeAt', at: (at = now + 3) }],
      receive: () => [],
      lineChanged: () => [],
      cancel: () => [{ type: 'done' }],
      tick: (now): Action<never>[] => {
        ticks.push({ at, now });
        if (now < at) return [];
        if (++n === 40) return [{ type: 'done' }];
        return [{ type: 'wakeAt', at: (at = now + 1 + (n % 3)) }];
      },
    };
    await drive(pair.host, machine);
    expect(ticks).toHaveLength(40);
    for (const t of ticks) expect(t.now).toBeGreaterThanOrEqual(t.at);
  });

  it('redacts secret ranges in the trace hex', () => {
    expect(redactedHex(Uint8Array.of(1, 2, 3, 4, 5), [[1, 3]])).toBe('01****0405');
  });
});
