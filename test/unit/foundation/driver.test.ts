import { describe, expect, it } from 'vitest';
import { OmrError } from '../../../shared/errors';
import type { Action, Machine } from '../../../electron/engine/machine';
import { createVirtualPair } from '../../../electron/link/virtual';
import { drive, redactedHex } from '../../../electron/runtime/driver';

/** A machine that never finishes: it waits for an answer that never satisfies it, and ignores cancel. */
function endless(onCancel: Action<never>[] = []): Machine<never> {
  return {
    start: (now) => [
      { type: 'send', bytes: Uint8Array.of(0x2f, 0x3f, 0x21), summary: 'request' },
      { type: 'wakeAt', at: now + 3_600_000 },
    ],
    receive: () => [],
    lineChanged: () => [],
    tick: (now) => [{ type: 'wakeAt', at: now + 3_600_000 }],
    cancel: () => onCancel,
  };
}

/** The run's end, or 'still running' after `ms` (a test must not hang when the watchdog is gone). */
async function endWithin(run: Promise<void>, ms: number): Promise<OmrError | 'resolved' | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'still running'>((r) => (timer = setTimeout(() => r('still running'), ms)));
  try {
    return await Promise.race([
      run.then(
        () => 'resolved' as const,
        (e: OmrError) => e,
      ),
      limit,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

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

  it('the deadline watchdog ends a machine that never finishes: OPERATION_DEADLINE, no byte received', async () => {
    const pair = createVirtualPair();
    const t0 = Date.now();
    const end = await endWithin(drive(pair.host, endless(), { deadlineMs: 60, cancelGraceMs: 40 }), 2000);
    expect(end).toMatchObject({ code: 'OPERATION_DEADLINE' });
    expect((end as OmrError).detail).toMatch(/60 ms limit passed on virtual E450; no byte received/);
    // The limit, then the grace for a clean sign-off: not before, and not much later.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('past the deadline, bytes that came are counted, and the end is never reported as CANCELLED', async () => {
    const pair = createVirtualPair();
    const wire: number[] = [];
    pair.meter.onData((b) => {
      wire.push(...b);
      // The meter answers something the machine never accepts.
      void pair.meter.write(Uint8Array.of(0x15, 0x15, 0x15, 0x15, 0x15));
    });
    // On cancel the machine signs off and fails as cancelled: the deadline is still the reason.
    const signOff: Action<never>[] = [
      { type: 'send', bytes: Uint8Array.of(0x01, 0x42, 0x30, 0x03), summary: 'break' },
      { type: 'fail', error: new OmrError('CANCELLED') },
    ];
    const end = await endWithin(drive(pair.host, endless(signOff), { deadlineMs: 80, cancelGraceMs: 1000 }), 2000);
    expect(end).toMatchObject({ code: 'OPERATION_DEADLINE' });
    expect((end as OmrError).detail).toMatch(/; 5 bytes received, the last \d+ ms before the end$/);
    expect((end as OmrError).cause).toMatchObject({ code: 'CANCELLED' });
    // The machine's sign-off went out before the end.
    await new Promise((r) => setImmediate(r));
    expect(wire).toEqual([0x2f, 0x3f, 0x21, 0x01, 0x42, 0x30, 0x03]);
  });

  it('a machine that finishes before its deadline ends normally, and the watchdog is disarmed', async () => {
    const pair = createVirtualPair();
    const machine: Machine<never> = { ...endless(), start: (now) => [{ type: 'wakeAt', at: now + 5 }], tick: () => [{ type: 'done' }] };
    expect(await endWithin(drive(pair.host, machine, { deadlineMs: 200 }), 2000)).toBe('resolved');
  });

  it('redacts secret ranges in the trace hex', () => {
    expect(redactedHex(Uint8Array.of(1, 2, 3, 4, 5), [[1, 3]])).toBe('01**0405');
    expect(
      redactedHex(Uint8Array.of(1, 2, 3, 4, 5, 6), [
        [1, 3],
        [3, 4],
        [5, 6],
      ]),
    ).toBe('01**05**');
  });
});
