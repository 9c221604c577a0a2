/**
 * The station in-process over real HTTP and a real WebSocket: the contract over the socket (same
 * envelopes as the dispatcher), the JSON API (status, start, stop, test, readings, CSV export),
 * and the safety rules (token, Host, Origin, malformed bodies, paths outside the folders, one
 * client per port).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Envelope } from '../../shared/contract';
import { loadOrCreateToken } from '../../electron/features/station/security';
import { startStation, type Station } from '../../electron/features/station/server';
import { testServices } from '../support/services';

let station: Station;
let services: ReturnType<typeof testServices>;
let token: string;
let base: string;
let secretName = '';

function fakeRenderer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'omr-renderer-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>station test page</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  // A secret next to the build folder: no route may reach it.
  secretName = `${dir.split('/').pop()}-secret.txt`;
  writeFileSync(join(dir, '..', secretName), 'secret');
  return dir;
}

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

/** A raw HTTP request (fetch would normalise paths and refuse to set Host/Origin). */
function http(method: string, path: string, o: { headers?: Record<string, string>; body?: string } = {}): Promise<Res> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          let json: Envelope<unknown> = { ok: false } as never;
          try {
            json = JSON.parse(body);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}
const auth = () => ({ authorization: `Bearer ${token}` });
const json = (body: unknown) => ({ headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A WebSocket client of the station: invoke() and the events it pushed. */
async function wsClient(o: { token?: string; origin?: string } = {}) {
  const url = new URL('/ws', base);
  url.protocol = 'ws:';
  if (o.token) url.searchParams.set('token', o.token);
  const ws = new WebSocket(url, o.origin ? { origin: o.origin } : {});
  const events: { channel: string; payload: any }[] = [];
  const waiting = new Map<number, (env: Envelope<any>) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.t === 'event') events.push(m);
    if (m.t === 'result') waiting.get(m.id)?.(m.envelope);
  });
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
  });
  let id = 1;
  return {
    ws,
    events,
    invoke: (channel: string, request?: unknown) =>
      new Promise<any>((ok) => {
        const n = id++;
        waiting.set(n, ok);
        ws.send(JSON.stringify({ t: 'invoke', id: n, channel, ...(request === undefined ? {} : { request }) }));
      }),
    close: () => new Promise<void>((r) => (ws.readyState === ws.CLOSED ? r() : (ws.once('close', () => r()), ws.close()))),
  };
}

beforeAll(async () => {
  services = testServices({ alignGapMs: 50, targets: { virtualMeter: { pace: false } } });
  const t = loadOrCreateToken(services.dataDir);
  token = t.fresh!;
  station = await startStation({
    services,
    dataDir: services.dataDir,
    rendererDir: fakeRenderer(),
    host: '127.0.0.1',
    port: 0,
    tokenHash: t.hash,
    requireToken: true,
    target: 'virtual:e450',
    defaultIntervalS: 2,
    version: 'test',
  });
  base = station.url;
});

afterAll(async () => {
  await services?.dispose();
  await station?.close();
});

describe('the token', () => {
  it('is generated once, kept only as a hash, and required when asked for', async () => {
    const again = loadOrCreateToken(services.dataDir);
    expect(again.fresh).toBeUndefined();
    expect(again.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(again.hash).not.toContain(token);

    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${token}` }] as Record<string, string>[]) {
      const r = await http('GET', '/api/status', { headers });
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    }
    expect((await http('GET', '/api/status', { headers: auth() })).status).toBe(200);
    expect((await http('GET', `/api/status?token=${token}`)).status).toBe(200);
    // The page itself is public (no secret in it); everything behind it is not.
    const page = await http('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    await expect(wsClient()).rejects.toThrow(/HTTP 401/);
    await expect(wsClient({ token: 'nope' })).rejects.toThrow(/HTTP 401/);
  });
});

describe('the WebSocket transport', () => {
  it('carries the contract with the dispatcher’s own envelopes', async () => {
    const c = await wsClient({ token });
    const info = await c.invoke('app:info');
    expect(info).toEqual(await services.dispatcher.dispatch('app:info', undefined, { client: 'test' }));
    const bad = await c.invoke('settings:set', { maxBaud: 'fast' });
    expect(bad).toEqual(await services.dispatcher.dispatch('settings:set', { maxBaud: 'fast' }, { client: 'test' }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(await c.invoke('fs:read', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });

    // Events: a read pushes its readings and its end to every client.
    const started = await c.invoke('read:start', { target: 'virtual:e450' });
    expect(started.ok).toBe(true);
    await expect
      .poll(() => c.events.find((e) => e.channel === 'operation:ended' && e.payload.operationId === started.value.operationId)?.payload.state, {
        timeout: 30_000,
      })
      .toBe('done');
    const pushed = c.events.filter((e) => e.channel === 'session:readings').flatMap((e) => e.payload.readings);
    expect(pushed.length).toBe(services.sessions.load(started.value.sessionId).readings.length);

    // An export answers with a one-shot download link of the file.
    const exp = await c.invoke('sessions:export', { id: started.value.sessionId, dialect: 'comma-dot' });
    expect(exp.value.download).toMatch(/^\/download\/[A-Za-z0-9_-]{24}\//);
    const dl = await http('GET', exp.value.download);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-disposition']).toMatch(/attachment/);
    expect(dl.body.split('\r\n').length).toBe(pushed.length + 2);
    expect((await http('GET', exp.value.download)).status).toBe(404);
    await c.close();
  });

  it('drops a client that sends something that is not JSON, and answers a malformed invoke', async () => {
    const c = await wsClient({ token });
    expect(
      await new Promise<unknown>(
        (r) => (c.ws.once('message', (d) => r(JSON.parse(d.toString()))), c.ws.send(JSON.stringify({ t: 'invoke', id: 7, channel: 42 }))),
      ),
    ).toMatchObject({
      t: 'result',
      id: 7,
      envelope: { ok: false, error: { code: 'INVALID_REQUEST' } },
    });
    const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)));
    c.ws.send('{not json');
    expect(await closed).toBe(1003);
  });

  it('refuses an upgrade from a foreign page, or under a foreign Host name', async () => {
    await expect(wsClient({ token, origin: 'http://evil.example' })).rejects.toThrow(/HTTP 403/);
    const own = await wsClient({ token, origin: base.replace(/\/$/, '') });
    await own.close();
    const rebound = await http('GET', '/ws', {
      headers: {
        host: 'evil.example:80',
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    expect(rebound.status).toBe(421);
  });
});

describe('the JSON API', () => {
  it('refuses a foreign Origin and a foreign Host, even with the token', async () => {
    const foreign = await http('POST', '/api/test', { ...json({}), headers: { ...json({}).headers, origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.json).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    const rebound = await http('GET', '/api/status', { headers: { ...auth(), host: 'meter.evil.example' } });
    expect(rebound.status).toBe(421);
  });

  it('validates bodies with the contract’s schemas and refuses what is not JSON', async () => {
    const notJson = await http('POST', '/api/test', { headers: { ...auth(), 'content-type': 'application/json' }, body: '{"target":' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe('INVALID_REQUEST');
    const form = await http('POST', '/api/test', { headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'target=virtual:e450' });
    expect(form.status).toBe(415);
    const wrong = await http('POST', '/api/test', json({ target: 42, address: 'x'.repeat(40) }));
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.detail).toMatch(/target/);
    const extra = await http('POST', '/api/start', json({ intervalS: 1 }));
    expect(extra.status).toBe(400);
    expect(extra.json.error.detail).toMatch(/intervalS/);
    const huge = await http('POST', '/api/test', json({ target: 'x'.repeat(70_000) }));
    expect(huge.status).toBe(413);
    expect((await http('DELETE', '/api/status', { headers: auth() })).status).toBe(405);
    expect((await http('GET', '/api/nothing', { headers: auth() })).status).toBe(404);
  });

  it('serves nothing outside the build and the exports folder', async () => {
    for (const path of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', `/..%2f${secretName}`, `/../${secretName}`]) {
      const r = await http('GET', path);
      expect(r.body, path).not.toMatch(/root:|secret/);
    }
    const js = await http('GET', '/assets/app.js');
    expect(js.headers['content-type']).toMatch(/javascript/);
    for (const id of ['..%2F..%2Fsettings', '..', 'a%00b']) {
      const r = await http('GET', `/api/sessions/${id}/export.csv`, { headers: auth() });
      expect([400, 404], id).toContain(r.status);
      expect(r.body).not.toMatch(/maxBaud|tokenSha256/);
    }
    expect((await http('GET', '/api/sessions/20990101-000000-abcdef/export.csv', { headers: auth() })).status).toBe(404);
    expect((await http('GET', '/download/AAAAAAAAAAAAAAAAAAAAAAAA/settings.json')).status).toBe(404);
  });

  it('tests the meter (one identification), and gives the port to one client at a time', async () => {
    const t = await http('POST', '/api/test', { headers: auth() });
    expect(t.status).toBe(200);
    expect(t.json.value.identity).toMatchObject({ manufacturer: 'LGZ', ident: 'ZMF100AC.d2' });

    // A browser aligns (until stopped): the port is its own; a script's test gets PORT_BUSY.
    const browser = await wsClient({ token });
    const align = await browser.invoke('align:start', { target: 'virtual:e450', maxTries: 0, steadyAfter: 20 });
    expect(align.ok).toBe(true);
    const busy = await http('POST', '/api/test', json({ target: 'virtual:e450' }));
    expect(busy.status).toBe(409);
    expect(busy.json.error.code).toBe('PORT_BUSY');
    const other = await wsClient({ token });
    expect(await other.invoke('meter:identify', { target: 'virtual:e450' })).toMatchObject({ ok: false, error: { code: 'PORT_BUSY' } });
    // The browser goes away: its alignment stops and the port is free again.
    await browser.close();
    await expect.poll(() => services.operations.get(align.value.operationId), { timeout: 10_000 }).toBeUndefined();
    expect((await http('POST', '/api/test', json({}))).status).toBe(200);
    await other.close();
  });

  it('starts and stops monitoring, with its statistics, the latest readings and the CSV of the session', async () => {
    const start = await http('POST', '/api/start', json({ plan: 'registers' }));
    expect(start.status).toBe(200);
    const { operationId, sessionId } = start.json.value;
    expect((await http('POST', '/api/start', json({}))).status).toBe(409);
    await expect
      .poll(async () => (await http('GET', '/api/status', { headers: auth() })).json.value.monitor?.succeeded ?? 0, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(1);
    const status = (await http('GET', '/api/status', { headers: auth() })).json.value;
    expect(status.monitor).toMatchObject({ operationId, sessionId, running: true, intervalS: 2, failed: 0 });
    expect(status.lastPoll).toMatchObject({ ok: true, sessionId });
    expect(status.station).toMatchObject({ target: 'virtual:e450' });

    const readings = (await http('GET', '/api/readings', { headers: auth() })).json.value as { obis: string; value: string; unit: string; sessionId: string }[];
    const energy = readings.find((r) => r.obis === '1-0:1.8.0*255' && r.sessionId === sessionId);
    expect(energy).toMatchObject({ unit: 'kWh', value: status.lastPoll.values.Eimp });

    const stop = await http('POST', '/api/stop', json({}));
    expect(stop.status).toBe(200);
    expect(stop.json.value).toMatchObject({ operationId, running: false });
    expect((await http('GET', '/api/status', { headers: auth() })).json.value.monitor.running).toBe(false);
    expect((await http('POST', '/api/stop', json({}))).status).toBe(400);

    const session = services.sessions.load(sessionId);
    const csv = await http('GET', `/api/sessions/${sessionId}/export.csv?what=polls&dialect=semicolon-comma`, { headers: auth() });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.trim().split('\r\n').length).toBe((session.polls?.length ?? 0) + 1);
    expect(csv.body).toContain(';');
    const badWhat = await http('GET', `/api/sessions/${sessionId}/export.csv?what=passwords`, { headers: auth() });
    expect(badWhat.status).toBe(400);
  });
});
