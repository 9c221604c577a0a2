/**
 * Monitoring mode against the demo meter (pacing off, sub-second intervals through the service
 * option): statistics and journal, the contract's channels, a silent meter (failed polls with
 * back-off), a pulled and replugged cable (LINK_LOST, reconnect, resume), simulator values that
 * cross each rule's threshold (exactly one anomaly per crossing), and the window closing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventChannel, EventOf } from '../../shared/contract';
import { MonitorOptionsSchema, type MonitorAnomaly, type MonitorPoll, type MonitorStats, type MonitorStartRequest } from '../../shared/monitor';
import type { OperationEnded } from '../../shared/session';
import { backoffMs } from '../../electron/features/monitor/monitor';
import { testServices } from '../support/services';

const ctx = { client: 'test' };
const TARGET = 'virtual:e450';

function setup(overrides: Parameters<typeof testServices>[0] = {}) {
  const s = testServices({ targets: { virtualMeter: { pace: false } }, monitor: { minIntervalS: 0.05, backoffBaseMs: 100 }, ...overrides });
  // Unpaced, the demo meter answers the option select 200 ms later: switch speed at once.
  s.settings.set({ baudSwitchDelayMs: 0 });
  const seen: { channel: EventChannel; payload: unknown }[] = [];
  s.events.subscribe((channel, payload) => seen.push({ channel, payload }));
  const polls = (opId: string) =>
    seen
      .filter(
        (e) =>
          e.channel === 'monitor:update' &&
          (e.payload as EventOf<'monitor:update'>).stats.operationId === opId &&
          (e.payload as EventOf<'monitor:update'>).poll,
      )
      .map((e) => (e.payload as EventOf<'monitor:update'>).poll!);
  const anomalies = (opId: string) =>
    seen
      .filter((e) => e.channel === 'monitor:anomaly' && (e.payload as EventOf<'monitor:anomaly'>).operationId === opId)
      .map((e) => (e.payload as EventOf<'monitor:anomaly'>).anomaly);
  const start = (req: Omit<MonitorStartRequest, 'target'> & { target?: string }) => s.monitor.start(MonitorOptionsSchema.parse({ target: TARGET, ...req }));
  /** Wait until `n` more polls (than now) have ended. */
  const morePolls = async (opId: string, n: number, timeout = 20_000) => {
    const base = polls(opId).length;
    await expect.poll(() => polls(opId).length, { timeout, interval: 20 }).toBeGreaterThanOrEqual(base + n);
    return polls(opId);
  };
  return { s, seen, polls, anomalies, start, morePolls };
}

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const env = await p;
  if (!env.ok) throw new Error(JSON.stringify(env.error));
  return env.value as T;
}

describe('monitoring against the demo meter', () => {
  it('polls, keeps statistics, journals every poll, and stops cleanly through the contract', async () => {
    const { s, seen, polls, morePolls } = setup();
    // The contract keeps a few seconds as its minimum.
    expect(await s.dispatcher.dispatch('monitor:start', { target: TARGET, intervalS: 0.5 }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
    // A wrong port answers at once with its typed error, and no session is made.
    expect(await s.dispatcher.dispatch('monitor:start', { target: '/dev/ttyUSB-missing', intervalS: 5 }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'PORT_NOT_FOUND' },
    });
    expect(s.sessions.list()).toEqual([]);
    const started = await ok<{ operationId: string; sessionId: string }>(
      s.dispatcher.dispatch('monitor:start', { target: TARGET, intervalS: 30, name: 'Night watch' }, ctx),
    );
    // The first poll starts at once; the next would be in 30 s: "read now" polls at once.
    await morePolls(started.operationId, 1);
    for (let i = 0; i < 2; i++) {
      await ok(s.dispatcher.dispatch('monitor:readNow', { operationId: started.operationId }, ctx));
      await morePolls(started.operationId, 1);
    }
    const live = s.monitor.status(started.operationId)!;
    expect(live).toMatchObject({ running: true, polls: 3, succeeded: 3, failed: 0, health: 'good', intervalS: 30 });
    expect(Date.parse(live.nextPollAt!) - Date.now()).toBeGreaterThan(20_000);
    const stats = await ok<MonitorStats>(s.dispatcher.dispatch('monitor:stop', { operationId: started.operationId }, ctx));
    expect(stats).toMatchObject({ running: false, health: 'stopped', polls: 3, succeeded: 3, failed: 0, consecutiveFailures: 0, anomalies: 0 });
    // The demo meter reacts 200 ms after the request, measured from the end of the request on a 300 baud wire.
    expect(stats.meanReactionMs).toBeGreaterThan(0);
    expect(stats.worstReactionMs).toBeGreaterThanOrEqual(stats.meanReactionMs!);
    expect(stats.lastSuccessAt).toBe(polls(started.operationId).at(-1)!.t);
    const p = polls(started.operationId)[0]!;
    expect(p.ok).toBe(true);
    expect(Object.keys(p.values!).sort()).toEqual(['Eexp', 'Eimp', 'F', 'I1', 'I2', 'I3', 'P', 'PF', 'U1', 'U2', 'U3', 'drift']);
    expect(p.values!.U1).toMatch(/^\d{3}\.\d$/);
    expect(Math.abs(Number(p.values!.drift))).toBeLessThanOrEqual(2);

    const ended = seen.find((e) => e.channel === 'operation:ended' && (e.payload as OperationEnded).operationId === started.operationId)?.payload;
    expect(ended).toMatchObject({ state: 'done', sessionId: started.sessionId });
    // The journal reopens with its setup and its polls.
    const session = await ok<{
      state: string;
      name: string;
      polls: MonitorPoll[];
      anomalies?: MonitorAnomaly[];
      monitor: { intervalS: number; plan: string };
      identity: object;
      trace: unknown[];
    }>(s.dispatcher.dispatch('sessions:get', { id: started.sessionId }, ctx));
    expect(session).toMatchObject({ state: 'done', name: 'Night watch', monitor: { intervalS: 30, plan: 'instantaneous' }, identity: { manufacturer: 'LGZ' } });
    expect(session.polls).toEqual(polls(started.operationId));
    expect(session.trace.length).toBeGreaterThan(0);
    const list = await ok<{ id: string; pollCount?: number; anomalyCount?: number }[]>(s.dispatcher.dispatch('sessions:list', undefined, ctx));
    expect(list.find((x) => x.id === started.sessionId)).toMatchObject({ pollCount: 3, anomalyCount: 0 });
    // The port is free again.
    await ok(s.dispatcher.dispatch('meter:identify', { target: TARGET }, ctx));
    // Stopping again answers null.
    expect(await ok(s.dispatcher.dispatch('monitor:stop', { operationId: started.operationId }, ctx))).toBeNull();

    // CSV of the polls: same dialect rules as the other exports.
    await ok(s.dispatcher.dispatch('settings:set', { language: 'fr' }, ctx));
    const exp = await ok<{ path: string; rows: number }>(s.dispatcher.dispatch('sessions:export', { id: started.sessionId, what: 'polls' }, ctx));
    expect(exp.rows).toBe(3);
    const lines = readFileSync(exp.path, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^\ufeffHeure PC;OK;Temps de réaction \(ms\);.*;Tension L1 \(V\);/);
    expect(lines[1]).toMatch(/;1;\d+;\d+;.*;\d{3},\d;/);
  });

  it('a silent meter: failed polls retried with growing back-off, health down, stop still clean', async () => {
    const { s, polls, morePolls, start } = setup();
    await ok(s.dispatcher.dispatch('settings:set', { reactionTimeoutMs: 150 }, ctx));
    const { operationId, sessionId } = await start({ intervalS: 1, simFaults: ['silence'] });
    const got = await morePolls(operationId, 5);
    expect(got.every((p) => !p.ok && p.error?.code === 'NO_ECHO_NO_ANSWER')).toBe(true);
    // The gap after the n-th failure: min(interval, 100 ms × 2^(n−1)).
    const gaps = got.slice(1, 5).map((p, i) => Date.parse(p.t) - p.durationMs! - Date.parse(got[i]!.t));
    gaps.forEach((g, i) => {
      expect(g, `gap ${i + 1}`).toBeGreaterThanOrEqual(backoffMs(i + 1, 1000, 100) - 5);
      expect(g, `gap ${i + 1}`).toBeLessThan(backoffMs(i + 1, 1000, 100) + 400);
    });
    expect(backoffMs(5, 1000, 100)).toBe(1000);
    expect(s.monitor.status(operationId)).toMatchObject({ health: 'down', failed: got.length, succeeded: 0, lastError: { code: 'NO_ECHO_NO_ANSWER' } });
    const stats = await s.monitor.stop(operationId);
    expect(stats).toMatchObject({ running: false, succeeded: 0 });
    const session = s.sessions.load(sessionId);
    expect(session.state).toBe('done');
    expect(session.polls!.length).toBe(stats!.polls);
    expect(polls(operationId).length).toBe(stats!.polls);
  });

  it('unplug and replug: LINK_LOST, failed reopen attempts, reconnect, polling resumes', async () => {
    const { s, morePolls, start } = setup();
    const { operationId } = await start({ intervalS: 0.3 });
    await morePolls(operationId, 2);
    expect(s.targets.pullCable(TARGET, 1200)).toBe(true);
    // Back to good polls after the cable is back.
    await expect
      .poll(
        () => {
          const st = s.monitor.status(operationId)!;
          return st.reconnects >= 1 && st.consecutiveFailures === 0 && st.failed > 0;
        },
        { timeout: 15_000, interval: 50 },
      )
      .toBe(true);
    const after = await morePolls(operationId, 2);
    const stats = await s.monitor.stop(operationId);
    const codes = after.map((p) => (p.ok ? 'ok' : p.error!.code));
    const firstFail = codes.findIndex((c) => c !== 'ok');
    expect(codes[firstFail]).toBe('LINK_LOST');
    // While the cable is out the target cannot be opened; then polls succeed again.
    const rest = codes.slice(firstFail + 1);
    expect(rest).toContain('PORT_NOT_FOUND');
    expect(rest.slice(rest.lastIndexOf('PORT_NOT_FOUND') + 1).every((c) => c === 'ok')).toBe(true);
    expect(rest.at(-1)).toBe('ok');
    expect(stats).toMatchObject({ reconnects: 1, consecutiveFailures: 0 });
    expect(stats!.succeeded).toBeGreaterThanOrEqual(4);
  });

  it('values crossing each threshold give exactly one anomaly per crossing, journaled and exported', async () => {
    let stage = 0;
    const pad = (n: number) => String(n).padStart(2, '0');
    const STAGES: ((now: number) => Record<string, string>)[] = [
      () => ({}),
      () => ({ '32.7.0': '260.0' }),
      () => ({ '32.7.0': '262.0' }), // still above: nothing new
      () => ({}),
      () => ({ '32.7.0': '258.0' }), // a second crossing
      () => ({ '72.7.0': '000.0' }),
      () => ({ '51.7.0': '070.00' }),
      () => ({ '14.7.0': '49.30' }),
      () => ({ '13.7.0': '0.500' }),
      () => ({ '2.7.0': '01.500*kW' }),
      () => ({ '1.8.0': '000001.000' }),
      () => ({}),
      (now) => {
        const d = new Date(now + 600_000);
        return {
          '0.9.1': `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
          '0.9.2': `${pad(d.getUTCFullYear() % 100)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
        };
      },
      () => ({}),
    ];
    const { s, anomalies, morePolls, start } = setup({ targets: { virtualMeter: { pace: false, data: { overrides: (now) => STAGES[stage]!(now) } } } });
    const { operationId, sessionId } = await start({ intervalS: 0.05 });
    for (stage = 0; stage < STAGES.length; stage++) await morePolls(operationId, 2);
    const stats = await s.monitor.stop(operationId);
    const got = anomalies(operationId);
    expect(got.map((a) => `${a.rule}:${a.channel}:${a.side}`)).toEqual([
      'voltage:L1:above',
      'voltage:L1:above',
      'phaseMissing:L3:below',
      'current:L2:above',
      'frequency::below',
      'powerFactor::below',
      'export::above',
      'energyBackwards:1.8.0:below',
      'clockDrift::above',
    ]);
    expect(got[0]).toMatchObject({ value: '260.0', threshold: '253', unit: 'V' });
    expect(got[1]).toMatchObject({ value: '258.0' });
    expect(got[3]).toMatchObject({ value: '070.00', threshold: '60', unit: 'A' });
    expect(got[6]).toMatchObject({ value: '01.500', threshold: '0', unit: 'kW' });
    expect(got[7]).toMatchObject({ value: '000001.000' });
    expect(Number(got[8]!.value)).toBeGreaterThanOrEqual(598);
    expect(stats!.anomalies).toBe(9);
    expect(stats!.failed).toBe(0);
    const session = s.sessions.load(sessionId);
    expect(session.anomalies).toEqual(got);
    const exp = await ok<{ path: string; rows: number }>(s.dispatcher.dispatch('sessions:export', { id: sessionId, what: 'anomalies' }, ctx));
    expect(exp.rows).toBe(9);
    const csv = readFileSync(exp.path, 'utf8').split('\r\n');
    expect(csv[0]).toBe('\ufeffTime,Rule,Channel,Measured value,Threshold,Side,Unit');
    expect(csv[1]).toMatch(/^\d{4}-\d\d-\d\d[ T][^,]+,voltage,L1,260\.0,253,above,V$/);
  });

  it('the window closing (dispose) stops running monitors with their journals complete', async () => {
    const { s, morePolls, start } = setup();
    const a = await start({ intervalS: 0.2 });
    await morePolls(a.operationId, 1);
    expect(s.monitor.size).toBe(1);
    await s.dispose();
    expect(s.monitor.size).toBe(0);
    expect(s.sessions.isOpen(a.sessionId)).toBe(false);
    expect(s.sessions.load(a.sessionId).state).toBe('done');
  });

  it('polls over DLMS/COSEM (reading client, instantaneous values and the clock) when asked', async () => {
    const { s, morePolls, start } = setup();
    // The public client may not read the registers: every poll fails with READ_DENIED.
    const pub = await start({ intervalS: 0.2, protocol: 'dlms' });
    const denied = await morePolls(pub.operationId, 1);
    await s.monitor.stop(pub.operationId);
    expect(denied[0]).toMatchObject({ ok: false, error: { code: 'READ_DENIED' } });
    const { operationId, sessionId } = await start({ intervalS: 0.2, protocol: 'dlms', password: '00000000' });
    const got = await morePolls(operationId, 2);
    const stats = await s.monitor.stop(operationId);
    expect(got.slice(0, 2).every((p) => p.ok)).toBe(true);
    expect(got[1]!.values).toMatchObject({
      U1: expect.stringMatching(/^\d{3}(\.\d)?$/),
      F: expect.stringMatching(/^\d\d(\.\d+)?$/),
      Eimp: expect.stringMatching(/^\d+(\.\d{1,3})?$/),
      drift: expect.stringMatching(/^-?\d+$/),
    });
    expect(Math.abs(Number(got[1]!.values!.drift))).toBeLessThanOrEqual(2);
    expect(stats).toMatchObject({ failed: 0, reconnects: 0 });
    // The password is never journaled.
    expect(readFileSync(join(s.dataDir, 'sessions', `${sessionId}.jsonl`), 'utf8')).not.toMatch(/"00000000"|3030303030303030/);
  });

  it('stops by itself after its duration', async () => {
    const { s, start } = setup();
    const { operationId, sessionId } = await start({ intervalS: 0.2, durationS: 1.5 });
    const stats = await s.monitor.ended(operationId);
    expect(stats).toMatchObject({ running: false });
    expect(stats!.polls).toBeGreaterThanOrEqual(2);
    expect(s.sessions.load(sessionId).state).toBe('done');
  });
});
