/**
 * DlmsSession and the reading plans against the scripted E450 (dlms-fixture.ts) on a virtual
 * link, with the real Driver: association, batching, scalers, per-object errors, the session
 * ending errors with what was read kept, cancel → RLRQ/DISC on the wire, secrets out of traces,
 * and the invocation counter store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualPair, type VirtualPair } from '../../../electron/link/virtual';
import { HDLC_LINE } from '../../../electron/link/types';
import { decodeGetRequest } from '../../../electron/engine/dlms/get';
import { decodeDateTime } from '../../../electron/engine/dlms/datetime';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import { DlmsSession, InvocationCounterStore, openAssociation, type DlmsAddress } from '../../../electron/features/read/dlms-session';
import { BILLING_ITEMS, clockDriftSeconds, INSTANTANEOUS_ITEMS, itemFromText, PlanRun, runPlan, type PlanContext, type PlanSpec } from '../../../electron/features/read/plans';
import { parseKeyFile } from '../../../electron/features/read/dlms-read';
import type { TraceEntry } from '../../../shared/types';
import { cosemDateTime } from '../../../electron/engine/dlms/datetime';
import { FakeE450, KEYS, type FixtureOptions } from './dlms-fixture';

const PASSWORD = 'Secr3t!LLS';
const PASSWORD_HEX = hex(new TextEncoder().encode(PASSWORD));

let pair: VirtualPair | undefined;
afterEach(async () => {
  if (pair?.host.isOpen) await pair.host.close();
  pair = undefined;
});

async function setup(o: FixtureOptions = {}) {
  pair = createVirtualPair();
  await pair.host.setLine(HDLC_LINE(9600));
  await pair.meter.setLine(HDLC_LINE(9600));
  const meter = new FakeE450(o);
  meter.attach(pair.meter);
  const trace: TraceEntry[] = [];
  return { pair, meter, trace };
}

const address = (clientSap: number, extra: Partial<DlmsAddress> = {}): DlmsAddress => ({ clientSap, serverLogical: 1, serverPhysical: 17, responseTimeoutMs: 1000, maxRetries: 2, ...extra });

async function lls(o: FixtureOptions = {}, password = PASSWORD, signal?: AbortSignal) {
  const env = await setup(o);
  const session = new DlmsSession({ link: env.pair.host, address: address(32), authentication: { mechanism: 'lls', password: new TextEncoder().encode(password) }, onTrace: (t) => env.trace.push(t), ...(signal ? { signal } : {}) });
  return { ...env, session };
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
const gets = (meter: FakeE450, sap: number) => meter.received.filter((r) => r.sap === sap && r.apdu[0] === 0xc0).map((r) => decodeGetRequest(r.apdu));

describe('DlmsSession', () => {
  it('associates with LLS, reads with GET-with-list, releases with RLRQ then DISC; the password never reaches the trace', async () => {
    const { session, meter, trace } = await lls();
    const info = await session.connect();
    expect(info.mechanism).toBe('lls');
    const results = await session.get([
      { classId: 3, obis: '1-0:1.8.0*255', attribute: 2 },
      { classId: 3, obis: '1-0:1.8.0*255', attribute: 3 },
    ]);
    expect(results).toEqual([
      { ok: true, value: { type: 'double-long-unsigned', value: 7136726 } },
      { ok: true, value: { type: 'structure', value: [{ type: 'integer', value: 0 }, { type: 'enum', value: 30 }] } },
    ]);
    expect(gets(meter, 32).map((g) => g.type)).toEqual(['with-list']);
    expect(await session.release()).toEqual({ clean: true });
    expect(meter.controls(32)).toEqual(['SNRM', 'I', 'I', 'I', 'DISC']);
    expect(meter.meters.get(32)!.apdus.at(-1)![0]).toBe(0x62);
    // The password went on the wire…
    expect(new TextDecoder().decode(meter.aarqs[0]!.authenticationValue)).toBe(PASSWORD);
    // …but the trace shows ** in its place, and nowhere else.
    const aarq = trace.find((t) => t.dir === 'tx' && t.summary.includes('info') && t.hex.includes('**'));
    expect(aarq?.hex).toContain('**'.repeat(PASSWORD.length));
    for (const t of trace) {
      expect(t.hex).not.toContain(PASSWORD_HEX);
      expect(t.summary).not.toContain(PASSWORD);
    }
  });

  it('a wrong password is AUTH_REJECTED, once: never retried, the link is closed', async () => {
    const { session, meter } = await lls({}, PASSWORD, undefined);
    const bad = new DlmsSession({ link: pair!.host, address: address(32), authentication: { mechanism: 'lls', password: new TextEncoder().encode('wrong') } });
    void session;
    await expect(bad.connect()).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
    expect(bad.failure?.code).toBe('AUTH_REJECTED');
    expect(await bad.release()).toEqual({ clean: false });
    await new Promise((r) => setImmediate(r)); // the DISC crosses the virtual link
    expect(meter.aarqs).toHaveLength(1);
    expect(meter.controls(32)).toEqual(['SNRM', 'I', 'DISC']);
  });

  it('the public client gets one GET per attribute (no GET-with-list)', async () => {
    const { meter } = await setup();
    const s = new DlmsSession({ link: pair!.host, address: address(16), authentication: { mechanism: 'none' } });
    await s.connect();
    const ctx = context(s);
    await runPlan(ctx, { plan: 'identify' });
    await s.release();
    expect(gets(meter, 16).every((g) => g.type === 'normal')).toBe(true);
    expect(ctx.run.identity).toMatchObject({ logicalDeviceName: 'LGZ1030012345678', serialNumber: '12345678', firmware: 'E450 FW 2.1.7' });
  });
});

describe('plans', () => {
  it('billing and instantaneous: exact scaling (currents with scaler −2), units from the table, scalers read once per session', async () => {
    const { session, meter } = await lls();
    await session.connect();
    const ctx = context(session);
    const progress: string[] = [];
    ctx.onProgress = (p) => progress.push(p.label);
    await runPlans(ctx, [{ plan: 'billing' }, { plan: 'instantaneous' }, { plan: 'billing' }]);
    await session.release();
    const r = byObis(ctx.run);
    expect(r.get('1-0:1.8.0*255')).toMatchObject({ value: '7136726', unit: 'Wh', scaler: 0, raw: '7136726', source: 'dlms' });
    expect(r.get('1-0:3.8.0*255')).toMatchObject({ value: '555123.4', unit: 'varh', scaler: -1, raw: '5551234' });
    expect(r.get('1-0:31.7.0*255')).toMatchObject({ value: '12.34', unit: 'A', scaler: -2, raw: '1234' });
    expect(r.get('1-0:51.7.0*255')).toMatchObject({ value: '0.07', unit: 'A', scaler: -2 });
    expect(r.get('1-0:71.7.0*255')).toMatchObject({ value: '1', unit: 'A', scaler: -2, raw: '100' });
    expect(r.get('1-0:32.7.0*255')).toMatchObject({ value: '230.8', unit: 'V' });
    expect(r.get('1-0:14.7.0*255')).toMatchObject({ value: '49.98', unit: 'Hz' });
    expect(r.get('1-0:13.7.0*255')).toMatchObject({ value: '0.987' });
    // The absent power factor L3 is a warning, not an error.
    expect(ctx.run.errors).toEqual([]);
    expect(ctx.run.warnings.some((w) => w.includes('1-0:73.7.0*255'))).toBe(true);
    // scaler_unit (attribute 3) of each register asked once although billing ran twice.
    const attr3 = gets(meter, 32).flatMap((g) => (g.type === 'with-list' ? g.requests : g.type === 'normal' ? [g.request] : [])).filter((q) => q.attribute === 3);
    expect(attr3).toHaveLength(BILLING_ITEMS.length + INSTANTANEOUS_ITEMS.length);
    expect(progress).toContain('billing 1-0:4.8.0*255');
    expect(progress).toContain('instantaneous 1-0:31.7.0*255');
  });

  it('a READ_DENIED object is recorded and the plan goes on', async () => {
    const { session } = await lls({ denied: ['1-0:2.8.1*255/2'] });
    await session.connect();
    const ctx = context(session);
    const err = await runPlans(ctx, [{ plan: 'billing' }]);
    await session.release();
    expect(err).toBeUndefined();
    expect(ctx.run.errors).toEqual([expect.objectContaining({ code: 'READ_DENIED', detail: '1-0:2.8.1*255 attribute 2: read-write-denied' })]);
    expect(ctx.run.readings.map((r) => r.obis)).toEqual(BILLING_ITEMS.map((i) => i.obis).filter((o) => o !== '1-0:2.8.1*255'));
  });

  it('a value whose scaler_unit is denied is not shown (it would be off by powers of ten)', async () => {
    const { session } = await lls({ denied: ['1-0:31.7.0*255/3'] });
    await session.connect();
    const ctx = context(session);
    await runPlans(ctx, [{ plan: 'instantaneous', obis: ['1-0:31.7.0', '1-0:32.7.0'] }]);
    await session.release();
    expect(ctx.run.readings.map((r) => r.obis)).toEqual(['1-0:32.7.0*255']);
    expect(ctx.run.errors[0]).toMatchObject({ code: 'READ_DENIED', detail: expect.stringContaining('scaler_unit') });
  });

  it('identify: names, serial, firmware, clock and its drift from the PC clock', async () => {
    const { session } = await lls({ clockOffsetMs: 42_000 });
    await session.connect();
    const ctx = context(session);
    await runPlan(ctx, { plan: 'identify' });
    await session.release();
    expect(ctx.run.identity!.driftSeconds).toBeGreaterThanOrEqual(41);
    expect(ctx.run.identity!.driftSeconds).toBeLessThanOrEqual(43);
    expect(ctx.run.identity!.clock).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(byObis(ctx.run).get('0-0:96.1.0*255')).toMatchObject({ value: '12345678', source: 'dlms' });
  });

  it('clock drift uses the deviation when the meter states it, and the PC local time otherwise', () => {
    const pc = Date.UTC(2024, 4, 7, 10, 0, 0);
    expect(clockDriftSeconds(cosemDateTime({ year: 2024, month: 5, day: 7, hour: 12, minute: 0, second: 30, deviation: -120 }), pc)).toBe(30);
    const local = new Date(pc);
    expect(clockDriftSeconds(cosemDateTime({ year: local.getFullYear(), month: local.getMonth() + 1, day: local.getDate(), hour: local.getHours(), minute: local.getMinutes(), second: local.getSeconds() - 5 }), pc)).toBe(-5);
    expect(clockDriftSeconds(cosemDateTime({ year: null, month: 5, day: 7, hour: 0, minute: 0, second: 0 }), pc)).toBeUndefined();
  });

  it('load profile over 60 days: range access with deviation not specified, columns with their scaler and unit, block transfer', async () => {
    const { session, meter } = await lls();
    await session.connect();
    const ctx = context(session);
    const from = new Date(2024, 4, 3, 0, 0, 0);
    const to = new Date(from.getTime() + 60 * 86_400_000);
    await runPlans(ctx, [{ plan: 'profile', from: from.toISOString(), to: to.toISOString() }]);
    await session.release();
    const p = ctx.run.profile!;
    expect(p.capturePeriodS).toBe(900);
    expect(p.columns).toEqual([
      { obis: '0-0:1.0.0*255', attribute: 2, name: 'Clock', unit: '' },
      { obis: '0-0:96.10.1*255', attribute: 2, unit: '' },
      expect.objectContaining({ obis: '1-0:1.8.0*255', unit: 'Wh', scaler: 0 }),
      expect.objectContaining({ obis: '1-0:2.8.0*255', unit: 'Wh', scaler: 0 }),
    ]);
    expect(p.rows).toHaveLength(60 * 96 + 1);
    const first = meter.profileRow(2 * 96);
    expect(p.rows[0]).toEqual(['2024-05-03T00:00:00', '0', String(first.importWh), String(first.exportWh)]);
    const last = meter.profileRow(62 * 96);
    expect(p.rows.at(-1)![2]).toBe(String(last.importWh));
    // The buffer request: range on the first capture object (the clock), deviation 0x8000.
    const bufReq = gets(meter, 32).find((g) => g.type === 'normal' && g.request.attribute === 2 && g.request.classId === 7);
    const params = bufReq?.type === 'normal' ? bufReq.request.access?.parameters : undefined;
    expect(params?.type).toBe('structure');
    const bounds = (params as { value: { type: string; value: string }[] }).value.slice(1, 3).map((v) => decodeDateTime(unhex(v.value)));
    expect(bounds.map((b) => [b.deviation, b.clockStatus])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(gets(meter, 32).filter((g) => g.type === 'next').length).toBeGreaterThan(50);
  });

  it('event logs: standard and power quality, with event names', async () => {
    const { session } = await lls();
    await session.connect();
    const ctx = context(session);
    await runPlans(ctx, [{ plan: 'events' }]);
    await session.release();
    expect(ctx.run.events).toHaveLength(9);
    expect(ctx.run.events[0]).toEqual({ log: '0-0:99.98.0*255', time: '2024-06-01T10:00:00', code: 1, text: 'Power down' });
    expect(ctx.run.events.find((e) => e.code === 77)).toMatchObject({ log: '0-0:99.98.4*255', text: 'event 77' });
    expect(ctx.run.events.find((e) => e.code === 40)?.text).toBe('Terminal cover removed');
  });

  it('discover: the object list, then every readable value with its scaler', async () => {
    const { session, meter } = await lls();
    await session.connect();
    const ctx = context(session);
    await runPlans(ctx, [{ plan: 'discover' }]);
    await session.release();
    const r = byObis(ctx.run);
    expect(r.size).toBe(meter.registers.size + 4);
    expect(r.get('1-0:31.7.0*255')).toMatchObject({ value: '12.34', unit: 'A' });
    expect(r.get('0-0:42.0.0*255')?.value).toBe('LGZ1030012345678');
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
    const { session } = await lls({
      onApdu: (_sap, apdu) => {
        if (!armed || apdu[0] !== 0xc0) return undefined;
        const q = decodeGetRequest(apdu);
        const reqs = q.type === 'with-list' ? q.requests : q.type === 'normal' ? [q.request] : [];
        if (reqs.some((r) => hex(Uint8Array.from(r.obis as number[])) === '01001f0700ff' && r.attribute === 2)) {
          setImmediate(() => pair!.unplug());
          return 'drop';
        }
        return undefined;
      },
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
    // The meter goes silent after the AARE (its frames are lost).
    const { session } = await lls({ fault: (n) => (n >= 2 ? 'drop' : undefined) });
    await session.connect();
    const ctx = context(session);
    const err = await runPlans(ctx, [{ plan: 'billing' }]);
    expect(err).toMatchObject({ code: 'TIMEOUT_REACTION' });
    await session.release();
  });

  it('damaged frames until the retries run out: HDLC_FCS', async () => {
    const { session, trace } = await lls({ fault: (n) => (n >= 3 ? 'corrupt' : undefined) });
    await session.connect();
    const ctx = context(session);
    const err = await runPlans(ctx, [{ plan: 'billing' }]);
    expect(err).toMatchObject({ code: 'HDLC_FCS' });
    expect(trace.some((t) => t.summary.includes('damaged frame'))).toBe(true);
    await session.release();
  });

  it('cancel during a profile read: RLRQ and DISC go out, the read stops with CANCELLED', async () => {
    const ac = new AbortController();
    let blocks = 0;
    const { session, meter } = await lls(
      {
        onApdu: (_s, apdu) => {
          if (apdu[0] === 0xc0 && apdu[1] === 2 && ++blocks === 3) ac.abort();
          return undefined;
        },
      },
      PASSWORD,
      ac.signal,
    );
    await session.connect();
    const ctx = context(session, { signal: ac.signal });
    const from = new Date(2024, 4, 3).toISOString();
    const to = new Date(2024, 6, 3).toISOString();
    const err = await runPlans(ctx, [{ plan: 'billing' }, { plan: 'profile', from, to }]);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(await session.release()).toEqual({ clean: true });
    expect(meter.meters.get(32)!.apdus.at(-1)![0]).toBe(0x62);
    expect(meter.controls(32).at(-1)).toBe('DISC');
    expect(ctx.run.readings).toHaveLength(8);
    expect(ctx.run.profile).toBeUndefined();
  });
});

describe('HLS-GMAC and the invocation counter', () => {
  it('reads the counter with the public client first, then keeps it per meter; a second visit needs no public association', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-ic-'));
    const store = new InvocationCounterStore(join(dir, 'dlms-counters.json'));
    const { meter } = await setup({ clientCounter: 41 });
    const notes: string[] = [];
    const first = await openAssociation({ link: pair!.host, address: address(1), auth: 'hls-gmac', keys: KEYS, counters: store, onNote: (n) => notes.push(n) });
    expect(meter.aarqs.map((a) => [a.sap, a.mechanism])).toEqual([
      [16, 'none'],
      [1, 'hls-gmac'],
    ]);
    expect(notes[0]).toContain('41');
    const ctx = context(first.session);
    await runPlans(ctx, [{ plan: 'billing', obis: ['1-0:1.8.0'] }]);
    expect(byObis(ctx.run).get('1-0:1.8.0*255')?.value).toBe('7136726');
    await first.session.release();
    first.finish();
    const used = first.session.lastInvocationCounter!;
    expect(used).toBeGreaterThan(42);
    expect(store.get('12345678')).toBe(used + 1);
    expect(store.get('4c475a0012345678')).toBe(used + 1);

    const second = await openAssociation({ link: pair!.host, address: address(1), auth: 'hls-gmac', keys: KEYS, counters: store, meterKey: '12345678' });
    expect(meter.aarqs.map((a) => a.sap)).toEqual([16, 1, 1]);
    const [v] = await second.session.get([{ classId: 3, obis: '1-0:1.8.0*255', attribute: 2 }]);
    expect(v).toMatchObject({ ok: true });
    await second.session.release();
    second.finish();
    expect(store.get('12345678')).toBe(second.session.lastInvocationCounter! + 1);
  });

  it('a key file gives the keys as JSON or name=value lines; bad files are INVALID_REQUEST', () => {
    const json = parseKeyFile(JSON.stringify({ authenticationKey: hex(KEYS.authenticationKey), encryptionKey: hex(KEYS.encryptionKey), systemTitle: hex(KEYS.systemTitle) }));
    expect(hex(json.encryptionKey)).toBe(hex(KEYS.encryptionKey));
    const lines = parseKeyFile(`# keys\nAK=${hex(KEYS.authenticationKey)}\nEK = ${hex(KEYS.encryptionKey)}\nsystem_title=${hex(KEYS.systemTitle)}\n`);
    expect(hex(lines.systemTitle)).toBe(hex(KEYS.systemTitle));
    expect(() => parseKeyFile('AK=00\nEK=00\nsystem_title=00')).toThrow(/16 bytes/);
    expect(() => parseKeyFile('{"ak": 1')).toThrow(/JSON/);
  });
});
