/**
 * Monitoring over DLMS keeps its association between polls: polls 2..n carry no SNRM, AARQ,
 * RLRQ or DISC, only the GET of the clock and the registers (one GET-with-list); the association
 * dropped by the meter's inactivity timeout is made again once, in the same poll; an interval
 * too long for the timeout releases after each poll; close() releases what is held.
 * Against the real simulator (direct HDLC on a virtual pair).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import type { TraceEntry } from '../../shared/types';
import { dlmsPoll, keepsAssociation } from '../../electron/features/monitor/dlms-poll';
import type { PollResult } from '../../electron/features/monitor/poll';
import { dlmsOnVirtualPair, type DlmsServerKitOptions } from '../kit/meters';

let env: Awaited<ReturnType<typeof dlmsOnVirtualPair>> | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

async function meter(o: DlmsServerKitOptions = {}) {
  env = await dlmsOnVirtualPair(o);
  return env;
}

/** What a poll sent: HDLC frames (tx) and the APDUs they carried (info: AARQ, GET, RLRQ…). */
function kinds(trace: TraceEntry[]): string[] {
  return trace.filter((e) => e.dir === 'tx' || e.dir === 'info').map((e) => e.summary);
}
const has = (trace: TraceEntry[], re: RegExp) => kinds(trace).some((s) => re.test(s));

async function polls(n: number, o: { intervalS: number; between?: () => Promise<void>; password?: string } = { intervalS: 5 }) {
  const m = env!;
  const poll = dlmsPoll(() => DEFAULT_SETTINGS, { plan: 'instantaneous', intervalS: o.intervalS, hdlcDirect: true, password: o.password ?? '00000000' });
  const signal = new AbortController().signal;
  const out: { result: PollResult; trace: TraceEntry[] }[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) await o.between?.();
    const trace: TraceEntry[] = [];
    const result = await poll(m.host, signal, { onTrace: (e) => trace.push(e) });
    out.push({ result, trace });
  }
  return { poll, out };
}

describe('DLMS monitoring keeps the association between polls', () => {
  it('decides from the interval and the inactivity timeout', () => {
    expect(keepsAssociation(5)).toBe(true);
    expect(keepsAssociation(60, 120)).toBe(true);
    expect(keepsAssociation(110, 120)).toBe(false);
    expect(keepsAssociation(120, 120)).toBe(false);
    expect(keepsAssociation(900, 1000)).toBe(false);
    expect(keepsAssociation(850, 1000)).toBe(true);
  });

  it('polls 2..n send no SNRM, AARQ, RLRQ or DISC: one GET of the clock and the registers each', async () => {
    await meter();
    const { poll, out } = await polls(4);
    for (const { result } of out) {
      expect(result.error).toBeUndefined();
      expect(result.readings.map((r) => r.obis)).toContain('1-0:32.7.0*255');
      expect(result.readings.find((r) => r.obis === '1-0:32.7.0*255')!.value).toMatch(/^\d{3}(\.\d)?$/);
      expect(result.driftS).toBeDefined();
    }
    expect(has(out[0]!.trace, /SNRM/)).toBe(true);
    expect(has(out[0]!.trace, /AARQ/)).toBe(true);
    for (const { trace } of out.slice(1)) {
      expect(has(trace, /SNRM|AARQ|RLRQ|DISC/)).toBe(false);
      // One request carrying the clock and the 12 registers (the simulator grants GET-with-list).
      const infos = trace.filter((e) => e.dir === 'info' && /^GET with-list/.test(e.summary));
      expect(infos).toHaveLength(1);
      expect(infos[0]!.summary.split(', ')).toHaveLength(13);
    }
    // One association for the four polls.
    expect(env!.events.filter((e) => e.type === 'associated')).toHaveLength(1);
    expect(env!.events.some((e) => e.type === 'released' || e.type === 'disconnected')).toBe(false);
    await poll.close!();
    expect(env!.events.filter((e) => e.type === 'released')).toHaveLength(1);
    expect(env!.events.filter((e) => e.type === 'disconnected')).toHaveLength(1);
    // Closing twice is harmless.
    await poll.close!();
    expect(env!.events.filter((e) => e.type === 'disconnected')).toHaveLength(1);
  });

  it('associates again once, in the same poll, after the meter dropped the link for inactivity', async () => {
    await meter({ inactivityTimeoutMs: 150 });
    const { out } = await polls(2, { intervalS: 5, between: () => new Promise((r) => setTimeout(r, 400)) });
    expect(out[1]!.result.error).toBeUndefined();
    expect(out[1]!.result.readings.length).toBeGreaterThan(0);
    expect(has(out[1]!.trace, /SNRM/)).toBe(true);
    expect(out[1]!.trace.some((e) => e.dir === 'info' && /association lost/.test(e.summary))).toBe(true);
    expect(env!.events.filter((e) => e.type === 'associated')).toHaveLength(2);
  });

  it('releases after every poll when the interval is too long for the inactivity timeout', async () => {
    await meter();
    const { out } = await polls(2, { intervalS: 115 });
    for (const { trace, result } of out) {
      expect(result.error).toBeUndefined();
      expect(has(trace, /SNRM/)).toBe(true);
      expect(has(trace, /AARQ/)).toBe(true);
      expect(has(trace, /DISC/)).toBe(true);
    }
  });

  it('the public client: the registers are refused, the poll fails with READ_DENIED and keeps the clock', async () => {
    await meter();
    const poll = dlmsPoll(() => DEFAULT_SETTINGS, { plan: 'instantaneous', intervalS: 5, hdlcDirect: true });
    const r = await poll(env!.host, new AbortController().signal);
    expect(r.error?.code).toBe('READ_DENIED');
    expect(r.driftS).toBeDefined();
    await poll.close!();
  });
});
