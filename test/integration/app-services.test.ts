/**
 * The main-side services through the contract dispatcher (what the renderer calls), against the
 * demo meter: alignment, identify, a read journaled as it happens, cancel, doctor saved with the
 * session, export, and one operation per port.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventChannel, EventOf } from '../../shared/contract';
import type { AlignUpdate, OperationEnded } from '../../shared/session';
import { testServices } from '../support/services';

const ctx = { client: 'test' };

function collect(s: ReturnType<typeof testServices>) {
  const seen: { channel: EventChannel; payload: unknown }[] = [];
  s.events.subscribe((channel, payload) => seen.push({ channel, payload }));
  const waitFor = <E extends EventChannel>(channel: E, pred: (p: EventOf<E>) => boolean = () => true, timeoutMs = 30_000) =>
    new Promise<EventOf<E>>((resolve, reject) => {
      const hit = seen.find((e) => e.channel === channel && pred(e.payload as EventOf<E>));
      if (hit) return resolve(hit.payload as EventOf<E>);
      const t = setTimeout(() => reject(new Error(`no ${channel} in ${timeoutMs} ms`)), timeoutMs);
      const off = s.events.subscribe((c, p) => {
        if ((c as string) === channel && pred(p as unknown as EventOf<E>)) {
          clearTimeout(t);
          off();
          resolve(p as EventOf<E>);
        }
      });
    });
  return { seen, waitFor };
}

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const env = await p;
  if (!env.ok) throw new Error(JSON.stringify(env.error));
  return env.value as T;
}

describe('app services against the demo meter', () => {
  it('aligns until steady, then stops by itself and frees the port', async () => {
    const s = testServices({ alignGapMs: 50, targets: { virtualMeter: { pace: true } } });
    const { waitFor } = collect(s);
    const { operationId } = await ok<{ operationId: string }>(s.dispatcher.dispatch('align:start', { target: 'virtual:e450', steadyAfter: 2 }, ctx));
    const steady = await waitFor('align:update', (u: AlignUpdate) => u.operationId === operationId && u.state === 'steady');
    expect(steady).toMatchObject({ tries: 2, successRate: 1, lastOk: true, running: false, identLine: '/LGZ5\\2ZMF100AC.d2' });
    expect(steady.lastReactionMs).toBeGreaterThanOrEqual(0);
    await waitFor('operation:ended', (e: OperationEnded) => e.operationId === operationId);
    // The port is free again.
    await ok(s.dispatcher.dispatch('meter:identify', { target: 'virtual:e450' }, ctx));
  });

  it('shows echo-only in the alignment step and stops when asked', async () => {
    const s = testServices({ alignGapMs: 50, targets: { virtualMeter: { pace: true } } });
    const { waitFor } = collect(s);
    const { operationId } = await ok<{ operationId: string }>(
      s.dispatcher.dispatch('align:start', { target: 'virtual:e450', simFaults: ['echo', 'silence'] }, ctx),
    );
    const u = await waitFor('align:update', (x: AlignUpdate) => x.tries >= 1);
    expect(u).toMatchObject({ state: 'echo-only', echo: true, lastOk: false, lastError: { code: 'ECHO_ONLY' } });
    const stopped = await ok<AlignUpdate>(s.dispatcher.dispatch('align:stop', { operationId }, ctx));
    expect(stopped.running).toBe(false);
    await waitFor('operation:ended', (e: OperationEnded) => e.operationId === operationId);
  });

  it('identifies the meter and the modes it offers', async () => {
    const s = testServices();
    const r = await ok<{ identity: { manufacturer: string }; modes: object }>(s.dispatcher.dispatch('meter:identify', { target: 'virtual:e450' }, ctx));
    expect(r).toMatchObject({ identity: { manufacturer: 'LGZ', ident: 'ZMF100AC.d2' }, modes: { readout: true, modeE: true, reducedReactionTime: false } });
  });

  it('reads into a session journaled as it happens, and exports it', async () => {
    const s = testServices();
    const { waitFor, seen } = collect(s);
    const started = await ok<{ operationId: string; sessionId: string }>(s.dispatcher.dispatch('read:start', { target: 'virtual:e450', name: 'Cave B' }, ctx));
    const ended = await waitFor('operation:ended', (e: OperationEnded) => e.operationId === started.operationId);
    expect(ended).toMatchObject({ state: 'done', sessionId: started.sessionId });
    const pushed = seen.filter((e) => e.channel === 'session:readings').flatMap((e) => (e.payload as { readings: unknown[] }).readings);
    const session = await ok<{ readings: { obis: string }[]; state: string; identity: object; trace: { dir: string }[] }>(
      s.dispatcher.dispatch('sessions:get', { id: started.sessionId }, ctx),
    );
    expect(session.state).toBe('done');
    expect(session.readings.length).toBe(pushed.length);
    expect(session.identity).toMatchObject({ manufacturer: 'LGZ' });
    expect(session.trace.some((t) => t.dir === 'tx')).toBe(true);

    const report = await ok<{ checks: unknown[] }>(s.dispatcher.dispatch('doctor:run', { target: 'virtual:e450', sessionId: started.sessionId }, ctx));
    expect(report.checks).toHaveLength(6);
    const again = await ok<{ doctorReports: string[] }>(s.dispatcher.dispatch('sessions:get', { id: started.sessionId }, ctx));
    expect(again.doctorReports[0]).toMatch(/connection doctor/);

    await ok(s.dispatcher.dispatch('settings:set', { language: 'fr' }, ctx));
    const exp = await ok<{ path: string; rows: number }>(s.dispatcher.dispatch('sessions:export', { id: started.sessionId }, ctx));
    expect(exp.rows).toBe(session.readings.length);
    const csv = readFileSync(exp.path, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.split('\r\n')[0]).toBe(
      '\ufeffOBIS;Libellé;Adresse compteur;Valeur;Unité;Facteur d’échelle;Heure compteur;Heure PC;Source;Autres valeurs;Vérifié',
    );
    expect(csv).toMatch(/\r\n1-0:1\.8\.0\*255;Énergie active importée \(\+A\), totale;1\.8\.0;\d{6},\d{3};kWh;/);
  });

  it('cancels a read, keeping the session with what was read', async () => {
    const s = testServices({ targets: { virtualMeter: { pace: true } } });
    const { waitFor } = collect(s);
    await ok(s.dispatcher.dispatch('settings:set', { maxBaud: 300 }, ctx));
    const started = await ok<{ operationId: string; sessionId: string }>(s.dispatcher.dispatch('read:start', { target: 'virtual:e450' }, ctx));
    await waitFor('operation:progress', (p) => p.operationId === started.operationId && (p.bytes ?? 0) > 200);
    // A second operation on the same port is refused, not fought over.
    const busy = await s.dispatcher.dispatch('meter:identify', { target: 'virtual:e450' }, ctx);
    expect(busy).toMatchObject({ ok: false, error: { code: 'PORT_BUSY' } });
    expect(await ok(s.dispatcher.dispatch('operation:cancel', { operationId: started.operationId }, ctx))).toEqual({ cancelled: true });
    const ended = await waitFor('operation:ended', (e: OperationEnded) => e.operationId === started.operationId);
    expect(ended.state).toBe('cancelled');
    const session = await ok<{ state: string; readings: unknown[] }>(s.dispatcher.dispatch('sessions:get', { id: started.sessionId }, ctx));
    expect(session.state).toBe('cancelled');
    expect(session.readings.length).toBeGreaterThan(0);
    const list = await ok<{ id: string }[]>(s.dispatcher.dispatch('sessions:list', undefined, ctx));
    expect(list.map((x) => x.id)).toContain(started.sessionId);
  });

  it('answers an open failure directly with its typed error', async () => {
    const s = testServices();
    const r = await s.dispatcher.dispatch('read:start', { target: '/dev/ttyUSB-missing' }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'PORT_NOT_FOUND' } });
  });
});
