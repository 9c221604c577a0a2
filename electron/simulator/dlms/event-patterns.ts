/**
 * The simulated meter's event history: patterns of events (power down then up, cover opened…)
 * placed in time slots by a hash of the meter's seed, so the same meter always shows the same
 * history and new events appear as time passes.
 */
import { rng, type E450Data } from '../e450-data';

export interface MeterEvent {
  time: number;
  code: number;
}

/** A pattern of events that happen together (e.g. power down, then power up minutes later). */
type Pattern = { code: number; afterMs: [number, number] }[];

export interface EventSpec {
  salt: number;
  /** Length of a slot; each slot holds at most one pattern. */
  slotMs: number;
  /** Probability that a slot holds a pattern. */
  chance: number;
  patterns: Pattern[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** Standard event log: codes from the IDIS table of electron/engine/cosem/events.ts. */
export const STANDARD_EVENTS: EventSpec = {
  salt: 0x5e1,
  slotMs: 3 * DAY,
  chance: 0.45,
  patterns: [
    [
      { code: 1, afterMs: [0, 0] },
      { code: 2, afterMs: [2 * MIN, 3 * HOUR] },
    ],
    [
      { code: 1, afterMs: [0, 0] },
      { code: 2, afterMs: [5_000, 2 * MIN] },
    ],
    [
      { code: 4, afterMs: [0, 0] },
      { code: 5, afterMs: [0, 0] },
    ],
    [
      { code: 40, afterMs: [0, 0] },
      { code: 41, afterMs: [5 * MIN, 40 * MIN] },
    ],
    [
      { code: 44, afterMs: [0, 0] },
      { code: 45, afterMs: [MIN, 10 * MIN] },
    ],
    [{ code: 10, afterMs: [0, 0] }],
    [{ code: 9, afterMs: [0, 0] }],
    [
      { code: 17, afterMs: [0, 0] },
      { code: 18, afterMs: [HOUR, 6 * HOUR] },
    ],
  ],
};

/**
 * Power-quality event log: supply interruptions (power down / power up, codes 1 and 2 of the
 * IDIS table), short and long. IDIS voltage sag/swell codes are not in the engine's event table
 * yet, so they are not generated.
 */
export const POWER_QUALITY_EVENTS: EventSpec = {
  salt: 0x7a4,
  slotMs: 5 * DAY,
  chance: 0.5,
  patterns: [
    [
      { code: 1, afterMs: [0, 0] },
      { code: 2, afterMs: [1_000, 3 * MIN] },
    ],
    [
      { code: 1, afterMs: [0, 0] },
      { code: 2, afterMs: [3 * MIN, 4 * HOUR] },
    ],
  ],
};

function mix(seed: number, slot: number, salt: number): number {
  let h = (Math.imul(seed, 0x9e3779b1) ^ Math.imul(slot, 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/** The events of a spec in [from, to], oldest first: a pure function of the seed (stable over time). */
export function generateEvents(data: E450Data, spec: EventSpec, from: number, to: number): MeterEvent[] {
  const out: MeterEvent[] = [];
  const first = Math.floor((from - data.start) / spec.slotMs) - 1;
  const last = Math.floor((to - data.start) / spec.slotMs);
  for (let j = first; j <= last; j++) {
    const r = rng(mix(data.seed, j, spec.salt));
    if (r() >= spec.chance) continue;
    const pattern = spec.patterns[Math.floor(r() * spec.patterns.length)]!;
    let t = data.start + j * spec.slotMs + Math.floor(r() * (spec.slotMs - 8 * HOUR));
    t = Math.floor(t / 1000) * 1000;
    for (const e of pattern) {
      t += e.afterMs[0] + Math.floor((r() * (e.afterMs[1] - e.afterMs[0])) / 1000) * 1000;
      if (t >= from && t <= to) out.push({ time: t, code: e.code });
    }
  }
  return out.sort((a, b) => a.time - b.time);
}
