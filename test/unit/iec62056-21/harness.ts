/** Helpers to drive a sans-IO machine with scripted bytes and times in tests. */
import type { Action } from '../../../electron/engine/machine';
import type { IecEvent } from '../../../electron/engine/iec62056-21/client';
import { fromLatin1, latin1 } from '../../../electron/engine/iec62056-21/codec';

export type A = Action<IecEvent>;

export const b = (s: string): Uint8Array => fromLatin1(s);
export const sends = (acts: A[]): string[] => acts.flatMap((a) => (a.type === 'send' ? [latin1(a.bytes)] : []));
export const events = (acts: A[]): IecEvent[] => acts.flatMap((a) => (a.type === 'event' ? [a.event] : []));
export const ofType = <T extends IecEvent['type']>(acts: A[], type: T): Extract<IecEvent, { type: T }>[] =>
  events(acts).filter((e): e is Extract<IecEvent, { type: T }> => e.type === type);
export const wake = (acts: A[]): number | undefined => {
  const w = acts.filter((a): a is Extract<A, { type: 'wakeAt' }> => a.type === 'wakeAt');
  return w.length ? w[w.length - 1]!.at : undefined;
};
export const setLine = (acts: A[]) => acts.find((a): a is Extract<A, { type: 'setLine' }> => a.type === 'setLine');
export const failure = (acts: A[]) => acts.find((a): a is Extract<A, { type: 'fail' }> => a.type === 'fail')?.error;
export const isDone = (acts: A[]) => acts.some((a) => a.type === 'done');
