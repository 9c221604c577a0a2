/**
 * DlmsSession and the reading plans against the REAL simulator (the virtual E450's DLMS server,
 * run through the runtime by the test kit) on a virtual link, with the real Driver: association,
 * batching, scalers, per-object errors, the session ending errors with what was read kept,
 * cancel → RLRQ/DISC on the wire, secrets out of traces, and the invocation counter store. The
 * meter's clock is frozen at T so every value it gives is known exactly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeGetRequest } from '../../../electron/engine/dlms/get';
import { decodeDateTime } from '../../../electron/engine/dlms/datetime';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import { DlmsSession, InvocationCounterStore, openAssociation, type DlmsAddress } from '../../../electron/features/read/dlms-session';
import { BILLING_ITEMS, clockDriftSeconds, INSTANTANEOUS_ITEMS, itemFromText, PlanRun, type PlanContext } from '../../../electron/features/read/plan-run';
import { runPlan, type PlanSpec } from '../../../electron/features/read/plans';
import { parseKeyFile } from '../../../electron/features/read/dlms-read';
import type { TraceEntry } from '../../../shared/types';
import { cosemDateTime } from '../../../electron/engine/dlms/datetime';
import { dlmsOnVirtualPair, type DlmsServerKitOptions } from '../../kit/meters';
import { KEYS, PASSWORD, scaled } from '../../kit/dlms';

const PASSWORD_HEX = hex(new TextEncoder().encode(PASSWORD));
/** The meter's frozen clock (no DST change in the 60 days before it, whatever the PC's zone). */
const T = Date.UTC(2025, 7, 17, 10, 30, 0);

let env: Awaited<ReturnType<typeof dlmsOnVirtualPair>> | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

async function setup(o: DlmsServerKitOptions = {}) {
  env = await dlmsOnVirtualPair({ llsPassword: PASSWORD, now: () => T, ...o });
  const trace: TraceEntry[] = [];
  return { ...env, trace };
}

const address = (clientSap: number, extra: Partial<DlmsAddress> = {}): DlmsAddress => ({
  clientSap,
  serverLogical: 1,
  serverPhysical: 17,
  responseTimeoutMs: 1000,
  maxRetries: 2,
  ...extra,
});

async function lls(o: DlmsServerKitOptions = {}, password = PASSWORD, signal?: AbortSignal) {
  const e = await setup(o);
  const session = new DlmsSession({
    link: e.host,
    address: address(32),
    authentication: { mechanism: 'lls', password: new TextEncoder().encode(password) },
    onTrace: (t) => e.trace.push(t),
    ...(signal ? { signal } : {}),
  });
  return { ...e, session };
}

function context(session: DlmsSession, extra: Partial<PlanContext> = {}): PlanContext & { run: PlanRun } {
  return { session, run: new PlanRun(), ...extra };
}

async function runPlans(ctx: PlanContext, specs: PlanSpec[]) {
  try {
    for (const s of specs) await runPlan(ctx, s);
    return undefined;
  } catch (e) {
    return e as { code: string };
  }
}

const byObis = (run: PlanRun) => new Map(run.readings.map((r) => [r.obis, r]));
type Tapped = { tap: { apdus(sap: number): Uint8Array[] } };
const gets = (m: Tapped, sap: number) =>
  m.tap
    .apdus(sap)
    .filter((a) => a[0] === 0xc0)
    .map((a) => decodeGetRequest(a));

describe('DlmsSession', () => {
  it('associates with LLS, reads with GET-with-list, releases with RLRQ then DISC; the password never reaches the trace', async () => {
    const { session, tap, state, trace } = await lls();
    const info = await session.connect();
    expect(info.mechanism).toBe('lls');
    const results = await session.get([
      { classId: 3, obis: '1-0:1.8.0*255', attribute: 2 },
      { classId: 3, obis: '1-0:1.8.0*255', attribute: 3 },
    ]);
    expect(results).toEqual([
      { ok: true, value: { type: 'double-long-unsigned', value: state.data.energy(T).importWh } },
      {
        ok: true,
        value: {
          type: 'structure',
          value: [
            { type: 'integer', value: 0 },
            { type: 'enum', value: 30 },
          ],
        },
      },
    ]);
    expect(gets({ tap }, 32).map((g) => g.type)).toEqual(['with-list']);
    expect(await session.release()).toEqual({ clean: true });
    expect(tap.controls(32)).toEqual(['SNRM', 'I', 'I', 'I', 'DISC']);
    expect(tap.apdus(32).at(-1)![0]).toBe(0x62);
    // The password went on the wire…
    expect(new TextDecoder().decode(tap.aarqs()[0]!.authenticationValue)).toBe(PASSWORD);
    // …but the trace shows one ** per hidden stretch (not its length), and nothing of it elsewhere.
    const aarq = trace.find((t) => t.dir === 'tx' && t.summary.includes('info') && t.hex.includes('**'));
    expect(aarq?.hex).toMatch(/^7e\*\*[0-9a-f]+\*\*7e$/);
    expect(aarq?.hex).not.toContain('****');
    for (const t of trace) {
      expect(t.hex).not.toContain(PASSWORD_HEX);
      expect(t.summary).not.toContain(PASSWORD);
    }
  });

  it('a wrong password is AUTH_REJECTED, once: never retried, the link is closed', async () => {
    const { host, tap, events } = await setup();
    const bad = new DlmsSession({ link: host, address: address(32), authentication: { mechanism: 'lls', password: new TextEncoder().encode('wrong') } });
    await expect(bad.connect()).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
    expect(bad.failure?.code).toBe('AUTH_REJECTED');
    expect(await bad.release()).toEqual({ clean: false });
    await new Promise((r) => setTimeout(r, 20)); // the DISC crosses the virtual link
    expect(tap.aarqs()).toHaveLength(1);
    expect(tap.controls(32)).toEqual(['SNRM', 'I', 'DISC']);
    expect(events).toContainEqual({ type: 'rejected', clientSap: 32, reason: 'wrong password' });
  });

  it('the public client gets one GET per attribute (no GET-with-list)', async () => {
    const { host, tap, state } = await setup();
    const s = new DlmsSession({ link: host, address: address(16), authentication: { mechanism: 'none' } });
    await s.connect();
    const ctx = context(s);
    await runPlan(ctx, { plan: 'identify' });
    await s.release();
    expect(gets({ tap }, 16).length).toBeGreaterThan(1);
    expect(gets({ tap }, 16).every((g) => g.type === 'normal')).toBe(true);
    expect(ctx.run.identity).toMatchObject({
      logicalDeviceName: `LGZ${state.data.serial.padStart(13, '0')}`,
      serialNumber: state.data.serial,
      firmware: state.data.firmware,
    });
  });
});

describe('plans', () => {
  it('billing and instantaneous: exact scaling (currents with scaler −2), units from the table, scalers read once per session', async () => {
    const { session, tap, state } = await lls();
    await session.connect();
    const ctx = context(session);
    const progress: string[] = [];
    ctx.onProgress = (p) => progress.push(p.label);
    await runPlans(ctx, [{ plan: 'billing' }, { plan: 'instantaneous' }, { plan: 'billing' }]);
    await session.release();
    const r = byObis(ctx.run);
    const e = state.data.energy(T);
    const inst = state.data.instantaneous(T);
    expect(r.get('1-0:1.8.0*255')).toMatchObject({ value: String(e.importWh), unit: 'Wh', scaler: 0, raw: String(e.importWh), source: 'dlms' });
    expect(r.get('1-0:3.8.0*255')).toMatchObject({ value: String(e.reactiveImportVarh), unit: 'varh', scaler: 0 });
    const [l1, l2, l3] = inst.phases;
    expect(r.get('1-0:31.7.0*255')).toMatchObject({ value: scaled(l1!.centiamps, -2), unit: 'A', scaler: -2, raw: String(l1!.centiamps) });
    expect(r.get('1-0:51.7.0*255')).toMatchObject({ value: scaled(l2!.centiamps, -2), unit: 'A', scaler: -2 });
    expect(r.get('1-0:71.7.0*255')).toMatchObject({ value: scaled(l3!.centiamps, -2), unit: 'A', scaler: -2, raw: String(l3!.centiamps) });
    expect(r.get('1-0:32.7.0*255')).toMatchObject({ value: scaled(l1!.decivolts, -1), unit: 'V', scaler: -1 });
    expect(r.get('1-0:14.7.0*255')).toMatchObject({ value: scaled(inst.centihertz, -2), unit: 'Hz' });
    expect(r.get('1-0:13.7.0*255')).toMatchObject({ value: scaled(inst.powerFactorMilli, -3) });
    // An object the meter does not have (power factor L3) is a warning, not an error.
    expect(ctx.run.errors).toEqual([]);
    expect(ctx.run.warnings.some((w) => w.includes('1-0:73.7.0*255'))).toBe(true);
    // scaler_unit (attribute 3) of each register asked once although billing ran twice.
    const attr3 = gets({ tap }, 32)
      .flatMap((g) => (g.type === 'with-list' ? g.requests : g.type === 'normal' ? [g.request] : []))
      .filter((q) => q.attribute === 3);
    expect(attr3).toHaveLength(BILLING_ITEMS.length + INSTANTANEOUS_ITEMS.length);
    expect(progress).toContain('billing 1-0:4.8.0*255');
    expect(progress).toContain('instantaneous 1-0:31.7.0*255');
  });

  it('a READ_DENIED object is recorded and the plan goes on', async () => {
    const { session } = await lls({ deny: ['1-0:2.8.1*255/2'] });
    await session.connect();
    const ctx = context(session);
    const err = await runPlans(ctx, [{ plan: 'billing' }]);
    await session.release();
    expect(err).toBeUndefined();
    expect(ctx.run.errors).toEqual([expect.objectContaining({ code: 'READ_DENIED', detail: '1-0:2.8.1*255 attribute 2: read-write-denied' })]);
    expect(ctx.run.readings.map((r) => r.obis)).toEqual(BILLING_ITEMS.map((i) => i.obis).filter((o) => o !== '1-0:2.8.1*255'));
  });

  it('a value whose scaler_unit is denied is not shown (it would be off by powers of ten)', async () => {
    const { session } = await lls({ deny: ['1-0:31.7.0*255/3'] });
    await session.connect();
    const ctx = context(session);
    await runPlans(ctx, [{ plan: 'instantaneous', obis: ['1-0:31.7.0', '1-0:32.7.0'] }]);
    await session.release();
    expect(ctx.run.readings.map((r) => r.obis)).toEqual(['1-0:32.7.0*255']);
    expect(ctx.run.errors[0]).toMatchObject({ code: 'READ_DENIED', detail: expect.stringContaining('scaler_unit') });
  });

  it('identify: names, serial, firmware, clock and its drift from the PC clock', async () => {
    const { session, state } = await lls({ now: () => Date.now() + 42_000 });
    await session.connect();
    const ctx = context(session);
    await runPlan(ctx, { plan: 'identify' });
    await session.release();
    expect(ctx.run.identity!.driftSeconds).toBeGreaterThanOrEqual(41);
    expect(ctx.run.identity!.driftSeconds).toBeLessThanOrEqual(43);
    expect(ctx.run.identity!.clock).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(byObis(ctx.run).get('0-0:96.1.0*255')).toMatchObject({ value: state.data.serial, source: 'dlms' });
  });

  it('clock drift uses the deviation when the meter states it, and the PC local time otherwise', () => {
    const pc = Date.UTC(2024, 4, 7, 10, 0, 0);
    expect(clockDriftSeconds(cosemDateTime({ year: 2024, month: 5, day: 7, hour: 12, minute: 0, second: 30, deviation: -120 }), pc)).toBe(30);
    const local = new Date(pc);
    expect(
      clockDriftSeconds(
        cosemDateTime({
          year: local.getFullYear(),
          month: local.getMonth() + 1,
          day: local.getDate(),
          hour: local.getHours(),
          minute: local.getMinutes(),
          second: local.getSeconds() - 5,
        }),
        pc,
      ),
    ).toBe(-5);
    expect(clockDriftSeconds(cosemDateTime({ year: null, month: 5, day: 7, hour: 0, minute: 0, second: 0 }), pc)).toBeUndefined();
  });

  it('load profile over 60 days: range access with deviation not specified, columns with their scaler and unit, block transfer', async () => {
    const { session, tap, state } = await lls();
    await session.connect();
    const ctx = context(session);
    const day0 = new Date(T - 62 * 86_400_000);
    const from = new Date(day0.getFullYear(), day0.getMonth(), day0.getDate());
    const to = new Date(from.getTime() + 60 * 86_400_000);
    await runPlans(ctx, [{ plan: 'profile', from: from.toISOString(), to: to.toISOString() }]);
    await session.release();
    const p = ctx.run.profile!;
    expect(p.capturePeriodS).toBe(900);
    expect(p.columns).toEqual([
      { obis: '0-0:1.0.0*255', attribute: 2, name: 'Clock', unit: '' },
      // The clock's status and deviation of each row's time, beside it.
      { obis: '0-0:1.0.0*255', attribute: 2, name: 'Clock status', unit: '', part: 'clockStatus' },
      { obis: '0-0:1.0.0*255', attribute: 2, name: 'Deviation from UTC', unit: 'min', part: 'deviation' },
      { obis: '0-0:96.10.1*255', attribute: 2, unit: '' },
      expect.objectContaining({ obis: '1-0:1.8.0*255', unit: 'Wh', scaler: 0 }),
      expect.objectContaining({ obis: '1-0:2.8.0*255', unit: 'Wh', scaler: 0 }),
    ]);
    expect(p.rows).toHaveLength(60 * 96 + 1);
    // Each row is the meter's energy at its capture time (the meter keeps UTC: deviation 0, offset +00:00).
    for (const row of [p.rows[0]!, p.rows[1000]!, p.rows.at(-1)!]) {
      expect(row[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
      expect(row.slice(1, 3)).toEqual(['0x00', '0']);
      const e = state.data.energy(Date.parse(row[0]!));
      expect(row.slice(4)).toEqual([String(e.importWh), String(e.exportWh)]);
    }
    // The buffer request: range on the first capture object (the clock), deviation not specified.
    const bufReq = gets({ tap }, 32).find((g) => g.type === 'normal' && g.request.attribute === 2 && g.request.classId === 7);
    const params = bufReq?.type === 'normal' ? bufReq.request.access?.parameters : undefined;
    expect(params?.type).toBe('structure');
    const bounds = (params as { value: { type: string; value: string }[] }).value.slice(1, 3).map((v) => decodeDateTime(unhex(v.value)));
    expect(bounds.map((b) => [b.deviation, b.clockStatus])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(gets({ tap }, 32).filter((g) => g.type === 'next').length).toBeGreaterThan(50);
  });

  it('event logs: standard and power quality, with event names (a wrong password is logged as event 46)', async () => {
    // No lockout after the wrong password, so the reader may log in at once.
    const e = await lls({ lockoutMs: 0 });
    const bad = new DlmsSession({ link: e.host, address: address(32), authentication: { mechanism: 'lls', password: new TextEncoder().encode('wrong') } });
    await expect(bad.connect()).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
    await bad.release();
    const session = e.session;
    await session.connect();
    const ctx = context(session);
    await runPlans(ctx, [{ plan: 'events' }]);
    await session.release();
    const logs = new Set(ctx.run.events.map((x) => x.log));
    expect(logs).toEqual(new Set(['0-0:99.98.0*255', '0-0:99.98.4*255']));
    expect(ctx.run.events.find((x) => x.code === 46)).toMatchObject({ log: '0-0:99.98.0*255', text: 'Wrong password entered n times' });
    for (const x of ctx.run.events.filter((x) => x.code === 1)) expect(x.text).toBe('Power down');
    expect(ctx.run.events.every((x) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(x.time))).toBe(true);
  });

  it('discover: the object list, then every readable value with its scaler', async () => {
    const { session, state } = await lls();
    await session.connect();
    const ctx = context(session);
    await runPlans(ctx, [{ plan: 'discover' }]);
    await session.release();
    const r = byObis(ctx.run);
    const registers = state.model.objects.filter((o) => o.classId === 3);
    for (const o of registers) expect(r.has(`${o.ln[0]}-${o.ln[1]}:${o.ln[2]}.${o.ln[3]}.${o.ln[4]}*${o.ln[5]}`)).toBe(true);
    expect(r.get('1-0:31.7.0*255')).toMatchObject({ value: scaled(state.data.instantaneous(T).phases[0]!.centiamps, -2), unit: 'A' });
    expect(r.get('0-0:42.0.0*255')?.value).toBe(`LGZ${state.data.serial.padStart(13, '0')}`);
    expect(ctx.run.errors).toEqual([]);
  });

  it('itemFromText guesses the class from the OBIS code, CLASS/OBIS overrides it', () => {
    expect(itemFromText('1.8.0'.replace(/^/, '1-0:'))).toEqual({ obis: '1-0:1.8.0*255', classId: 3 });
    expect(itemFromText('1-0:1.6.0')).toEqual({ obis: '1-0:1.6.0*255', classId: 4 });
    expect(itemFromText('0-0:96.1.0')).toEqual({ obis: '0-0:96.1.0*255', classId: 1 });
    expect(itemFromText('0-0:1.0.0')).toEqual({ obis: '0-0:1.0.0*255', classId: 8 });
    expect(itemFromText('5/1-0:1.4.0*255')).toEqual({ obis: '1-0:1.4.0*255', classId: 5 });
  });
});

describe('session-ending errors keep what was read', () => {
  it('LINK_LOST in the middle of the instantaneous values: billing readings kept', async () => {
    let armed = false;
    const e = await setup();
    const session = new DlmsSession({ link: e.host, address: address(32), authentication: { mechanism: 'lls', password: new TextEncoder().encode(PASSWORD) } });
    // The cable is pulled as the meter takes the request for the current L1.
    e.pair.meter.onData(() => {
      const last = e.tap.apdus(32).at(-1);
      if (!armed || !last || last[0] !== 0xc0) return;
      const q = decodeGetRequest(last);
      const reqs = q.type === 'with-list' ? q.requests : q.type === 'normal' ? [q.request] : [];
      if (reqs.some((r) => hex(Uint8Array.from(r.obis as number[])) === '01001f0700ff' && r.attribute === 2)) e.pair.unplug();
    });
    await session.connect();
    const ctx = context(session);
    await runPlans(ctx, [{ plan: 'billing' }]);
    armed = true;
    const err = await runPlans(ctx, [{ plan: 'instantaneous' }]);
    expect(err).toMatchObject({ code: 'LINK_LOST' });
    expect(ctx.run.readings.filter((r) => r.obis.includes('.8.'))).toHaveLength(8);
    expect(await session.release()).toEqual({ clean: false });
    expect(session.failure?.code).toBe('LINK_LOST');
  });

  it('no answer: TIMEOUT_REACTION after the retries', async () => {
    // The meter goes silent after the AARE (its information frames are lost).
    const { session } = await lls({ faults: ['drop'], repeatFaults: true });
    await session.connect();
    const ctx = context(session);
    const err = await runPlans(ctx, [{ plan: 'billing' }]);
    expect(err).toMatchObject({ code: 'TIMEOUT_REACTION' });
    await session.release();
  });

  it('damaged frames until the retries run out: HDLC_FCS', async () => {
    const { session, trace } = await lls({ faults: ['flip'], repeatFaults: true });
    await session.connect();
    const ctx = context(session);
    const err = await runPlans(ctx, [{ plan: 'billing' }]);
    expect(err).toMatchObject({ code: 'HDLC_FCS' });
    expect(trace.some((t) => t.summary.includes('damaged frame'))).toBe(true);
    await session.release();
  });

  it('cancel during a profile read: RLRQ and DISC go out, the read stops with CANCELLED', async () => {
    const ac = new AbortController();
    const { session, tap, on } = await lls({}, PASSWORD, ac.signal);
    // Cancel as the meter takes the third GET-next of the profile.
    let nexts = 0;
    on((x) => {
      if (x.type === 'request' && x.service === 'get-next' && ++nexts === 3) ac.abort();
    });
    await session.connect();
    const ctx = context(session, { signal: ac.signal });
    const from = new Date(T - 61 * 86_400_000).toISOString();
    const to = new Date(T - 1 * 86_400_000).toISOString();
    const err = await runPlans(ctx, [{ plan: 'billing' }, { plan: 'profile', from, to }]);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(await session.release()).toEqual({ clean: true });
    expect(tap.apdus(32).at(-1)![0]).toBe(0x62);
    expect(tap.controls(32).at(-1)).toBe('DISC');
    expect(ctx.run.readings).toHaveLength(8);
    expect(ctx.run.profile).toBeUndefined();
  });
});

describe('HLS-GMAC and the invocation counter', () => {
  it('reads the counter with the public client first, then keeps it per meter; a second visit needs no public association', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-ic-'));
    const store = new InvocationCounterStore(join(dir, 'dlms-counters.json'));
    const { host, tap, state } = await setup({ clientInvocationCounter: 41 });
    const serial = state.data.serial;
    const notes: string[] = [];
    const first = await openAssociation({ link: host, address: address(1), auth: 'hls-gmac', keys: KEYS, counters: store, onNote: (n) => notes.push(n) });
    expect(tap.aarqs().map((a) => [a.sap, a.mechanism])).toEqual([
      [16, 'none'],
      [1, 'hls-gmac'],
    ]);
    expect(notes[0]).toContain('41');
    const ctx = context(first.session);
    await runPlans(ctx, [{ plan: 'billing', obis: ['1-0:1.8.0'] }]);
    expect(byObis(ctx.run).get('1-0:1.8.0*255')?.value).toBe(String(state.data.energy(T).importWh));
    await first.session.release();
    first.finish();
    const used = first.session.lastInvocationCounter!;
    expect(used).toBeGreaterThan(41);
    expect(store.get(serial)).toBe(used + 1);
    expect(store.get(hex(state.systemTitle))).toBe(used + 1);

    const second = await openAssociation({ link: host, address: address(1), auth: 'hls-gmac', keys: KEYS, counters: store, meterKey: serial });
    expect(tap.aarqs().map((a) => a.sap)).toEqual([16, 1, 1]);
    const [v] = await second.session.get([{ classId: 3, obis: '1-0:1.8.0*255', attribute: 2 }]);
    expect(v).toMatchObject({ ok: true });
    await second.session.release();
    second.finish();
    expect(store.get(serial)).toBe(second.session.lastInvocationCounter! + 1);
  });

  it('a key file gives the keys as JSON or name=value lines; bad files are INVALID_REQUEST', () => {
    const json = parseKeyFile(
      JSON.stringify({ authenticationKey: hex(KEYS.authenticationKey), encryptionKey: hex(KEYS.encryptionKey), systemTitle: hex(KEYS.systemTitle) }),
    );
    expect(hex(json.encryptionKey)).toBe(hex(KEYS.encryptionKey));
    const lines = parseKeyFile(`# keys\nAK=${hex(KEYS.authenticationKey)}\nEK = ${hex(KEYS.encryptionKey)}\nsystem_title=${hex(KEYS.systemTitle)}\n`);
    expect(hex(lines.systemTitle)).toBe(hex(KEYS.systemTitle));
    expect(() => parseKeyFile('AK=00\nEK=00\nsystem_title=00')).toThrow(/16 bytes/);
    expect(() => parseKeyFile('{"ak": 1')).toThrow(/JSON/);
  });
});
