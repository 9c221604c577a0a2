import { describe, expect, it } from 'vitest';
import type { OmrError } from '../../../shared/errors';
import { integerText } from '../../../electron/engine/dlms/axdr';
import { DlmsClient, type Authentication, type DlmsClientEvent, type ResultItem } from '../../../electron/engine/dlms/client';
import { HdlcTransport } from '../../../electron/engine/dlms/transport';
import type { AttributeRequest } from '../../../electron/engine/dlms/apdu';
import { entryAccess } from '../../../electron/engine/dlms/selective-access';
import { IecClient, collectIecResult, type IecEvent } from '../../../electron/engine/iec62056-21/client';
import type { Action } from '../../../electron/engine/machine';
import { createVirtualPair } from '../../../electron/link/virtual';
import { HDLC_LINE, type Link } from '../../../electron/link/types';
import { Driver, drive } from '../../../electron/runtime/driver';
import { startVirtualMeter, type VirtualMeterEvent } from '../../../electron/simulator/virtual-meter';
import { startDlmsServer, type DlmsFault, type DlmsSimulatorEvent, type DlmsSimulatorOptions } from '../../../electron/simulator/dlms/runner';

const ascii = (s: string) => new TextEncoder().encode(s);
const LLS: Authentication = { mechanism: 'lls', password: ascii('00000000') };
const serial: AttributeRequest = { classId: 1, obis: '0-0:96.1.0*255', attribute: 2 };
const energy: AttributeRequest = { classId: 3, obis: '1-0:1.8.0*255', attribute: 2 };
const day: AttributeRequest = { classId: 7, obis: '1-0:99.1.0*255', attribute: 2, access: entryAccess(8640 - 95, 0) };

/** Run the real client machine through the real driver on a link: associate, run the jobs, release. */
async function dlmsVisit(link: Link, o: { clientSap?: number; authentication?: Authentication; jobs: AttributeRequest[][]; responseTimeoutMs?: number }) {
  const client = new DlmsClient({
    transport: new HdlcTransport({
      clientSap: o.clientSap ?? 32,
      logicalDevice: 1,
      physicalAddress: 17,
      responseTimeoutMs: o.responseTimeoutMs ?? 600,
      maxRetries: 3,
    }),
    authentication: o.authentication ?? LLS,
  });
  const jobs = [...o.jobs];
  const results: ResultItem[][] = [];
  const events: DlmsClientEvent[] = [];
  const traces: string[] = [];
  const next = () => {
    const job = jobs.shift();
    driver.push(job ? client.get(job, Date.now()).actions : client.release(Date.now()));
  };
  const driver: Driver<DlmsClientEvent> = new Driver(link, client, {
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'associated') next();
      if (e.type === 'result') {
        results.push(e.results);
        next();
      }
    },
    onTrace: (t) => traces.push(t.summary),
  });
  let error: OmrError | undefined;
  await driver.start().catch((e: OmrError) => {
    error = e;
  });
  return { results, events, traces, error };
}

async function direct(faults: DlmsFault[], visit: Omit<Parameters<typeof dlmsVisit>[1], never>, sim: DlmsSimulatorOptions = {}) {
  const pair = createVirtualPair();
  await pair.host.setLine(HDLC_LINE(9600));
  await pair.meter.setLine(HDLC_LINE(9600));
  const simulator = startDlmsServer(pair.meter, { data: { seed: 5 }, reactionMs: 0, faults, ...sim });
  const simEvents: DlmsSimulatorEvent[] = [];
  simulator.on((e) => simEvents.push(e));
  const out = await dlmsVisit(pair.host, visit);
  simulator.stop();
  await pair.host.close();
  await pair.meter.close();
  return { ...out, simEvents, simulator };
}

describe('DLMS server runner on the virtual link (direct HDLC)', () => {
  it('serves an association, reads and a release', async () => {
    const r = await direct([], { jobs: [[serial, energy]] });
    expect(r.error).toBeUndefined();
    expect(r.events.map((e) => e.type)).toEqual(['associated', 'result', 'released']);
    expect(r.results[0]!.every((x) => x.ok)).toBe(true);
    expect(r.simEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['connected', 'associated', 'released', 'disconnected']));
  });

  it('noise between frames is survived', async () => {
    const r = await direct(['noise'], { jobs: [[serial], [day]] });
    expect(r.error).toBeUndefined();
    expect(r.results).toHaveLength(2);
  });

  it('flip: a frame with a bad FCS is asked again and the read succeeds', async () => {
    const clean = await direct([], { jobs: [[serial], [energy]] });
    const r = await direct(['flip'], { jobs: [[serial], [energy]] });
    expect(r.error).toBeUndefined();
    expect(r.results.map((x) => x[0]!.ok)).toEqual([true, true]);
    expect(r.results[0]).toEqual(clean.results[0]);
    expect(r.traces.some((t) => t.includes('damaged frame'))).toBe(true);
  });

  it('drop: a lost answer is recovered after the client’s reaction timeout', async () => {
    const r = await direct(['drop'], { jobs: [[serial]], responseTimeoutMs: 300 });
    expect(r.error).toBeUndefined();
    expect(r.results[0]![0]!.ok).toBe(true);
    expect(r.traces.some((t) => t.includes('reaction timeout'))).toBe(true);
  });

  it('unplug: the link closes in the middle of a long block transfer → LINK_LOST', async () => {
    const r = await direct(['unplug'], { jobs: [[day]] });
    expect(r.error?.code).toBe('LINK_LOST');
    expect(r.simEvents.map((e) => e.type)).toContain('unplugged');
    expect(r.results).toEqual([[{ ok: false, error: expect.objectContaining({ code: 'LINK_LOST' }) }]]);
  });

  it('silence: HDLC_NO_UA (the SNRM is never answered); slow: answers after slowMs', async () => {
    const silent = await direct(['silence'], { jobs: [[serial]], responseTimeoutMs: 150 });
    expect(silent.error?.code).toBe('HDLC_NO_UA');
    const t = Date.now();
    const slow = await direct(['slow'], { jobs: [[serial]], responseTimeoutMs: 1500 }, { slowMs: 250 });
    expect(slow.error).toBeUndefined();
    // SNRM, AARQ, GET, RLRQ, DISC: five answers, each after 250 ms.
    expect(Date.now() - t).toBeGreaterThanOrEqual(5 * 250 - 20);
  });

  it('pace: bytes take their wire time at 9600 baud', async () => {
    const t = Date.now();
    const r = await direct([], { jobs: [[{ classId: 15, obis: '0-0:40.0.0*255', attribute: 2 }]] }, { pace: true });
    expect(r.error).toBeUndefined();
    // The object list is ~1.9 kB: at 960 characters/s the answers alone take about 2 s.
    expect(Date.now() - t).toBeGreaterThan(1800);
  }, 20_000);
});

describe('virtual meter: mode E after the IEC handshake, and direct HDLC', () => {
  it('IEC handshake → mode E handover → DLMS association on the same link; back to IEC after DISC', async () => {
    const pair = createVirtualPair();
    const meter = startVirtualMeter(pair.meter, { pace: false, reactionMs: 400, dlmsReactionMs: 5, data: { seed: 11 } });
    const events: VirtualMeterEvent[] = [];
    meter.on((e) => events.push(e));
    const iecActions: Action<IecEvent>[] = [];
    const iec = new IecClient({ purpose: 'modeE', maxBaud: 9600, reactionTimeoutMs: 900, interCharTimeoutMs: 600 });
    await drive(pair.host, iec, { onEvent: (event) => iecActions.push({ type: 'event', event }) });
    const res = collectIecResult(iecActions);
    expect(res.handover?.baudRate).toBe(9600);
    expect(pair.host.line).toMatchObject({ baudRate: 9600, dataBits: 8, parity: 'none' });
    const before = Date.now();
    const visit = await dlmsVisit(pair.host, { jobs: [[serial, energy]] });
    expect(visit.error).toBeUndefined();
    const [s, e] = visit.results[0]!;
    expect(s).toEqual({ ok: true, value: { type: 'octet-string', value: Buffer.from(meter.state.data.serial).toString('hex') } });
    const wh = e?.ok ? Number(integerText(e.value)) : NaN;
    expect(wh).toBeGreaterThanOrEqual(meter.state.data.energy(before).importWh);
    expect(wh).toBeLessThanOrEqual(meter.state.data.energy(Date.now()).importWh);
    // The identification and the DLMS serial come from the same meter.
    expect(res.identity?.manufacturer).toBe('LGZ');
    expect(events.filter((x) => x.type === 'mode').map((x) => x.type === 'mode' && x.mode)).toEqual(['iec', 'dlms', 'iec']);
    // Back in IEC mode at 300 7E1: a second handshake works.
    await pair.host.setLine({ baudRate: 300, dataBits: 7, parity: 'even' });
    const again: Action<IecEvent>[] = [];
    await drive(pair.host, new IecClient({ purpose: 'identify', maxBaud: 9600, reactionTimeoutMs: 900, interCharTimeoutMs: 600 }), {
      onEvent: (event) => again.push({ type: 'event', event }),
    });
    expect(collectIecResult(again).identity?.manufacturer).toBe('LGZ');
    meter.stop();
    await pair.host.close();
  }, 20_000);

  it('direct HDLC starts the DLMS server at once at 8N1 (no IEC handshake)', async () => {
    const pair = createVirtualPair();
    const meter = startVirtualMeter(pair.meter, { pace: false, directHdlc: true, hdlcBaudRate: 19200, dlmsReactionMs: 0 });
    await pair.host.setLine(HDLC_LINE(19200));
    await new Promise((r) => setTimeout(r, 20));
    expect(pair.meter.line).toMatchObject({ baudRate: 19200, dataBits: 8, parity: 'none' });
    const visit = await dlmsVisit(pair.host, { clientSap: 16, authentication: { mechanism: 'none' }, jobs: [[serial]] });
    expect(visit.error).toBeUndefined();
    // It stays a DLMS meter: a second visit needs no handshake either.
    const second = await dlmsVisit(pair.host, { clientSap: 16, authentication: { mechanism: 'none' }, jobs: [[serial]] });
    expect(second.error).toBeUndefined();
    expect(second.results).toEqual(visit.results);
    meter.stop();
    await pair.host.close();
  });
});
