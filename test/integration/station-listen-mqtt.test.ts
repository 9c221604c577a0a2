/**
 * A push-only meter on a station: `omr serve --customer-p1-demo` (the virtual P1 meter, every
 * third telegram with a bad CRC) against a real Mosquitto broker. Each telegram is journaled and
 * published; Home Assistant discovery gives energy, power, voltage and gas their classes and
 * units; a value from a bad-CRC telegram is never published as a state; the script API reports
 * the listener.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore } from '../../electron/features/sessions/journal';
import { startBroker, startStationProcess, subscribe, type Broker, type RunningStation } from '../support/station';

let broker: Broker;
const stations: RunningStation[] = [];

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  for (const s of stations) await s.kill();
  await broker?.stop();
});

const norm = (v: string) => v.replace(/^(-?)0+(?=\d)/, '$1');

describe('omr serve --customer-p1-demo with MQTT (Mosquitto)', () => {
  it('publishes good telegrams like polls, refused ones without their values', async () => {
    const states = await subscribe(broker.url, { topic: 'omr/p1_meter/#' });
    const s = await startStationProcess(['--customer-p1-demo', '--p1-fault', 'bad-crc', '--p1-interval', '250', '--mqtt', broker.url, '--mqtt-id', 'p1_meter']);
    stations.push(s);
    const pushes = () =>
      states.messages
        .filter((m) => m.topic === 'omr/p1_meter/push')
        .map(
          (m) =>
            JSON.parse(m.payload) as {
              sessionId: string;
              verdict: { status: string; layer: string };
              values?: { obis: string; value: string; unit: string }[];
            },
        );
    await expect.poll(() => pushes().filter((p) => p.verdict.layer === 'crc-bad').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => pushes().filter((p) => p.verdict.status === 'good').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    expect(s.out.stdout).toMatch(/Listening to the customer port virtual:p1 \(p1; session \S+\)/);

    const all = pushes();
    for (const p of all.filter((x) => x.verdict.status === 'bad')) expect(p.values).toBeUndefined();
    // Every power state published is the value of a good telegram: the bad-CRC one (a digit
    // changed in 1-0:1.7.0) never reaches a state.
    const goodPower = new Set(all.filter((p) => p.verdict.status === 'good').map((p) => norm(p.values!.find((v) => v.obis.startsWith('1-0:1.7.0'))!.value)));
    const powerStates = states.messages.filter((m) => m.topic === 'omr/p1_meter/1-0_1_7_0').map((m) => m.payload);
    expect(powerStates.length).toBeGreaterThanOrEqual(4);
    for (const v of powerStates) expect(goodPower.has(v)).toBe(true);

    // Home Assistant discovery, retained, with classes and units.
    const ha = await subscribe(broker.url, { topic: 'homeassistant/sensor/p1_meter/#' });
    await expect.poll(() => ha.messages.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
    const config = (key: string) => {
      const m = ha.messages.find((x) => x.topic === `homeassistant/sensor/p1_meter/${key}/config`);
      return m ? (JSON.parse(m.payload) as Record<string, unknown>) : undefined;
    };
    expect(config('1-0_1_8_1')).toMatchObject({
      device_class: 'energy',
      state_class: 'total_increasing',
      unit_of_measurement: 'kWh',
      state_topic: 'omr/p1_meter/1-0_1_8_1',
    });
    expect(config('1-0_2_8_2')).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' });
    expect(config('1-0_1_7_0')).toMatchObject({ device_class: 'power', state_class: 'measurement', unit_of_measurement: 'kW' });
    expect(config('1-0_32_7_0')).toMatchObject({ device_class: 'voltage', state_class: 'measurement', unit_of_measurement: 'V' });
    expect(config('0-1_24_2_1')).toMatchObject({ device_class: 'gas', state_class: 'total_increasing', unit_of_measurement: 'm³' });
    // Not measurements: the DSMR version, the M-Bus device type, the equipment id.
    expect(config('1-3_0_2_8')).toBeUndefined();
    expect(config('0-1_24_1_0')).toBeUndefined();
    expect(config('0-0_96_1_1')).toBeUndefined();
    await ha.close();

    // The script API reports the listener; the journal holds every telegram, bad ones without values.
    const status = (await (await fetch(`${s.url}api/status`)).json()).value;
    expect(status.listen).toMatchObject({ target: 'virtual:p1', running: true, restarts: 0 });
    expect(status.listen.counts.bad).toBeGreaterThanOrEqual(2);
    expect(status.mqtt.pushes).toBeGreaterThanOrEqual(6);
    const sessionId = status.listen.sessionId as string;
    expect(all.every((p) => p.sessionId === sessionId)).toBe(true);
    await s.stop();
    const session = new SessionStore(join(s.dataDir, 'sessions')).load(sessionId);
    expect(session.state).toBe('done');
    expect(session.pushes!.length).toBeGreaterThanOrEqual(all.length);
    expect(session.pushes!.filter((f) => f.verdict.layer === 'crc-bad').every((f) => f.values.length === 0)).toBe(true);
    await states.close();
  }, 60_000);

  it('refuses unclear customer-port flags with a usage error', async () => {
    await expect(startStationProcess(['--customer-p1-demo', '--customer-tcp', '127.0.0.1:1'])).rejects.toThrow(
      /choose one of --customer-port, --customer-tcp, --customer-p1-demo/,
    );
    await expect(startStationProcess(['--customer-line', 'p1'])).rejects.toThrow(/need --customer-port/);
    await expect(startStationProcess(['--customer-p1-demo', '--customer-line', '9600'])).rejects.toThrow(/--customer-line wants one of p1, p1-legacy/);
  }, 30_000);
});
