/**
 * The IEC 62056-21 reaction times in one table, for both sides: the client waits by it (how long
 * for an answer, between two characters, before changing speed) and the simulated meter answers
 * by it (never sooner than the shortest reaction time). Meter families may differ from the
 * standard's figures: a small built-in table keyed by the manufacturer flag, overridden by the
 * user's settings per flag.
 */

export interface IecTiming {
  /** Shortest time between the end of a message and the start of its answer (tr ≥ 200 ms). */
  reactionMinMs: number;
  /** Shortest reaction time for a meter whose flag has a lower-case third letter (20 ms). */
  reducedReactionMs: number;
  /** Longest time between the end of a message and the start of its answer (tr ≤ 1500 ms). */
  reactionMaxMs: number;
  /** Longest gap between two characters of one message (ta < 1500 ms). */
  interCharMaxMs: number;
  /** Pause after the option select before either side changes speed (200–400 ms). */
  baudSwitchMs: number;
}

/** The standard's figures. */
export const IEC_TIMING: Readonly<IecTiming> = Object.freeze({
  reactionMinMs: 200,
  reducedReactionMs: 20,
  reactionMaxMs: 1500,
  interCharMaxMs: 1500,
  baudSwitchMs: 300,
});

/** The standard's window for the pause before the speed change. */
export const BAUD_SWITCH_WINDOW_MS = { min: 200, max: 400 } as const;

export type TimingOverrides = Partial<IecTiming>;

/**
 * Built-in figures per meter family (manufacturer flag, upper case). `LGZ` (Landis+Gyr, the
 * virtual E450 included) keeps the standard's figures; an entry only lists what differs.
 */
export const FAMILY_TIMING: Readonly<Record<string, TimingOverrides>> = Object.freeze({
  LGZ: {},
});

function defined(o: TimingOverrides | undefined): TimingOverrides {
  const r: TimingOverrides = {};
  for (const [k, v] of Object.entries(o ?? {}) as [keyof IecTiming, number | undefined][]) {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) r[k] = v;
  }
  return r;
}

/**
 * The timing for a meter: the standard's, then `base` (the global settings), then the built-in
 * family entry, then the user's entry for that family. `manufacturer` unknown (before the
 * identification): the standard's and `base` only.
 */
export function timingFor(manufacturer: string | undefined, base?: TimingOverrides, families?: Readonly<Record<string, TimingOverrides>>): IecTiming {
  const flag = manufacturer?.toUpperCase();
  return {
    ...IEC_TIMING,
    ...defined(base),
    ...(flag ? defined(FAMILY_TIMING[flag]) : {}),
    ...(flag ? defined(families?.[flag] ?? families?.[manufacturer!]) : {}),
  };
}

/** Whether a manufacturer flag asks for the reduced reaction time (lower-case third letter). */
export function reducedReaction(manufacturer: string): boolean {
  const third = manufacturer[2] ?? 'A';
  return third >= 'a' && third <= 'z';
}

/** The shortest reaction time of a meter with this flag. */
export function minReactionMs(manufacturer: string, t: IecTiming): number {
  return reducedReaction(manufacturer) ? t.reducedReactionMs : t.reactionMinMs;
}
