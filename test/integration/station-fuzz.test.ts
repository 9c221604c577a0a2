/**
 * The station under hostile bytes: request lines, targets, headers and WebSocket upgrades built by
 * fast-check and written on raw sockets (node:net, nothing normalised). Whatever one client sends,
 * the process stays up and the next client gets its answer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateToken } from '../../electron/features/station/security';
import { startStation, type Station } from '../../electron/features/station/server';
import { testServices } from '../support/services';

let station: Station;
let services: ReturnType<typeof testServices>;
let token: string;
const logged: string[] = [];

beforeAll(async () => {
  services = testServices({ targets: { virtualMeter: { pace: false } } });
  const t = loadOrCreateToken(services.dataDir);
  token = t.fresh!;
  const renderer = mkdtempSync(join(tmpdir(), 'omr-renderer-'));
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>fuzz</title>');
  station = await startStation({
    services,
    dataDir: services.dataDir,
    rendererDir: renderer,
    host: '127.0.0.1',
    port: 0,
    tokenHash: t.hash,
    requireToken: true,
    version: 'test',
    log: (l) => logged.push(l),
  });
});

afterAll(async () => {
  await station?.close();
  await services?.dispose();
});

/** Write raw bytes, collect what comes back until the peer closes or 2 s pass. */
function raw(bytes: string | Buffer, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(station.port, '127.0.0.1');
    let out = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, waitMs);
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', done);
    s.on('close', done);
    s.write(bytes);
    // Half-close: a server waiting for more headers sees the end of the request.
    s.end();
  });
}

async function statusAnswers(): Promise<void> {
  const r = await fetch(new URL('/api/status', station.url), { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  expect((await r.json()).ok).toBe(true);
}

const host = () => `127.0.0.1:${station.port}`;
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const pathChars = fc.constantFrom(
  '/',
  '[',
  ']',
  '%',
  '%zz',
  '%00',
  '%E0%A4%A',
  '..',
  '//',
  '?',
  '#',
  '@',
  ':',
  'api',
  'ws',
  'download',
  ' ',
  '\\',
  '\u00ff',
  '\u2028',
  'x',
);
const target = fc.oneof(
  fc.array(pathChars, { maxLength: 12 }).map((a) => a.join('')),
  anyText,
  fc.constantFrom(
    '//[',
    '//[/api/status',
    '/api/sessions/%E0%A4%A/export.csv',
    '/api/sessions/%/export.csv',
    'http://[',
    '*',
    '/ws?token=%',
    '//ws',
    'http://evil/ws',
  ),
);
const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH'),
  fc.string({ minLength: 1, maxLength: 8 }),
);
const header = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      'host',
      'origin',
      'authorization',
      'content-type',
      'content-length',
      'transfer-encoding',
      'upgrade',
      'connection',
      'sec-websocket-key',
      'sec-websocket-version',
      'expect',
      'cookie',
    ),
    fc.string({ maxLength: 12 }),
  ),
  fc.oneof(anyText, fc.constantFrom('websocket', 'Upgrade', '-1', '99999999999999999999', 'chunked', `Bearer x`, 'null', '100-continue', 'application/json')),
);

describe('the station under malformed requests', () => {
  it('answers `GET //[` (a path, never another host) and keeps serving (request and upgrade)', async () => {
    const plain = await raw(`GET //[ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    expect(plain).toMatch(/^HTTP\/1\.1 (200|404)/);
    const upgrade = await raw(
      `GET //[ HTTP/1.1\r\nHost: ${host()}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 404/);
    expect(await raw(`GET http://[ HTTP/1.1\r\nHost: ${host()}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    await statusAnswers();
  });

  it('answers a malformed percent-escape in an export id with 400, not 500', async () => {
    const r = await fetch(new URL('/api/sessions/%E0%A4%A/export.csv', station.url), { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(400);
    expect((await r.json()).error.code).toBe('INVALID_REQUEST');
  });

  it('survives fuzzed request lines, headers and upgrades', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        target,
        fc.array(header, { maxLength: 6 }),
        fc.boolean(),
        fc.boolean(),
        fc.option(anyText),
        async (m, t, headers, asUpgrade, withHost, body) => {
          const lines = [`${m} ${t} HTTP/1.1`];
          if (withHost) lines.push(`Host: ${host()}`);
          if (asUpgrade)
            lines.push(
              'Connection: Upgrade',
              'Upgrade: websocket',
              'Sec-WebSocket-Version: 13',
              'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
              `Authorization: Bearer ${token}`,
            );
          for (const [k, v] of headers) lines.push(`${k}: ${v}`);
          await raw(Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`, 'latin1'), 300);
        },
      ),
      { numRuns: 150 },
    );
    await statusAnswers();
    // Nothing reached the 500 path: every malformed request was refused as such.
    expect(logged.filter((l) => /Invalid URL|URI malformed/.test(l))).toEqual([]);
  });
});
