import { describe, expect, it } from 'vitest';
import { OmrError } from '../../../shared/errors';
import { IecClient, collectIecResult, type IecClientOptions, type IecEvent } from '../../../electron/engine/iec62056-21/client';
import { createVirtualPair } from '../../../electron/link/virtual';
import { drive } from '../../../electron/runtime/driver';
import { startIecSimulator, type Fault, type IecSimulatorEvent } from '../../../electron/simulator/iec/runner';
import type { Action } from '../../../electron/engine/machine';

/**
 * The runner on the real in-process virtual link (electron/link/virtual.ts) with the real driver
 * (electron/services/driver.ts): real timers, real line changes (a wrong speed garbles bytes).
 * The meter reacts after 400 ms so that an un-paced link still lets the host switch first.
 */
async function read(faults: Fault[], o: Partial<IecClientOptions> = {}, sim: Parameters<typeof startIecSimulator>[1] = {}) {
  const pair = createVirtualPair();
  const simulator = startIecSimulator(pair.meter, { reactionMs: 400, faults, ...sim });
  const simEvents: IecSimulatorEvent[] = [];
  simulator.on((e) => simEvents.push(e));
  const client = new IecClient({ purpose: 'readout', maxBaud: 9600, reactionTimeoutMs: 900, interCharTimeoutMs: 600, ...o });
  const actions: Action<IecEvent>[] = [];
  let error: OmrError | undefined;
  await drive(pair.host, client, { onEvent: (event) => actions.push({ type: 'event', event }) }).catch((e: OmrError) => {
    error = e;
  });
  simulator.stop();
  await pair.host.close();
  await pair.meter.close();
  const res = collectIecResult(actions);
  return { res, error, simEvents, pair };
}

describe('IEC simulator runner on the virtual link', () => {
  it('serves a mode C readout at 9600 baud', async () => {
    const { res, error, simEvents } = await read([]);
    expect(error).toBeUndefined();
    expect(res.identity?.manufacturer).toBe('LGZ');
    expect(res.readings.find((r) => r.address === '1.8.0')?.unit).toBe('kWh');
    expect(simEvents).toContainEqual(expect.objectContaining({ type: 'readout', baudRate: 9600 }));
  });

  it('survives noise before the answers and the echo of the head', async () => {
    const { res, error } = await read(['noise', 'echo']);
    expect(error).toBeUndefined();
    expect(res.readings.length).toBeGreaterThan(20);
  });

  it('silence: NO_ECHO_NO_ANSWER; echo + silence: ECHO_ONLY', async () => {
    expect((await read(['silence'])).error?.code).toBe('NO_ECHO_NO_ANSWER');
    expect((await read(['silence', 'echo'])).error?.code).toBe('ECHO_ONLY');
  });

  it('wakeup: the second request is answered', async () => {
    const { res, error, simEvents } = await read(['wakeup']);
    expect(error).toBeUndefined();
    expect(res.identity).toBeDefined();
    expect(simEvents.filter((e) => e.type === 'request')).toHaveLength(2);
  });

  it('ignore-baud: BAUD_NOT_ACCEPTED warning, then the readout at 300 baud', async () => {
    const { res, error } = await read(['ignore-baud'], { maxBaud: 9600 }, { data: { historyEntries: 0 } });
    expect(error).toBeUndefined();
    expect(res.warnings.map((w) => w.code)).toContain('BAUD_NOT_ACCEPTED');
    expect(res.readings.length).toBeGreaterThan(10);
  }, 60_000);

  it('flip and drop: BCC_MISMATCH; unplug: LINK_LOST', async () => {
    expect((await read(['flip'])).error?.code).toBe('BCC_MISMATCH');
    expect((await read(['drop'])).error?.code).toBe('BCC_MISMATCH');
    expect((await read(['unplug'])).error?.code).toBe('LINK_LOST');
  });

  it('slow: a meter that answers after 3 s is read with a long enough reaction timeout', async () => {
    const { error } = await read(['slow'], { reactionTimeoutMs: 3500, interCharTimeoutMs: 600 });
    expect(error).toBeUndefined();
  }, 30_000);

  it('parity: a host line at 8N1 reads the 7E1 meter with parity in software', async () => {
    const pair = createVirtualPair();
    await pair.host.setLine({ dataBits: 8, parity: 'none' });
    const simulator = startIecSimulator(pair.meter, { reactionMs: 400, faults: ['parity'] });
    const raw: number[] = [];
    pair.host.onData((b) => raw.push(...b));
    const client = new IecClient({ purpose: 'readout', maxBaud: 9600, parityInSoftware: true });
    const actions: Action<IecEvent>[] = [];
    await drive(pair.host, client, { onEvent: (event) => actions.push({ type: 'event', event }) });
    simulator.stop();
    expect(raw[0]).toBe(0xaf); // '/' with its parity bit, as an 8N1 path shows it
    const res = collectIecResult(actions);
    expect(res.readings.length).toBeGreaterThan(20);
    await pair.host.close();
  });

  it('mode E: hands the link over at 9600 8N1', async () => {
    const pair = createVirtualPair();
    const simulator = startIecSimulator(pair.meter, { reactionMs: 400, modeEAck: true });
    const released = new Promise<IecSimulatorEvent>((r) => simulator.on((e) => e.type === 'released' && r(e)));
    const actions: Action<IecEvent>[] = [];
    await drive(pair.host, new IecClient({ purpose: 'modeE', maxBaud: 9600 }), { onEvent: (event) => actions.push({ type: 'event', event }) });
    const ev = await released;
    expect(ev).toMatchObject({ type: 'released', baudRate: 9600, link: pair.meter });
    expect(collectIecResult(actions).handover?.baudRate).toBe(9600);
    expect(pair.host.line).toMatchObject({ baudRate: 9600, dataBits: 8, parity: 'none' });
    expect(pair.meter.line).toMatchObject({ baudRate: 9600, dataBits: 8, parity: 'none' });
    await pair.host.close();
  });

  it('pace: bytes take their wire time (identification at 300 baud ≥ 0.6 s)', async () => {
    const started = Date.now();
    const { error } = await read([], { purpose: 'identify' }, { pace: true, reactionMs: 200 });
    expect(error).toBeUndefined();
    // request 5 chars + reaction 200 ms + identification 20 chars at 30 chars/s
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 33 + 200 + 20 * 33 - 20);
  });

  it('pace: a full readout with the default client timing', async () => {
    const pair = createVirtualPair();
    const simulator = startIecSimulator(pair.meter, { pace: true, data: { historyEntries: 0 } });
    const actions: Action<IecEvent>[] = [];
    await drive(pair.host, new IecClient({ purpose: 'readout', maxBaud: 9600 }), { onEvent: (event) => actions.push({ type: 'event', event }) });
    simulator.stop();
    const res = collectIecResult(actions);
    expect(res.warnings).toEqual([]);
    expect(res.readings.length).toBeGreaterThan(20);
    await pair.host.close();
  });

  it('strict-reaction: the client holds tr before each of its messages, so a meter that is deaf until then is read (readout and programming, paced)', async () => {
    const readout = await read(['strict-reaction'], {}, { pace: true, reactionMs: 200 });
    expect(readout.error).toBeUndefined();
    expect(readout.simEvents.filter((e) => e.type === 'tooSoon')).toEqual([]);
    expect(readout.res.readings.length).toBeGreaterThan(20);
    const prog = await read(
      ['strict-reaction'],
      { purpose: 'programming', password: '00000000', reads: ['1.8.0', '0.0.0'] },
      { pace: true, reactionMs: 200, password: '00000000' },
    );
    expect(prog.error).toBeUndefined();
    expect(prog.simEvents.filter((e) => e.type === 'tooSoon')).toEqual([]);
    expect(prog.res.readings.map((r) => r.address)).toEqual(['1.8.0', '0.0.0']);
    expect(prog.simEvents.map((e) => e.type)).toEqual(['request', 'programming', 'login', 'read', 'read']);
  });

  it('strict-reaction: an option select sent the moment the identification ends is lost, and the meter says how soon it came', async () => {
    const pair = createVirtualPair();
    const simulator = startIecSimulator(pair.meter, { reactionMs: 200, faults: ['strict-reaction'] });
    const tooSoon = new Promise<IecSimulatorEvent>((resolve) => simulator.on((e) => e.type === 'tooSoon' && resolve(e)));
    let text = '';
    pair.host.onData((bytes) => {
      text += Buffer.from(bytes).toString('latin1');
      // A hasty host: the option select at once after the identification's LF.
      if (text.endsWith('\r\n') && text.startsWith('/')) void pair.host.write(Buffer.from('\x06050\r\n', 'latin1'));
    });
    await pair.host.write(Buffer.from('/?!\r\n', 'latin1'));
    const e = await tooSoon;
    expect(e).toMatchObject({ type: 'tooSoon', minMs: 200 });
    expect((e as { gapMs: number }).gapMs).toBeLessThan(50);
    expect(simulator.meter.currentState).toBe('identSent');
    simulator.stop();
    await pair.host.close();
    await pair.meter.close();
  });
});
