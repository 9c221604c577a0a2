/**
 * `omr listen --mqtt` against a real Mosquitto broker: each decoded message is published as JSON
 * on its list's topic (a short and a long list on two topics), numeric values retained per OBIS,
 * and a refused frame's verdict on the verdict topic; values of a damaged telegram are not
 * published as states.
 */
import { createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';
import { startBroker, subscribe, type Broker } from '../support/station';
import { bytesOf, p1Text, pushFrames } from '../unit/listen/fixtures';

let broker: Broker;
let server: Server | undefined;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await broker?.stop();
});

describe('omr listen --mqtt (Mosquitto)', () => {
  it('publishes each list on its own topic, values retained, refused frames as verdicts', async () => {
    const good = p1Text('kaifa-dsmr42.txt');
    const damaged = good.replace('1-0:1.8.1(001581.123', '1-0:1.8.1(009999.123');
    const chunks = [
      ...pushFrames('kaifa-ma304h4-norway-list1.hex'),
      ...pushFrames('kaifa-ma304h4-norway-list2.hex'),
      bytesOf(damaged),
      ...pushFrames('mbus-kmswest-encrypted-nokey.hex'),
    ];
    server = createServer((socket) => {
      let i = 0;
      const next = (): void => {
        if (i < chunks.length) socket.write(chunks[i++]!, () => setTimeout(next, 30));
        else socket.end();
      };
      next();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const code = await runCli(['listen', '--tcp', `127.0.0.1:${port}`, '--mqtt', broker.url, '--mqtt-id', 'han_1', '--json'], {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: { OMR_DATA_DIR: '/nonexistent-omr-test' },
    });
    expect(code).toBe(0);
    const sub = await subscribe(broker.url, { topic: 'omr/han_1/listen/#' });
    // Retained states arrive at once for a late subscriber.
    await expect.poll(() => sub.messages.filter((m) => m.retain).length, { timeout: 5000 }).toBeGreaterThanOrEqual(12);
    const state = (topic: string) => sub.messages.find((m) => m.topic === topic)?.payload;
    expect(state('omr/han_1/listen/layout_kaifa-no-list1/1-0_1_7_0_255')).toBe('1415');
    expect(state('omr/han_1/listen/layout_kaifa-no-list2-3ph/1-0_31_7_0_255')).toBe('1.683');
    // The damaged telegram's 009999.123 is never a state.
    expect(sub.messages.some((m) => m.payload === '009999.123')).toBe(false);
    await sub.close();
  });

  it('the verdict topic gets refused frames (live subscriber)', async () => {
    const sub = await subscribe(broker.url, { topic: 'omr/han_2/listen/verdict' });
    server = createServer((socket) => socket.end(pushFrames('mbus-kmswest-encrypted-nokey.hex')[0]!));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await runCli(['listen', '--tcp', `127.0.0.1:${port}`, '--mqtt', broker.url, '--mqtt-id', 'han_2', '--json'], {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: { OMR_DATA_DIR: '/nonexistent-omr-test' },
    });
    await expect.poll(() => sub.messages.length, { timeout: 5000 }).toBe(1);
    expect(JSON.parse(sub.messages[0]!.payload).verdict).toMatchObject({ layer: 'no-key', code: 'KEY_ERROR' });
    await sub.close();
  });
});
