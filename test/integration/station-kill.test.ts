/**
 * kill -9 in the middle of each long operation: `omr read` (readout, DLMS registers, a 30-day load
 * profile) and the station's monitor (`omr serve --poll`) run in a child process against the
 * virtual E450 at real line speed; once the session holds part of the answer the child is killed
 * with SIGKILL, and the session read back (SessionStore) still holds everything that was in it at
 * the kill, every line whole, state `interrupted`. The figures go to the test output.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../electron/features/sessions/journal';
import type { SessionData } from '../../shared/session';
import { startOmr, type OmrChild } from './omr-child';

/** The only session of a data folder, once it exists (undefined before). */
function onlySession(store: SessionStore): SessionData | undefined {
  const list = store.list();
  return list.length ? store.load(list[0]!.id) : undefined;
}

/** Poll the data folder until `ready` holds for its session; bounded by `timeoutMs`. */
async function waitForSession(store: SessionStore, child: OmrChild, ready: (s: SessionData) => boolean, timeoutMs = 90_000): Promise<SessionData> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = onlySession(store);
    if (s && ready(s)) return s;
    if (child.child.exitCode !== null) throw new Error(`omr ended before the kill:\n${child.out()}\n${child.err()}`);
    if (Date.now() > deadline) throw new Error(`the session did not get there within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Kill with SIGKILL; the session afterwards, and every journal line checked whole. */
async function killAndReload(store: SessionStore, child: OmrChild): Promise<SessionData> {
  const t0 = Date.now();
  await child.kill('SIGKILL');
  expect(child.child.signalCode).toBe('SIGKILL');
  const id = store.list()[0]!.id;
  const text = readFileSync(join(store.dir, `${id}.jsonl`), 'utf8');
  // A kill between two writes leaves whole lines (each record is one write call).
  for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  const back = new SessionStore(store.dir).load(id);
  expect(back.state).toBe('interrupted');
  console.log(`  killed and reloaded in ${Date.now() - t0} ms`);
  return back;
}

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'omr-kill-'));
  return { dataDir, store: new SessionStore(join(dataDir, 'sessions')) };
}

describe('kill -9 keeps what was received', () => {
  it('omr read (readout): the identity, the frames and the data lines journaled before the kill', async () => {
    const { dataDir, store } = setup();
    const child = startOmr(['read', '--simulator', '--data-dir', dataDir]);
    const t0 = Date.now();
    // Killed mid-message: some data lines are in (unverified), the data message has not ended.
    const before = await waitForSession(store, child, (s) => !!s.identity && s.trace.length > 0 && s.readings.length >= 3);
    const back = await killAndReload(store, child);
    console.log(
      `readout: killed ${Date.now() - t0} ms in, identity ${back.identity?.raw}, ${back.trace.length} frames, ${before.readings.length} lines seen before the kill, ${back.readings.length} kept`,
    );
    expect(back.identity).toEqual(before.identity);
    expect(back.trace.length).toBeGreaterThanOrEqual(before.trace.length);
    expect(back.trace.slice(0, before.trace.length)).toEqual(before.trace);
    expect(back.readings.slice(0, before.readings.length)).toEqual(before.readings);
    expect(back.readingCount).toBe(back.readings.length);
    // Received before the BCC: kept, marked unverified, each whole (an OBIS code and a value group).
    for (const r of back.readings) expect(r).toMatchObject({ verified: false, source: 'readout', address: expect.stringMatching(/\S/) });
    expect(back.readings.some((r) => r.value !== '')).toBe(true);
    // The next read of the same meter goes to its end: each reading once, verified.
    const whole = setup();
    const again = startOmr(['read', '--simulator', '--no-pace', '--data-dir', whole.dataDir]);
    expect(await again.exited).toBe(0);
    const done = onlySession(whole.store)!;
    expect(done.state).toBe('done');
    expect(done.readings.every((r) => r.verified === undefined)).toBe(true);
    expect(new Set(done.readings.map((r) => r.address)).size).toBe(done.readings.length);
    expect(back.readings.length).toBeLessThan(done.readings.length);
    // The same data sets in the same order (the simulated meter's values move with its clock).
    expect(back.readings.map((r) => r.address)).toEqual(done.readings.slice(0, back.readings.length).map((r) => r.address));
  });

  it('omr read (DLMS registers): every reading journaled before the kill', async () => {
    const { dataDir, store } = setup();
    const child = startOmr(['read', '--simulator', '--protocol', 'dlms', '--password', '00000000', '--data-dir', dataDir]);
    const t0 = Date.now();
    const before = await waitForSession(store, child, (s) => s.readings.length >= 4);
    const back = await killAndReload(store, child);
    console.log(`DLMS registers: killed ${Date.now() - t0} ms in, ${before.readings.length} readings seen before the kill, ${back.readings.length} kept`);
    expect(back.readings.slice(0, before.readings.length)).toEqual(before.readings);
    for (const r of back.readings) expect(r).toMatchObject({ obis: expect.stringMatching(/^\d+-\d+:\d+\.\d+\.\d+\*\d+$/), source: 'dlms' });
  });

  it('omr read (30-day load profile): every complete row journaled before the kill, in order', async () => {
    const { dataDir, store } = setup();
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const child = startOmr(['read', '--simulator', '--password', '00000000', '--profile', '1-0:99.1.0', '--from', from, '--data-dir', dataDir]);
    const t0 = Date.now();
    const before = await waitForSession(store, child, (s) => (s.profile?.rows.length ?? 0) >= 100);
    const back = await killAndReload(store, child);
    const rows = back.profile!.rows;
    console.log(
      `30-day profile: killed ${Date.now() - t0} ms in, ${before.profile!.rows.length} rows seen before the kill, ${rows.length} kept (of ~${30 * 96})`,
    );
    expect(back.profile!.columns.length).toBeGreaterThan(1);
    expect(rows.slice(0, before.profile!.rows.length)).toEqual(before.profile!.rows);
    expect(rows.length).toBeLessThan(30 * 96);
    // Complete rows only: one value per column, times 15 minutes apart.
    for (const row of rows) expect(row).toHaveLength(back.profile!.columns.length);
    // Each time carries the meter's UTC offset (+00:00 from the simulator).
    const times = rows.map((r) => Date.parse(r[0]!));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(15 * 60_000);
  });

  it('omr serve --poll (the station monitor): every poll journaled before the kill', async () => {
    const { dataDir, store } = setup();
    const child = startOmr(['serve', '--listen', '127.0.0.1:0', '--simulator', '--poll', '2', '--data-dir', dataDir]);
    const t0 = Date.now();
    const before = await waitForSession(store, child, (s) => (s.polls?.filter((p) => p.ok).length ?? 0) >= 2);
    const back = await killAndReload(store, child);
    console.log(`station monitor: killed ${Date.now() - t0} ms in, ${before.polls!.length} polls seen before the kill, ${back.polls!.length} kept`);
    expect(back.monitor).toBeDefined();
    expect(back.polls!.slice(0, before.polls!.length)).toEqual(before.polls);
    // The next station start lists it as interrupted and serves its last values.
    const again = startOmr(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir]);
    try {
      const base = (await again.waitFor(/Meter station on (http:\S+)/))[1]!;
      const listed = (await (await fetch(new URL('/api/sessions', base))).json()).value as { id: string; state: string; pollCount: number }[];
      expect(listed).toEqual([expect.objectContaining({ id: back.id, state: 'interrupted', pollCount: back.polls!.length })]);
    } finally {
      await again.kill('SIGTERM');
    }
  });
});
