/**
 * One timing table for both sides: the client waits by it, the simulated meter answers by it,
 * per meter family with the user's overrides on top.
 */
import { describe, expect, it } from 'vitest';
import { IEC_TIMING, IecClient, encodeIdentification, timingFor } from '../../../electron/engine/iec62056-21';
import type { IecAction } from '../../../electron/engine/iec62056-21/events';
import { IecMeter } from '../../../electron/simulator/iec/meter';

const wakeAt = (actions: IecAction[]) =>
  actions
    .filter((a) => a.type === 'wakeAt')
    .map((a) => (a as { at: number }).at)
    .pop();

describe('IEC 62056-21 timing table', () => {
  it('holds the standard figures; family entries and settings override them in order', () => {
    expect(IEC_TIMING).toEqual({ reactionMinMs: 200, reducedReactionMs: 20, reactionMaxMs: 1500, interCharMaxMs: 1500, baudSwitchMs: 300 });
    expect(timingFor(undefined, { reactionMaxMs: 2000 }).reactionMaxMs).toBe(2000);
    expect(timingFor('LGZ', { reactionMaxMs: 2000 }, { LGZ: { reactionMaxMs: 2500 } }).reactionMaxMs).toBe(2500);
    expect(timingFor('lgz', undefined, { LGZ: { interCharMaxMs: 900 } }).interCharMaxMs).toBe(900);
    expect(timingFor('ISK', undefined, { LGZ: { interCharMaxMs: 900 } }).interCharMaxMs).toBe(1500);
  });

  it('the simulated meter answers no sooner than the table allows (200 ms, 20 ms for a lower-case flag), no later than 1500 ms', () => {
    expect(new IecMeter({ reactionMs: 5 }).reactionMs).toBe(IEC_TIMING.reactionMinMs);
    expect(new IecMeter({ reactionMs: 5, data: { identification: { manufacturer: 'LGz', baudChar: '5', ident: 'X' } } }).reactionMs).toBe(
      IEC_TIMING.reducedReactionMs,
    );
    expect(new IecMeter({ reactionMs: 9000 }).reactionMs).toBe(IEC_TIMING.reactionMaxMs);
    expect(new IecMeter({ reactionMs: 9000, beyondStandard: true }).reactionMs).toBe(9000);
    expect(new IecMeter({ timing: { reactionMinMs: 350 } }).reactionMs).toBe(350);
  });

  it('the client waits by the family entry once the identification names the family', () => {
    const c = new IecClient({ purpose: 'readout', maxBaud: 300, timings: { LGZ: { reactionMaxMs: 4000, interCharMaxMs: 700 } } });
    const start = c.start(0);
    // Before the identification: the standard's 1500 ms after the request has left (5 chars at 300 baud).
    expect(wakeAt(start)).toBe(Math.ceil((5 * 10 * 1000) / 300) + 1500);
    const ident = encodeIdentification({ manufacturer: 'LGZ', baudChar: '0', ident: 'ZMD' });
    const after = c.receive(ident, 1100);
    // Option select at 300 baud (no switch), sent tr = 200 ms after the identification: the data
    // message is awaited with the family's 4000 ms after it has left.
    const leaves = 1100 + 200 + Math.ceil((6 * 10 * 1000) / 300);
    expect(wakeAt(after)).toBe(leaves + 4000);
    expect(wakeAt(c.receive(Uint8Array.of(0x02), 9000))).toBe(9000 + 700);
  });
});
