/**
 * Through the contract (the services' dispatcher, as the station's WebSocket and the app carry
 * it), against the virtual E450:
 * - a 10-day load profile cancelled 15 s in (paced meter: mid-read) ends `cancelled` with every
 *   row received kept and counted in the summary; reading the same range again asks the meter
 *   only for the rows after the last kept one, and the new session holds the whole range once;
 * - discover reads each object once, then the load profile and the event logs it lists;
 * - an events read is counted in the summary; a profile export writes every row the session has.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../shared/contract';
import type { ExportResult, OperationEnded, ReadStarted, SessionData } from '../../shared/session';
import type { Progress, SessionSummary, TraceEntry } from '../../shared/types';
import { testServices } from '../support/services';

type Services = ReturnType<typeof testServices>;

async function call<T>(s: Services, channel: string, request: unknown): Promise<T> {
  const env = (await s.dispatcher.dispatch(channel, request, { client: 'test' })) as Envelope<T>;
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.detail ?? env.error.message}`);
  return env.value;
}

/** Start a read; `ended` resolves with its end, `progress` and `trace` collect what was pushed. */
async function startRead(s: Services, request: object) {
  const progress: Progress[] = [];
  const trace: TraceEntry[] = [];
  let resolveEnded!: (e: OperationEnded) => void;
  const ended = new Promise<OperationEnded>((r) => (resolveEnded = r));
  let opId = '';
  const early: OperationEnded[] = [];
  const off = s.events.subscribe((channel, payload) => {
    if (channel === 'operation:progress') progress.push(payload as Progress);
    if (channel === 'trace') trace.push(payload as TraceEntry);
    if (channel === 'operation:ended') {
      const e = payload as OperationEnded;
      if (e.operationId === opId) resolveEnded(e);
      else early.push(e);
    }
  });
  const started = await call<ReadStarted>(s, 'read:start', request);
  opId = started.operationId;
  const before = early.find((e) => e.operationId === opId);
  if (before) resolveEnded(before);
  return { started, progress, trace, ended: ended.finally(off) };
}

// A row's time carries the meter's UTC offset (the simulator's deviation is 0: +00:00).
const minutes = (row: string[]) => Date.parse(row[0]!) / 60_000;

describe('a load profile cut short is kept, and the next read of the range continues it', () => {
  const paced = testServices();
  afterAll(() => paced.dispose());
  const from = new Date(Math.floor((Date.now() - 10 * 86_400_000) / 900_000) * 900_000).toISOString();
  let first: SessionData;

  it('cancelled 15 s in: ends cancelled, every row received kept and counted', async () => {
    const read = await startRead(paced, { target: 'virtual:e450', plan: 'profile', password: '00000000', from });
    await new Promise((r) => setTimeout(r, 15_000));
    const seenRows = Math.max(0, ...read.progress.map((p) => p.rows ?? 0));
    await call(paced, 'operation:cancel', { operationId: read.started.operationId });
    const ended = await read.ended;
    expect(ended.state).toBe('cancelled');
    first = await call<SessionData>(paced, 'sessions:get', { id: read.started.sessionId });
    const rows = first.profile!.rows;
    console.log(`cancelled at 15 s: ${rows.length} rows kept (progress said ${seenRows}), ${first.readings.length} readings`);
    expect(first.state).toBe('cancelled');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeGreaterThanOrEqual(seenRows);
    expect(rows.length).toBeLessThan(10 * 96);
    expect(first.profile!.from).toBe(from);
    const listed = (await call<SessionSummary[]>(paced, 'sessions:list', undefined)).find((x) => x.id === first.id)!;
    expect(listed).toMatchObject({ state: 'cancelled', profileRowCount: rows.length, readingCount: first.readings.length, target: 'virtual:e450' });
  }, 60_000);

  it('the same range again: only the rows after the last kept one are asked for; the range is whole once', async () => {
    const kept = first.profile!.rows;
    const t0 = Date.now();
    const read = await startRead(paced, { target: 'virtual:e450', plan: 'profile', password: '00000000', from });
    const ended = await read.ended;
    expect(ended.state).toBe('done');
    const second = await call<SessionData>(paced, 'sessions:get', { id: read.started.sessionId });
    const rows = second.profile!.rows;
    const lastProgress = read.progress.filter((p) => p.label.includes('buffer'));
    console.log(
      `continued in ${Date.now() - t0} ms: ${kept.length} kept + ${rows.length - kept.length} read = ${rows.length} rows; progress "${lastProgress.at(-2)?.label}"`,
    );
    expect(second.profile!.continued).toEqual({ sessionId: first.id, rows: kept.length, after: kept[kept.length - 1]![0] });
    expect(rows.slice(0, kept.length)).toEqual(kept);
    // Once each, 15 minutes apart, from the range's start to now.
    for (let i = 1; i < rows.length; i++) expect(minutes(rows[i]!) - minutes(rows[i - 1]!)).toBe(15);
    expect(rows.length).toBeGreaterThan(10 * 96 - 8);
    // The progress and the trace say it continues; the bytes received cover the new rows only.
    expect(lastProgress.some((p) => p.label.includes(`after ${kept[kept.length - 1]![0]}; ${kept.length} rows kept`))).toBe(true);
    expect(read.trace.some((e) => e.dir === 'info' && e.summary.includes(`${kept.length} rows kept from session ${first.id}`))).toBe(true);
    const listed = (await call<SessionSummary[]>(paced, 'sessions:list', undefined)).find((x) => x.id === second.id)!;
    expect(listed.profileRowCount).toBe(rows.length);

    // Export: as many CSV rows as the session holds.
    const exp = await call<ExportResult>(paced, 'sessions:export', { id: second.id, what: 'profile', lang: 'fr' });
    expect(exp.rows).toBe(rows.length);
    const lines = readFileSync(exp.path, 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean);
    expect(lines.length).toBe(rows.length + 1);
    // French: semicolons, decimal commas, times as Excel reads them.
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2};/);
  }, 120_000);
});

describe('discover, events and their counts', () => {
  const s = testServices({ targets: { virtualMeter: { pace: false } } });
  afterAll(() => s.dispose());

  it('discover reads each object once, then the load profile and the event logs', async () => {
    const read = await startRead(s, { target: 'virtual:e450', plan: 'discover', password: '00000000' });
    expect((await read.ended).state).toBe('done');
    const d = await call<SessionData>(s, 'sessions:get', { id: read.started.sessionId });
    const obis = d.readings.map((r) => r.obis);
    console.log(`discover: ${obis.length} readings, ${new Set(obis).size} distinct; ${d.profile?.rows.length} profile rows; ${d.events.length} events`);
    expect(new Set(obis).size).toBe(obis.length);
    expect(d.profile?.rows.length).toBeGreaterThan(0);
    expect(d.events.length).toBeGreaterThan(0);
    expect(d.warnings.some((w) => /load profile 1-0:99\.1\.0\*255: the last 24 hours/.test(w))).toBe(true);
    const listed = (await call<SessionSummary[]>(s, 'sessions:list', undefined)).find((x) => x.id === d.id)!;
    expect(listed).toMatchObject({ readingCount: obis.length, profileRowCount: d.profile!.rows.length, eventCount: d.events.length });
  });

  it('an events read: the summary counts the events saved; the export writes them all', async () => {
    const read = await startRead(s, { target: 'virtual:e450', plan: 'events', password: '00000000' });
    expect((await read.ended).state).toBe('done');
    const d = await call<SessionData>(s, 'sessions:get', { id: read.started.sessionId });
    expect(d.events.length).toBeGreaterThan(0);
    expect(d.eventCount).toBe(d.events.length);
    const listed = (await call<SessionSummary[]>(s, 'sessions:list', undefined)).find((x) => x.id === d.id)!;
    expect(listed.eventCount).toBe(d.events.length);
    const exp = await call<ExportResult>(s, 'sessions:export', { id: d.id, what: 'events' });
    expect(exp.rows).toBe(d.events.length);
  });
});
