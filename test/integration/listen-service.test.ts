/**
 * Customer-port listening through the contract (what the renderer and the station call), against
 * the built-in virtual P1 meter: frames pushed live with their verdicts, a bad-CRC telegram
 * refused (no values) while listening goes on, one listener per port, every frame in the journal
 * as it arrives (the session is readable while open), keys never journaled, the session listed
 * with its count and exported to CSV.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventChannel, EventOf } from '../../shared/contract';
import type { ListenFrameEvent, ListenStarted, ListenStopped } from '../../shared/listen';
import type { ExportResult, OperationEnded, SessionData } from '../../shared/session';
import type { SessionSummary } from '../../shared/types';
import { testServices } from '../support/services';

const ctx = { client: 'test' };
const KEY = '000102030405060708090A0B0C0D0E0F';

function frames(s: ReturnType<typeof testServices>) {
  const seen: ListenFrameEvent[] = [];
  s.events.subscribe((c, p) => {
    if (c === 'listen:frame') seen.push(p as ListenFrameEvent);
  });
  const until = (pred: () => boolean, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = () =>
        pred() ? resolve() : Date.now() - started > timeoutMs ? reject(new Error(`not in ${timeoutMs} ms; ${seen.length} frame(s)`)) : setTimeout(tick, 20);
      tick();
    });
  return { seen, until };
}

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> {
  const env = await p;
  if (!env.ok) throw new Error(JSON.stringify(env.error));
  return env.value as T;
}

function onEnded(s: ReturnType<typeof testServices>, operationId: string): Promise<OperationEnded> {
  return new Promise((resolve) => {
    const off = s.events.subscribe(<E extends EventChannel>(c: E, p: EventOf<E>) => {
      if (c === 'operation:ended' && (p as OperationEnded).operationId === operationId) {
        off();
        resolve(p as OperationEnded);
      }
    });
  });
}

describe('listen:start / listen:stop on the virtual P1 meter', () => {
  it('decodes telegrams live, refuses a bad CRC without its values, journals each frame, exports', async () => {
    const s = testServices({ targets: { p1Meter: { intervalMs: 120, faults: ['bad-crc'] } } });
    const f = frames(s);
    const started = await ok<ListenStarted>(s.dispatcher.dispatch('listen:start', { target: 'virtual:p1', keys: { encryptionKey: KEY } }, ctx));
    expect(started.sessionId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    const ended = onEnded(s, started.operationId);
    try {
      await f.until(() => f.seen.length >= 5);
      // One listener per port.
      const again = await s.dispatcher.dispatch('listen:start', { target: 'virtual:p1' }, ctx);
      expect(again.ok).toBe(false);
      if (!again.ok) expect(again.error.code).toBe('PORT_BUSY');
      // The journal has every frame so far while listening goes on (crash-safe).
      const open = s.sessions.load(started.sessionId);
      expect(open.state).toBe('open');
      expect(open.pushes!.length).toBeGreaterThanOrEqual(5);
    } finally {
      const stopped = await ok<ListenStopped | null>(s.dispatcher.dispatch('listen:stop', { operationId: started.operationId }, ctx));
      expect(stopped?.sessionId).toBe(started.sessionId);
    }
    expect((await ended).sessionId).toBe(started.sessionId);

    const good = f.seen.filter((e) => e.frame.verdict.status === 'good');
    const bad = f.seen.filter((e) => e.frame.verdict.status === 'bad');
    expect(good.length).toBeGreaterThanOrEqual(2);
    expect(bad.length).toBeGreaterThanOrEqual(1);
    // Telegram 0 good, telegram 1 with a changed digit under the old CRC.
    expect(f.seen[0]!.frame.verdict.status).toBe('good');
    expect(f.seen[1]!.frame.verdict).toMatchObject({ status: 'bad', layer: 'crc-bad', code: 'BCC_MISMATCH' });
    expect(f.seen[1]!.frame.values).toEqual([]);
    expect(f.seen[1]!.frame.uncheckedCount).toBeGreaterThan(5);
    expect(f.seen[1]!.frame.verdict.remedy).toMatch(/cable/);
    for (const e of good) {
      expect(e.frame.kind).toBe('p1');
      expect(e.frame.crc).toBe('good');
      expect(e.frame.list?.id).toBe(f.seen[1]!.frame.list?.id);
      const power = e.frame.values.find((v) => v.obis.startsWith('1-0:1.7.0'));
      expect(power?.unit).toBe('kW');
      expect(power?.value).toMatch(/^\d+\.\d{3}$/);
    }
    expect(f.seen.map((e) => e.frame.n)).toEqual(f.seen.map((_, i) => i + 1));
    const last = f.seen.at(-1)!.counts;
    expect(last.messages).toBe(f.seen.length);
    expect(last.good + last.warnings + last.bad).toBe(last.messages);

    // The finished session: every frame, its setup without the key, listed with its count.
    const session = await ok<SessionData>(s.dispatcher.dispatch('sessions:get', { id: started.sessionId }, ctx));
    expect(session.state).toBe('done');
    expect(session.pushes!.length).toBe(f.seen.length);
    expect(session.pushes![1]!.values).toEqual([]);
    expect(session.listen).toEqual({ target: 'virtual:p1', line: 'p1', baudRate: 115200, format: '8N1', keyed: true, allowPlain: false });
    const file = readFileSync(join(s.dataDir, 'sessions', `${started.sessionId}.jsonl`), 'utf8');
    expect(file.toLowerCase()).not.toContain(KEY.toLowerCase());
    const list = await ok<SessionSummary[]>(s.dispatcher.dispatch('sessions:list', undefined, ctx));
    expect(list.find((x) => x.id === started.sessionId)?.pushCount).toBe(f.seen.length);

    const exported = await ok<ExportResult>(
      s.dispatcher.dispatch('sessions:export', { id: started.sessionId, what: 'pushes', dialect: 'comma-dot', lang: 'en' }, ctx),
    );
    const rows = readFileSync(exported.path, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(rows[0]).toBe('Time,List,Verdict,OBIS,Value,Unit');
    const badRows = rows.filter((r) => r.includes('bad (crc-bad)'));
    expect(badRows.length).toBe(bad.length);
    for (const r of badRows) expect(r).toMatch(/,bad \(crc-bad\),,,$/);
    const goodValues = good.reduce((n, e) => n + e.frame.values.length, 0);
    expect(rows.filter((r) => r.includes(',good,')).length).toBe(goodValues);
    expect(rows.some((r) => /,good,1-0:1\.7\.0[^,]*,\d+\.\d{3},kW$/.test(r))).toBe(true);
    await s.dispose();
  }, 40_000);

  it('a wrong line setting is heard as noise, not as values; the French verdict follows the language', async () => {
    const s = testServices({ targets: { p1Meter: { intervalMs: 100 } } });
    s.settings.set({ language: 'fr' });
    const f = frames(s);
    const started = await ok<ListenStarted>(s.dispatcher.dispatch('listen:start', { target: 'virtual:p1', line: 'p1-legacy' }, ctx));
    try {
      await f.until(() => f.seen.length >= 2);
    } finally {
      await s.dispatcher.dispatch('listen:stop', { operationId: started.operationId }, ctx);
    }
    expect(f.seen.every((e) => e.frame.verdict.status === 'bad' && e.frame.values.length === 0)).toBe(true);
    expect(f.seen[0]!.frame.verdict.message).toMatch(/[éèà]|Octets|Trame/);
    await s.dispose();
  }, 20_000);

  it('refuses a malformed key and an unknown port with a typed error, holding nothing', async () => {
    const s = testServices();
    const badKey = await s.dispatcher.dispatch('listen:start', { target: 'virtual:p1', keys: { encryptionKey: 'abc' } }, ctx);
    expect(badKey.ok).toBe(false);
    if (!badKey.ok) expect(badKey.error.code).toBe('INVALID_REQUEST');
    const missing = await s.dispatcher.dispatch('listen:start', { target: 'virtual:nothing' }, ctx);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.code).toBe('PORT_NOT_FOUND');
    expect(s.listen.size).toBe(0);
    expect(s.sessions.list()).toEqual([]);
    await s.dispose();
  });

  it('a pulled cable ends listening as failed, the session keeping every frame heard', async () => {
    const s = testServices({ targets: { p1Meter: { intervalMs: 100 } } });
    const f = frames(s);
    const started = await ok<ListenStarted>(s.dispatcher.dispatch('listen:start', { target: 'virtual:p1' }, ctx));
    const ended = onEnded(s, started.operationId);
    await f.until(() => f.seen.length >= 2);
    // The meter side goes away: the host end of the virtual pair reports LINK_LOST.
    expect(s.targets.pullCable('virtual:p1', 60_000)).toBe(true);
    const e = await ended;
    expect(e.state).toBe('failed');
    expect(e.error?.code).toBe('LINK_LOST');
    const session = s.sessions.load(started.sessionId);
    expect(session.state).toBe('failed');
    expect(session.pushes!.length).toBe(f.seen.length);
    expect(session.errors[0]?.code).toBe('LINK_LOST');
    await s.dispose();
  }, 20_000);
});
