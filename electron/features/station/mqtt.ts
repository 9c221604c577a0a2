/**
 * MQTT publishing of the station's readings (mqtt.js): every monitor poll and every read's
 * readings, one retained topic per reading, a JSON message per poll, the availability topic as
 * the last will, and Home Assistant discovery so the meter appears as a device.
 *
 * The journal on disk is the record; MQTT is a copy. Messages are QoS 1: while the broker is away
 * mqtt.js keeps them (in memory, in order) and sends them when it is back, so a broker restart
 * loses no poll. Reconnection backs off from `reconnectMinMs` to `reconnectMaxMs`.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { hostname } from 'node:os';
import type { MonitorPoll, MonitorStats } from '../../../shared/monitor';
import type { MeterIdentity, Reading } from '../../../shared/types';
import type { ListenFrameEvent } from '../../../shared/listen';
import type { EventBus } from '../../runtime/events';
import type { SessionStore } from '../sessions/journal';
import {
  availabilityTopic,
  discoveryTopic,
  isPublishable,
  numericState,
  pollTopic,
  pushTopic,
  sensorConfig,
  sensorKey,
  stateTopic,
  type DeviceInfo,
  type Topics,
} from './discovery';
import { pollReadings } from './state';

export interface MqttOptions {
  /** mqtt://host:1883 or mqtts://host:8883. */
  url: string;
  username?: string;
  password?: string;
  /** TLS: CA certificate(s) (PEM), and whether to check the broker's certificate (default yes). */
  ca?: string | Buffer;
  rejectUnauthorized?: boolean;
  /** Device id in Home Assistant and topic segment (default: omr_<host>). */
  deviceId?: string;
  baseTopic?: string;
  discoveryPrefix?: string;
  /** Home Assistant discovery on (default) or off. */
  discovery?: boolean;
  clientId?: string;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  keepaliveS?: number;
}

export interface MqttDeps {
  events: EventBus;
  sessions: Pick<SessionStore, 'summaryNow'>;
  version: string;
  log?: (line: string) => void;
  /** Time, for the poll → message latency (tests, benchmark). */
  now?: () => number;
}

export interface MqttStatus {
  broker: string;
  connected: boolean;
  deviceId: string;
  /** Messages acknowledged by the broker. */
  published: number;
  /** Messages handed to mqtt.js and not acknowledged yet (waiting for the broker). */
  pending: number;
  polls: number;
  /** Customer-port frames and telegrams handed on (refused ones without their values). */
  pushes: number;
  reconnects: number;
  lastError?: string;
}

/** Safe topic segment: letters, digits, `_` and `-`. */
export function topicSegment(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 64) || 'meter'
  );
}

/** Messages held while the broker is away (a day of 5-second polls with their readings fits). */
const MAX_OFFLINE = 100_000;

export class MqttPublisher {
  readonly client: MqttClient;
  readonly deviceId: string;
  private readonly topics: Topics;
  private readonly device: DeviceInfo;
  /** Sensors announced (key → unit), re-announced at every (re)connect. */
  private readonly sensors = new Map<string, Pick<Reading, 'obis' | 'unit'>>();
  private readonly sessionsSeen = new Map<string, { identity?: MeterIdentity; tries: number }>();
  private readonly off: () => void;
  /** Messages waiting for the broker (bounded by MAX_OFFLINE). */
  private offline: { topic: string; payload: string; retain: boolean }[] = [];
  private published = 0;
  private pending = 0;
  private polls = 0;
  private pushes = 0;
  private reconnects = 0;
  private lastError: string | undefined;
  private backoffMs: number;
  private closed = false;

  constructor(
    readonly options: MqttOptions,
    private readonly deps: MqttDeps,
  ) {
    this.deviceId = topicSegment(options.deviceId ?? `omr_${hostname()}`);
    this.topics = { base: options.baseTopic ?? 'omr', discoveryPrefix: options.discoveryPrefix ?? 'homeassistant' };
    this.device = { id: this.deviceId, version: deps.version };
    const min = options.reconnectMinMs ?? 1000;
    this.backoffMs = min;
    const clientOptions: IClientOptions = {
      clientId: options.clientId ?? `${this.deviceId}_${process.pid}`,
      clean: true,
      resubscribe: false,
      keepalive: options.keepaliveS ?? 30,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      reconnectPeriod: min,
      // QoS 1 messages published while offline wait in order (the poll is already on disk).
      queueQoSZero: false,
      will: { topic: availabilityTopic(this.topics, this.deviceId), payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
    };
    this.client = connect(options.url, clientOptions);
    this.client.on('connect', () => {
      this.backoffMs = min;
      this.client.options.reconnectPeriod = min;
      this.lastError = undefined;
      this.deps.log?.(`mqtt: connected to ${this.brokerText()}`);
      this.raw(availabilityTopic(this.topics, this.deviceId), 'online', true);
      // What came while the broker was away, in order (mqtt.js has resent its in-flight messages by now).
      for (const m of this.offline.splice(0)) {
        this.pending--;
        this.publish(m.topic, m.payload, m.retain);
      }
      this.announceAll();
      // Home Assistant asks for discovery again when it restarts.
      if (options.discovery !== false) this.client.subscribe(`${this.topics.discoveryPrefix}/status`, { qos: 1 });
    });
    this.client.on('message', (topic, payload) => {
      if (topic === `${this.topics.discoveryPrefix}/status` && payload.toString() === 'online') this.announceAll();
    });
    this.client.on('reconnect', () => {
      this.reconnects++;
    });
    this.client.on('close', () => {
      if (this.closed) return;
      // Back off: 1 s, 2 s, 4 s … up to the maximum, while the broker stays away.
      this.client.options.reconnectPeriod = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, options.reconnectMaxMs ?? 60_000);
    });
    this.client.on('error', (e) => {
      this.lastError = e.message;
      this.deps.log?.(`mqtt: ${e.message}`);
    });

    this.off = deps.events.subscribe((channel, payload) => {
      if (channel === 'monitor:update') {
        const u = payload as { stats: MonitorStats; poll?: MonitorPoll };
        if (u.poll) this.onPoll(u.stats.sessionId, u.poll);
      } else if (channel === 'session:readings') {
        const p = payload as { sessionId: string; readings: Reading[] };
        this.onReadings(p.sessionId, p.readings);
      } else if (channel === 'listen:frame') {
        this.onPush(payload as ListenFrameEvent);
      }
    });
  }

  private brokerText(): string {
    try {
      const u = new URL(this.options.url);
      return `${u.protocol}//${u.host}`;
    } catch {
      return 'the broker';
    }
  }

  status(): MqttStatus {
    return {
      broker: this.brokerText(),
      connected: this.client.connected,
      deviceId: this.deviceId,
      published: this.published,
      pending: this.pending,
      polls: this.polls,
      pushes: this.pushes,
      reconnects: this.reconnects,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** The meter behind a session (identity), looked up once per session. */
  private learn(sessionId: string): void {
    const seen = this.sessionsSeen.get(sessionId) ?? { tries: 0 };
    this.sessionsSeen.set(sessionId, seen);
    if (seen.identity || seen.tries >= 3) return;
    seen.tries++;
    try {
      const identity = this.deps.sessions.summaryNow(sessionId)?.identity;
      if (identity) {
        seen.identity = identity;
        const changed = this.device.identity?.raw !== identity.raw;
        this.device.identity = identity;
        if (changed) this.announceAll();
      }
    } catch {
      // The session may be gone (deleted): publish without the identity.
    }
  }

  private onPoll(sessionId: string, poll: MonitorPoll): void {
    this.polls++;
    this.learn(sessionId);
    this.publish(pollTopic(this.topics, this.deviceId), JSON.stringify({ sessionId, ...poll }), false);
    if (poll.ok) this.publishReadings(pollReadings(poll));
  }

  private onReadings(sessionId: string, readings: readonly Reading[]): void {
    this.learn(sessionId);
    const serial = readings.find((r) => /^(0-0:96\.1\.0|1-0:0\.0\.0)\*255$/.test(r.obis))?.value.trim();
    if (serial && serial !== this.device.serial) {
      this.device.serial = serial;
      this.announceAll();
    }
    this.publishReadings(readings);
  }

  /**
   * A frame or telegram heard on the customer port: its summary as JSON on `<base>/<id>/push`,
   * and, when it passed its checks, each numeric value as a sensor state like a poll's. A refused
   * frame (bad CRC, wrong key, cut short…) gives its verdict only: its values are never published.
   */
  private onPush(e: ListenFrameEvent): void {
    this.pushes++;
    const f = e.frame;
    const good = f.verdict.status !== 'bad';
    this.publish(
      pushTopic(this.topics, this.deviceId),
      JSON.stringify({
        sessionId: e.sessionId,
        n: f.n,
        t: f.t,
        kind: f.kind,
        ...(f.list ? { list: f.list.name } : {}),
        verdict: { status: f.verdict.status, layer: f.verdict.layer, ...(f.verdict.code ? { code: f.verdict.code } : {}) },
        ...(f.meterTime ? { meterTime: f.meterTime } : {}),
        ...(good ? { values: f.values.map((v) => ({ obis: v.obis, value: v.value, unit: v.unit })) } : {}),
      }),
      false,
    );
    if (!good) return;
    const source: Reading['source'] = f.kind === 'p1' ? 'readout' : 'dlms';
    // `#n` positions have no OBIS code: nothing to name a sensor after.
    this.publishReadings(
      f.values.filter((v) => !v.obis.startsWith('#')).map((v) => ({ obis: v.obis, address: v.obis, value: v.value, unit: v.unit, readAt: f.t, source })),
    );
  }

  private publishReadings(readings: readonly Reading[]): void {
    for (const r of readings) {
      if (!isPublishable(r)) continue;
      const key = sensorKey(r.obis);
      const known = this.sensors.get(key);
      if (!known || known.unit !== r.unit) {
        this.sensors.set(key, { obis: r.obis, unit: r.unit });
        this.announce(key);
      }
      this.publish(stateTopic(this.topics, this.deviceId, key), numericState(r.value)!, true);
    }
  }

  private announce(key: string): void {
    if (this.options.discovery === false) return;
    const sensor = this.sensors.get(key);
    if (!sensor) return;
    this.publish(discoveryTopic(this.topics, this.deviceId, key), JSON.stringify(sensorConfig(this.topics, this.device, sensor)), true);
  }

  private announceAll(): void {
    if (!this.client.connected) return;
    for (const key of this.sensors.keys()) this.announce(key);
  }

  /**
   * Publish now (QoS 1: mqtt.js keeps a message until the broker acknowledges it and resends it
   * after a reconnection), or, while the broker is away, hold it here and publish it in order once
   * connected. mqtt.js's own offline store can lose a message there: a message id handed out
   * while offline may be the id of one still in flight, and the store keeps one message per id.
   */
  private publish(topic: string, payload: string, retain: boolean): void {
    if (!this.client.connected) {
      if (this.offline.length >= MAX_OFFLINE) {
        this.offline.shift();
        this.pending--;
        this.lastError = `more than ${MAX_OFFLINE} messages while the broker is away: the oldest were dropped (they are in the session journal)`;
      }
      this.offline.push({ topic, payload, retain });
      this.pending++;
      return;
    }
    this.pending++;
    this.client.publish(topic, payload, { qos: 1, retain }, (err) => {
      this.pending--;
      if (err) this.lastError = err.message;
      else this.published++;
    });
  }

  /** Availability: sent only while connected (the last will covers the rest). */
  private raw(topic: string, payload: string, retain: boolean): void {
    if (this.client.connected) this.publish(topic, payload, retain);
  }

  /** Wait until everything handed over has been acknowledged (or the time is up). */
  async drain(timeoutMs = 5000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.pending === 0;
  }

  /** A clean stop: `offline` is published (retained), then the connection ends. */
  async close(): Promise<void> {
    this.off();
    if (this.client.connected) {
      await new Promise<void>((resolve) =>
        this.client.publish(availabilityTopic(this.topics, this.deviceId), 'offline', { qos: 1, retain: true }, () => resolve()),
      );
    }
    this.closed = true;
    await this.client.endAsync(!this.client.connected);
  }
}
