/**
 * The reading service on DLMS against the REAL virtual E450 (test kit) on a virtual link: the
 * IEC 62056-21 handshake with the mode E option select, the handover to HDLC, the DLMS server
 * behind it, back to IEC after the DISC. Journaled as it happens; cancel and errors keep what
 * was read; the password never reaches the journal.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../electron/runtime/events';
import { SessionStore } from '../../../electron/features/sessions/journal';
import { Operations } from '../../../electron/runtime/operations';
import { ReadingService, resolveDlms, usesDlms } from '../../../electron/features/read/reading';
import { MemorySettingsStore, SettingsService } from '../../../electron/features/settings/settings';
import { InvocationCounterStore } from '../../../electron/features/read/dlms-session';
import type { OpenedTarget } from '../../../electron/features/ports/targets';
import type { VirtualMeterOptions } from '../../../electron/simulator/virtual-meter';
import { hex } from '../../../electron/engine/dlms/bytes';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import type { OperationEnded, ReadRequest } from '../../../shared/session';
import { virtualMeterOnPair } from '../../kit/meters';
import { KEYS, PASSWORD, scaled } from '../../kit/dlms';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

function harness(o: VirtualMeterOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'omr-dlms-'));
  const meters: ReturnType<typeof virtualMeterOnPair>[] = [];
  const targets = {
    open: async (target: string): Promise<OpenedTarget> => {
      // Unpaced, the IEC side must react later than the reader's baud-switch delay.
      const m = virtualMeterOnPair({ reactionMs: 150, ...o, dlms: { llsPassword: PASSWORD, ...o.dlms } });
      meters.push(m);
      stops.push(m.stop);
      return { link: m.pair.host, target, close: m.stop };
    },
  };
  const settings = new SettingsService(new MemorySettingsStore({ ...DEFAULT_SETTINGS, baudSwitchDelayMs: 50 }));
  const events = new EventBus();
  const operations = new Operations(events, () => 'en');
  const sessions = new SessionStore(join(dir, 'sessions'));
  const counters = new InvocationCounterStore(join(dir, 'dlms-counters.json'));
  const service = new ReadingService({
    targets,
    settings,
    events,
    operations,
    sessions,
    lang: () => 'en',
    counters,
    dlmsTimeouts: { responseTimeoutMs: 1000, maxRetries: 2, identifyResponseTimeoutMs: 500 },
  });
  const ended = (operationId: string) =>
    new Promise<OperationEnded>((resolve) => {
      const off = events.subscribe((ch, payload) => {
        if (ch === 'operation:ended' && (payload as OperationEnded).operationId === operationId) {
          off();
          resolve(payload as OperationEnded);
        }
      });
    });
  const read = async (req: Omit<ReadRequest, 'target'>, onStarted?: (operationId: string) => void) => {
    const started = await service.start({ target: 'test', plan: 'readout', protocol: 'auto', ...req } as Parameters<ReadingService['start']>[0]);
    const done = ended(started.operationId);
    onStarted?.(started.operationId);
    const end = await done;
    return { end, session: sessions.load(started.sessionId), file: join(dir, 'sessions', `${started.sessionId}.jsonl`) };
  };
  return { service, read, meters, operations, counters, events };
}

describe('ReadingService over DLMS (mode E on a virtual link)', () => {
  it('reads billing + instantaneous with LLS: journaled as it happens, released, the password nowhere in the journal', async () => {
    const h = harness();
    const t0 = Date.now();
    const { end, session, file } = await h.read({ protocol: 'dlms', password: PASSWORD, dlms: { plans: ['billing', 'instantaneous'] } });
    const t1 = Date.now();
    const data = h.meters[0]!.meter.state.data;
    expect(end).toMatchObject({ state: 'done' });
    expect(session.state).toBe('done');
    expect(session.identity).toMatchObject({ manufacturer: 'LGZ', modeE: true });
    const r = new Map(session.readings.map((x) => [x.obis, x]));
    // The meter's energy at the time of the reading, exactly scaled.
    const energy = Number(r.get('1-0:1.8.0*255')?.value);
    expect(r.get('1-0:1.8.0*255')).toMatchObject({ unit: 'Wh', scaler: 0, source: 'dlms' });
    expect(energy).toBeGreaterThanOrEqual(data.energy(t0).importWh);
    expect(energy).toBeLessThanOrEqual(data.energy(t1).importWh);
    const current = r.get('1-0:31.7.0*255')!;
    expect(current).toMatchObject({ unit: 'A', scaler: -2 });
    expect(current.value).toBe(scaled(Number(current.raw), -2));
    expect(r.get('0-0:96.1.0*255')?.value).toBe(data.serial);
    expect(session.errors).toEqual([]);
    // The mode E handshake then HDLC at 9600: the AARQ went to the reading client, release at the end.
    const meter = h.meters[0]!;
    expect(meter.tap.aarqs().map((a) => a.sap)).toEqual([32]);
    expect(meter.tap.controls(32).at(-1)).toBe('DISC');
    expect(meter.events.filter((e) => e.type === 'mode').map((e) => e.type === 'mode' && e.mode)).toEqual(['iec', 'dlms', 'iec']);
    expect(session.trace.some((t) => t.dir === 'tx' && t.hex.includes('**'))).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(hex(new TextEncoder().encode(PASSWORD)));
  });

  it('profile and events plans journal a profile and events', async () => {
    const h = harness();
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const from = new Date(day - 5 * 86_400_000).toISOString();
    const to = new Date(day - 3 * 86_400_000).toISOString();
    const { end, session } = await h.read({ plan: 'profile', password: PASSWORD, from, to, dlms: { plans: ['profile', 'events'] } });
    expect(end.state).toBe('done');
    expect(session.profile?.rows).toHaveLength(2 * 96 + 1);
    expect(session.events.length).toBeGreaterThan(0);
    for (const e of session.events) expect(['0-0:99.98.0*255', '0-0:99.98.4*255']).toContain(e.log);
  });

  it('a wrong password: AUTH_REJECTED, tried once, the session failed with its identity kept', async () => {
    const h = harness();
    const { end, session } = await h.read({ protocol: 'dlms', password: 'nope' });
    expect(end).toMatchObject({ state: 'failed', error: { code: 'AUTH_REJECTED' } });
    expect(session.errors.map((e) => e.code)).toEqual(['AUTH_REJECTED']);
    expect(session.identity?.manufacturer).toBe('LGZ');
    expect(h.meters[0]!.tap.aarqs()).toHaveLength(1);
  });

  it('a READ_DENIED object is journaled as an error, the rest is read', async () => {
    const h = harness({ dlms: { deny: ['1-0:4.8.0*255/2'] } });
    const { end, session } = await h.read({ plan: 'billing', password: PASSWORD });
    expect(end.state).toBe('done');
    expect(session.errors).toEqual([expect.objectContaining({ code: 'READ_DENIED' })]);
    expect(session.readings.filter((x) => x.obis.includes('.8.'))).toHaveLength(7);
  });

  it('cancel in the middle of a profile: RLRQ and DISC on the wire, what was read kept, session cancelled', async () => {
    let cancel: (() => void) | undefined;
    let nexts = 0;
    const h = harness();
    const from = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const to = new Date(Date.now() - 9 * 86_400_000).toISOString();
    const { end, session } = await h.read({ password: PASSWORD, from, to, dlms: { plans: ['billing', 'profile'] } }, (id) => {
      cancel = () => h.operations.cancel(id);
      // Cancel as the meter takes the second GET-next of the profile.
      h.meters[0]!.meter.on((e) => {
        if (e.type === 'dlms' && e.event.type === 'request' && e.event.service === 'get-next' && ++nexts === 2) cancel?.();
      });
    });
    expect(end.state).toBe('cancelled');
    expect(session.state).toBe('cancelled');
    expect(session.readings.filter((x) => x.obis.includes('.8.'))).toHaveLength(8);
    // The profile stopped short: not there, or only the rows that came before the cancel.
    expect(session.profile?.rows.length ?? 0).toBeLessThan(31 * 96);
    expect(h.meters[0]!.tap.apdus(32).at(-1)![0]).toBe(0x62);
    expect(h.meters[0]!.tap.controls(32).at(-1)).toBe('DISC');
  });

  it('HLS-GMAC with keys: the public client reads the counter first, the counter is stored', async () => {
    const h = harness();
    const keys = { systemTitle: hex(KEYS.systemTitle), encryptionKey: hex(KEYS.encryptionKey), authenticationKey: hex(KEYS.authenticationKey) };
    const { end, session } = await h.read({ protocol: 'dlms', dlms: { auth: 'hls-gmac', keys, obis: ['1-0:1.8.0'], plans: ['billing'] } });
    expect(end.state).toBe('done');
    expect(Number(session.readings.find((x) => x.obis === '1-0:1.8.0*255')?.value)).toBeGreaterThan(0);
    expect(h.meters[0]!.tap.aarqs().map((a) => a.sap)).toEqual([16, 1]);
    expect(h.counters.get(h.meters[0]!.meter.state.data.serial)).toBeGreaterThan(1);
  });

  it('identify fills the DLMS facts with the public client; a meter whose DLMS side is silent gives a warning only', async () => {
    const h = harness({ now: () => Date.now() - 7000 });
    const r = await h.service.identify({ target: 'test' });
    const data = h.meters[0]!.meter.state.data;
    expect(r.modes.modeE).toBe(true);
    expect(r.dlms).toMatchObject({ logicalDeviceName: `LGZ${data.serial.padStart(13, '0')}`, serialNumber: data.serial, firmware: data.firmware });
    expect(Math.abs(r.dlms!.driftSeconds! + 7)).toBeLessThanOrEqual(1);
    expect(h.meters[0]!.tap.aarqs().map((a) => [a.sap, a.mechanism])).toEqual([[16, 'none']]);

    const silent = harness({ dlmsFaults: ['silence'] });
    const s = await silent.service.identify({ target: 'test' });
    expect(s.identity.manufacturer).toBe('LGZ');
    expect(s.dlms).toBeUndefined();
    expect(s.warnings).toEqual([expect.stringMatching(/^DLMS: (TIMEOUT_REACTION|HDLC_NO_UA)/)]);
  });

  it('request resolution: the plan picks DLMS, the auth picks the client, profile fields are used', () => {
    expect(usesDlms({ plan: 'readout', protocol: 'auto' })).toBe(false);
    expect(usesDlms({ plan: 'billing', protocol: 'auto' })).toBe(true);
    expect(usesDlms({ plan: 'readout', protocol: 'dlms' })).toBe(true);
    expect(() => usesDlms({ plan: 'profile', protocol: 'readout' })).toThrow(/needs DLMS/);
    const settings = {
      ...DEFAULT_SETTINGS,
      profiles: [
        {
          id: 'e450',
          name: 'E450',
          protocol: 'dlms' as const,
          clientSap: 48,
          serverLogical: 1,
          serverPhysical: 0,
          auth: 'lls' as const,
          hasStoredSecret: false,
        },
      ],
    };
    expect(resolveDlms({ plan: 'billing', password: 'x' }, DEFAULT_SETTINGS).address).toEqual({
      clientSap: 32,
      serverLogical: 1,
      serverPhysical: 17,
      framing: 'hdlc',
    });
    expect(resolveDlms({ plan: 'billing' }, DEFAULT_SETTINGS)).toMatchObject({ auth: 'none', address: { clientSap: 16 } });
    const p = resolveDlms({ plan: 'billing', profileId: 'e450', dlms: { obis: ['1-0:1.8.0'] } }, settings);
    expect(p).toMatchObject({ auth: 'lls', address: { clientSap: 48, serverLogical: 1, framing: 'hdlc' }, plans: [{ plan: 'billing', obis: ['1-0:1.8.0'] }] });
    expect(p.address.serverPhysical).toBeUndefined();
  });
});
