/**
 * The reading service on DLMS: IEC 62056-21 handshake with the mode E option select on a virtual
 * link (the IEC simulator), the handover to HDLC, then the scripted E450 DLMS server (the
 * fixture) behind it. Journaled as it happens; cancel and errors keep what was read; the
 * password never reaches the journal.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVirtualPair } from '../../../electron/link/virtual';
import { IEC_INITIAL_LINE } from '../../../electron/link/types';
import { startIecSimulator } from '../../../electron/simulator/iec/runner';
import { EventBus } from '../../../electron/runtime/events';
import { SessionStore } from '../../../electron/features/sessions/journal';
import { Operations } from '../../../electron/runtime/operations';
import { ReadingService, resolveDlms, usesDlms } from '../../../electron/features/read/reading';
import { MemorySettingsStore, SettingsService } from '../../../electron/features/settings/settings';
import { InvocationCounterStore } from '../../../electron/features/read/dlms-session';
import type { OpenedTarget } from '../../../electron/features/ports/targets';
import { hex } from '../../../electron/engine/dlms/bytes';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import type { OperationEnded, ReadRequest } from '../../../shared/session';
import { FakeE450, KEYS, type FixtureOptions } from './dlms-fixture';

const PASSWORD = 'Secr3t!LLS';

function harness(fixture: FixtureOptions = {}, opts: { dlms?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'omr-dlms-'));
  const meters: FakeE450[] = [];
  const targets = {
    open: async (target: string): Promise<OpenedTarget> => {
      const pair = createVirtualPair();
      let detach: (() => void) | undefined;
      let sim: ReturnType<typeof startIecSimulator> | undefined;
      // As a mode E meter: IEC 62056-21 first, DLMS after the handover, IEC again after a DISC.
      const startIec = () => {
        // Unpaced, the IEC side must react later than the reader's baud-switch delay.
        sim = startIecSimulator(pair.meter, { pace: false, reactionMs: 150 });
        sim.on((e) => {
          if (e.type === 'released' && opts.dlms !== false) detach = meter.attach(e.link);
        });
      };
      const meter: FakeE450 = new FakeE450({
        ...fixture,
        onDisc: () => {
          detach?.();
          detach = undefined;
          void pair.meter.setLine(IEC_INITIAL_LINE).then(startIec);
        },
      });
      meters.push(meter);
      startIec();
      return {
        link: pair.host,
        target,
        close: async () => {
          sim?.stop();
          await pair.host.close();
        },
      };
    },
  };
  const settings = new SettingsService(new MemorySettingsStore({ ...DEFAULT_SETTINGS, baudSwitchDelayMs: 50 }));
  const events = new EventBus();
  const operations = new Operations(events, () => 'en');
  const sessions = new SessionStore(join(dir, 'sessions'));
  const counters = new InvocationCounterStore(join(dir, 'dlms-counters.json'));
  const service = new ReadingService({ targets, settings, events, operations, sessions, lang: () => 'en', counters, dlmsTimeouts: { responseTimeoutMs: 1000, maxRetries: 2, identifyResponseTimeoutMs: 500 } });
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
    const { end, session, file } = await h.read({ protocol: 'dlms', password: PASSWORD, dlms: { plans: ['billing', 'instantaneous'] } });
    expect(end).toMatchObject({ state: 'done' });
    expect(session.state).toBe('done');
    expect(session.identity).toMatchObject({ manufacturer: 'LGZ', modeE: true });
    const r = new Map(session.readings.map((x) => [x.obis, x]));
    expect(r.get('1-0:1.8.0*255')).toMatchObject({ value: '7136726', unit: 'Wh', scaler: 0, source: 'dlms' });
    expect(r.get('1-0:31.7.0*255')).toMatchObject({ value: '12.34', unit: 'A', scaler: -2, raw: '1234' });
    expect(r.get('0-0:96.1.0*255')?.value).toBe('12345678');
    expect(session.errors).toEqual([]);
    // The mode E handshake then HDLC at 9600: the AARQ went to the reading client, release at the end.
    const meter = h.meters[0]!;
    expect(meter.aarqs.map((a) => a.sap)).toEqual([32]);
    expect(meter.controls(32).at(-1)).toBe('DISC');
    expect(session.trace.some((t) => t.dir === 'tx' && t.hex.includes('**'))).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(hex(new TextEncoder().encode(PASSWORD)));
  });

  it('profile and events plans journal a profile and events', async () => {
    const h = harness();
    const from = new Date(2024, 4, 3).toISOString();
    const to = new Date(2024, 4, 5).toISOString();
    const { end, session } = await h.read({ plan: 'profile', password: PASSWORD, from, to, dlms: { plans: ['profile', 'events'] } });
    expect(end.state).toBe('done');
    expect(session.profile?.rows).toHaveLength(2 * 96 + 1);
    expect(session.events.map((e) => e.code)).toEqual([1, 2, 4, 5, 40, 41, 77, 1, 2]);
  });

  it('a wrong password: AUTH_REJECTED, tried once, the session failed with its identity kept', async () => {
    const h = harness();
    const { end, session } = await h.read({ protocol: 'dlms', password: 'nope' });
    expect(end).toMatchObject({ state: 'failed', error: { code: 'AUTH_REJECTED' } });
    expect(session.errors.map((e) => e.code)).toEqual(['AUTH_REJECTED']);
    expect(session.identity?.manufacturer).toBe('LGZ');
    expect(h.meters[0]!.aarqs).toHaveLength(1);
  });

  it('a READ_DENIED object is journaled as an error, the rest is read', async () => {
    const h = harness({ denied: ['1-0:4.8.0*255/2'] });
    const { end, session } = await h.read({ plan: 'billing', password: PASSWORD });
    expect(end.state).toBe('done');
    expect(session.errors).toEqual([expect.objectContaining({ code: 'READ_DENIED' })]);
    expect(session.readings.filter((x) => x.obis.includes('.8.'))).toHaveLength(7);
  });

  it('cancel in the middle of a profile: RLRQ and DISC on the wire, what was read kept, session cancelled', async () => {
    let cancel: (() => void) | undefined;
    let nexts = 0;
    const h = harness({
      onApdu: (_sap, apdu) => {
        if (apdu[0] === 0xc0 && apdu[1] === 2 && ++nexts === 2) cancel?.();
        return undefined;
      },
    });
    const from = new Date(2024, 4, 3).toISOString();
    const to = new Date(2024, 5, 3).toISOString();
    const { end, session } = await h.read({ password: PASSWORD, from, to, dlms: { plans: ['billing', 'profile'] } }, (id) => (cancel = () => h.operations.cancel(id)));
    expect(end.state).toBe('cancelled');
    expect(session.state).toBe('cancelled');
    expect(session.readings.filter((x) => x.obis.includes('.8.'))).toHaveLength(8);
    expect(session.profile).toBeUndefined();
    const m = h.meters[0]!.meters.get(32)!;
    expect(m.apdus.at(-1)![0]).toBe(0x62);
    expect(h.meters[0]!.controls(32).at(-1)).toBe('DISC');
  });

  it('HLS-GMAC with keys: the public client reads the counter first, the counter is stored', async () => {
    const h = harness();
    const keys = { systemTitle: hex(KEYS.systemTitle), encryptionKey: hex(KEYS.encryptionKey), authenticationKey: hex(KEYS.authenticationKey) };
    const { end, session } = await h.read({ protocol: 'dlms', dlms: { auth: 'hls-gmac', keys, obis: ['1-0:1.8.0'], plans: ['billing'] } });
    expect(end.state).toBe('done');
    expect(session.readings.find((x) => x.obis === '1-0:1.8.0*255')?.value).toBe('7136726');
    expect(h.meters[0]!.aarqs.map((a) => a.sap)).toEqual([16, 1]);
    expect(h.counters.get('12345678')).toBeGreaterThan(42);
  });

  it('identify fills the DLMS facts with the public client; a meter whose DLMS side is silent gives a warning only', async () => {
    const h = harness({ clockOffsetMs: -7000 });
    const r = await h.service.identify({ target: 'test' });
    expect(r.modes.modeE).toBe(true);
    expect(r.dlms).toMatchObject({ logicalDeviceName: 'LGZ1030012345678', serialNumber: '12345678', firmware: 'E450 FW 2.1.7' });
    expect(Math.abs(r.dlms!.driftSeconds! + 7)).toBeLessThanOrEqual(1);
    expect(h.meters[0]!.aarqs.map((a) => [a.sap, a.mechanism])).toEqual([[16, 'none']]);

    const silent = harness({}, { dlms: false });
    const s = await silent.service.identify({ target: 'test' });
    expect(s.identity.manufacturer).toBe('LGZ');
    expect(s.dlms).toBeUndefined();
    expect(s.warnings).toEqual([expect.stringMatching(/^DLMS: TIMEOUT_REACTION/)]);
  });

  it('request resolution: the plan picks DLMS, the auth picks the client, profile fields are used', () => {
    expect(usesDlms({ plan: 'readout', protocol: 'auto' })).toBe(false);
    expect(usesDlms({ plan: 'billing', protocol: 'auto' })).toBe(true);
    expect(usesDlms({ plan: 'readout', protocol: 'dlms' })).toBe(true);
    expect(() => usesDlms({ plan: 'profile', protocol: 'readout' })).toThrow(/needs DLMS/);
    const settings = { ...DEFAULT_SETTINGS, profiles: [{ id: 'e450', name: 'E450', protocol: 'dlms' as const, clientSap: 48, serverLogical: 1, serverPhysical: 0, auth: 'lls' as const, hasStoredSecret: false }] };
    expect(resolveDlms({ plan: 'billing', password: 'x' }, DEFAULT_SETTINGS).address).toEqual({ clientSap: 32, serverLogical: 1, serverPhysical: 17, framing: 'hdlc' });
    expect(resolveDlms({ plan: 'billing' }, DEFAULT_SETTINGS)).toMatchObject({ auth: 'none', address: { clientSap: 16 } });
    const p = resolveDlms({ plan: 'billing', profileId: 'e450', dlms: { obis: ['1-0:1.8.0'] } }, settings);
    expect(p).toMatchObject({ auth: 'lls', address: { clientSap: 48, serverLogical: 1, framing: 'hdlc' }, plans: [{ plan: 'billing', obis: ['1-0:1.8.0'] }] });
    expect(p.address.serverPhysical).toBeUndefined();
  });
});
