/**
 * MQTT publishing against a real Mosquitto broker (started here on a free loopback port) and
 * `omr serve` as a real process polling the virtual E450: Home Assistant discovery payloads,
 * retained states, the last will when the station is killed, and a broker restart with every
 * journaled poll delivered once the broker is back.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../electron/features/sessions/journal';
import type { MonitorPoll } from '../../shared/monitor';
import { startBroker, startStationProcess, subscribe, type Broker, type RunningStation } from '../support/station';

let broker: Broker;
const stations: RunningStation[] = [];

beforeAll(async () => {
  // .ci/run installs Mosquitto (Debian package) when it is missing.
  broker = await startBroker();
});
afterAll(async () => {
  for (const s of stations) await s.kill();
  await broker?.stop();
});

async function station(id: string, extra: string[] = []): Promise<RunningStation> {
  const s = await startStationProcess(['--simulator', '--no-pace', '--poll', '2', '--mqtt', broker.url, '--mqtt-id', id, ...extra]);
  stations.push(s);
  return s;
}

async function status(s: RunningStation): Promise<any> {
  return (await (await fetch(`${s.url}api/status`)).json()).value;
}

const norm = (v: string) => v.replace(/^(-?)0+(?=\d)/, '$1');

function journalPolls(s: RunningStation, sessionId: string): MonitorPoll[] {
  return new SessionStore(join(s.dataDir, 'sessions')).load(sessionId).polls ?? [];
}

describe('MQTT publishing (Mosquitto)', () => {
  it('announces the meter to Home Assistant and keeps the states retained', async () => {
    const s = await station('meter_a');
    await expect.poll(async () => (await status(s)).mqtt?.polls ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await status(s)).mqtt?.pending, { timeout: 10_000 }).toBe(0);
    const st = await status(s);
    expect(st.mqtt).toMatchObject({ connected: true, deviceId: 'meter_a' });

    // A subscriber that comes later gets the retained messages at once.
    const sub = await subscribe(broker.url, { topic: 'homeassistant/#' });
    const states = await subscribe(broker.url, { topic: 'omr/meter_a/#' });
    await expect.poll(() => sub.messages.length, { timeout: 5000 }).toBeGreaterThanOrEqual(12);
    const config = (key: string) => JSON.parse(sub.messages.find((m) => m.topic === `homeassistant/sensor/meter_a/${key}/config`)!.payload);
    expect(sub.messages.every((m) => m.retain)).toBe(true);

    const energy = config('1-0_1_8_0');
    expect(energy).toMatchObject({
      unique_id: 'meter_a_1-0_1_8_0',
      state_topic: 'omr/meter_a/1-0_1_8_0',
      availability_topic: 'omr/meter_a/availability',
      device_class: 'energy',
      state_class: 'total_increasing',
      unit_of_measurement: 'kWh',
      device: { identifiers: ['meter_a'], manufacturer: 'Landis+Gyr', model: 'ZMF100AC.d2' },
    });
    expect(config('1-0_2_8_0')).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' });
    expect(config('1-0_1_7_0')).toMatchObject({ device_class: 'power', state_class: 'measurement', unit_of_measurement: 'kW' });
    expect(config('1-0_32_7_0')).toMatchObject({ device_class: 'voltage', state_class: 'measurement', unit_of_measurement: 'V' });
    expect(config('1-0_31_7_0')).toMatchObject({ device_class: 'current', unit_of_measurement: 'A' });
    expect(config('1-0_14_7_0')).toMatchObject({ device_class: 'frequency', unit_of_measurement: 'Hz' });
    expect(config('1-0_13_7_0')).toMatchObject({ device_class: 'power_factor' });
    expect(config('1-0_13_7_0').unit_of_measurement).toBeUndefined();

    await expect.poll(() => states.messages.filter((m) => m.retain).length, { timeout: 5000 }).toBeGreaterThanOrEqual(12);
    const retained = new Map(states.messages.filter((m) => m.retain).map((m) => [m.topic, m.payload]));
    expect(retained.get('omr/meter_a/availability')).toBe('online');
    const polls = journalPolls(s, st.monitor.sessionId);
    const eimp = new Set(polls.map((p) => norm(p.values!.Eimp!)));
    expect(eimp.has(retained.get('omr/meter_a/1-0_1_8_0')!)).toBe(true);
    const volts = new Set(polls.map((p) => norm(p.values!.U1!)));
    expect(volts.has(retained.get('omr/meter_a/1-0_32_7_0')!)).toBe(true);
    // The poll message itself is not retained (it is a stream, the states are the picture).
    expect(retained.has('omr/meter_a/poll')).toBe(false);

    // A clean stop says offline (retained) before leaving.
    expect(await s.stop()).toBe(0);
    await expect.poll(() => states.messages.filter((m) => m.topic === 'omr/meter_a/availability').pop()?.payload, { timeout: 5000 }).toBe('offline');
    await sub.close();
    await states.close();
  });

  it('sends the last will (offline) when the station is killed', async () => {
    const s = await station('meter_b');
    const sub = await subscribe(broker.url, { topic: 'omr/meter_b/availability' });
    await expect.poll(() => sub.messages.at(-1)?.payload, { timeout: 30_000 }).toBe('online');
    sub.messages.length = 0;
    await s.kill();
    await expect.poll(() => sub.messages.at(-1)?.payload, { timeout: 10_000 }).toBe('offline');
    await sub.close();
  });

  it('reconnects after the broker restarts, and every poll of the journal reaches the broker', async () => {
    const s = await station('meter_c');
    // A persistent session: the broker keeps this subscriber's messages across its own restart.
    const sub = await subscribe(broker.url, { clientId: 'omr-test-journal', topic: 'omr/meter_c/poll' });
    const since = Date.now();
    await expect.poll(() => sub.messages.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);

    await broker.stop();
    const down = Date.now();
    const sessionId = (await status(s)).monitor.sessionId as string;
    const before = journalPolls(s, sessionId).length;
    // The station keeps polling and journaling while the broker is away.
    await expect.poll(() => journalPolls(s, sessionId).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 2);
    expect((await status(s)).mqtt.connected).toBe(false);
    await broker.start();
    const up = Date.now();

    await expect.poll(async () => (await status(s)).mqtt.connected, { timeout: 30_000 }).toBe(true);
    expect((await status(s)).mqtt.reconnects).toBeGreaterThanOrEqual(1);
    await expect.poll(() => sub.messages.filter((m) => m.at > up).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect(await s.stop()).toBe(0);
    await expect.poll(() => sub.messages.length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);

    const received = new Set(sub.messages.map((m) => JSON.parse(m.payload).t as string));
    const journal = journalPolls(s, sessionId).filter((p) => Date.parse(p.t) >= since);
    const duringOutage = journal.filter((p) => Date.parse(p.t) > down && Date.parse(p.t) < up);
    expect(duringOutage.length).toBeGreaterThanOrEqual(2);
    // Give the last messages a moment, then compare: nothing of the journal is missing.
    await expect
      .poll(() => journal.filter((p) => !received.has(p.t) && !sub.messages.some((m) => m.payload.includes(p.t))).map((p) => p.t), { timeout: 5000 })
      .toEqual([]);
    // And in order.
    const order = sub.messages.map((m) => JSON.parse(m.payload).t as string).filter((t) => Date.parse(t) >= since);
    expect(order).toEqual([...order].sort());
    await sub.close();
  });
});
