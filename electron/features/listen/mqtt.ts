/**
 * MQTT copy of what `omr listen` hears: one JSON message per decoded frame or telegram on
 * `<base>/<device>/listen/<list>` (the list identity: layout name or signature hash, so a short
 * and a long list stay apart), each numeric reading retained on
 * `<base>/<device>/listen/<list>/<obis>`, and every refused frame's verdict on
 * `<base>/<device>/listen/verdict`. QoS 1; while the broker is away mqtt.js keeps the messages in
 * order. Values of a damaged telegram (`unchecked`) are never published as states.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { FrameResult } from '../../engine/customer-port/decoder';
import { resultJson } from './listener';

export interface ListenMqttOptions {
  url: string;
  username?: string;
  password?: string;
  deviceId: string;
  baseTopic?: string;
  connectTimeoutMs?: number;
}

const topicPart = (s: string): string => s.replace(/[#+/\s]/g, '_').replace(/[:*.]/g, '_');

export class ListenMqtt {
  private readonly client: MqttClient;
  private readonly base: string;
  published = 0;
  lastError: string | undefined;

  constructor(o: ListenMqttOptions) {
    this.base = `${o.baseTopic ?? 'omr'}/${topicPart(o.deviceId)}/listen`;
    const opts: IClientOptions = {
      reconnectPeriod: 1000,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
    };
    this.client = connect(o.url, opts);
    this.client.on('error', (e) => (this.lastError = e.message));
  }

  /** Resolves when connected, or rejects after the connect timeout. */
  connected(timeoutMs = 10_000): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`MQTT broker not reached in ${timeoutMs} ms${this.lastError ? ` (${this.lastError})` : ''}`)), timeoutMs);
      this.client.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  publish(r: FrameResult): void {
    if (r.verdict.status === 'bad') {
      this.send(`${this.base}/verdict`, JSON.stringify(resultJson(r)), false);
      return;
    }
    const list = topicPart(r.list?.id ?? (r.kind === 'p1' ? `p1:${r.identity ?? ''}` : r.kind));
    this.send(`${this.base}/${list}`, JSON.stringify(resultJson(r)), false);
    for (const x of r.readings) {
      if (!/^-?\d+(\.\d+)?$/.test(x.value)) continue;
      this.send(`${this.base}/${list}/${topicPart(x.obis)}`, x.value, true);
    }
  }

  private send(topic: string, payload: string, retain: boolean): void {
    this.client.publish(topic, payload, { qos: 1, retain }, (err) => {
      if (err) this.lastError = err.message;
      else this.published++;
    });
  }

  /** Waits (bounded) for what is queued to be acknowledged, then disconnects. */
  async close(timeoutMs = 3000): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.client.end(true, {}, () => resolve());
      }, timeoutMs);
      this.client.end(false, {}, () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
