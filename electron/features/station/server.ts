/**
 * The headless station: one HTTP server that serves the renderer build, carries the contract
 * over a WebSocket (`/ws`), answers a small JSON API for scripts (`/api/…`), and hands exports to
 * browsers (`/download/…`). Every route goes through the same checks: the Host header names the
 * station, a page's Origin is the station's own, and the token when one is required.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, resolve, sep } from 'node:path';
import type { Envelope } from '../../../shared/contract';
import { errorInfo, type ErrorCode, type ErrorInfo } from '../../../shared/errors';
import type { ExportResult } from '../../../shared/session';
import { STATION_WS_PATH } from '../../../shared/station';
import { hostAllowed, isLoopback, originAllowed, presentedToken, tokenMatches } from './security';
import { StationState } from './state';
import { SECURITY_HEADERS, StaticFiles } from './static-files';
import { WsTransport, type StationServices } from './ws';

export interface StationOptions {
  services: StationServices;
  dataDir: string;
  /** The renderer build (out/renderer). */
  rendererDir: string;
  host: string;
  /** 0 = any free port. */
  port: number;
  /** SHA-256 of the token; required when listening beyond loopback or when `requireToken`. */
  tokenHash?: string;
  /** Require the token on loopback too (shared machines; tests). */
  requireToken?: boolean;
  /** Further origins allowed to open the WebSocket (a reverse proxy's public address). */
  allowedOrigins?: readonly string[];
  /** Further host names the station may be addressed by on loopback (a reverse proxy). */
  allowedHosts?: readonly string[];
  /** The meter of this station (what `start` and `test` use when the body names none). */
  target?: string;
  /** The monitor's interval when `start` names none (s). */
  defaultIntervalS?: number;
  version: string;
  log?: (line: string) => void;
}

export interface Station {
  url: string;
  port: number;
  tokenRequired: boolean;
  state: StationState;
  ws: WsTransport;
  server: Server;
  /** More facts for the status route (the MQTT publisher's). */
  setExtraStatus(fn: () => Record<string, unknown>): void;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const DOWNLOAD_TTL_MS = 5 * 60_000;

/** HTTP status of a typed error. */
export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_REQUEST':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN_SENDER':
      return 403;
    case 'NOT_FOUND':
    case 'UNKNOWN_CHANNEL':
      return 404;
    case 'PORT_BUSY':
    case 'CANCELLED':
      return 409;
    case 'UNAVAILABLE':
      return 503;
    case 'INTERNAL':
    case 'STORAGE_ERROR':
      return 500;
    default:
      // The meter, the head or the line failed: the station itself is fine.
      return 502;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly info: ErrorInfo,
  ) {
    super(info.message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendEnvelope(res: ServerResponse, env: Envelope<unknown>): void {
  sendJson(res, env.ok ? 200 : httpStatus(env.error.code), env);
}

/** A JSON body (application/json, at most 64 KiB); an empty body is `undefined`. */
async function readJson(req: IncomingMessage, lang: () => 'en' | 'fr'): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > MAX_BODY) throw new HttpError(413, errorInfo('INVALID_REQUEST', `body larger than ${MAX_BODY} bytes`, lang()));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, errorInfo('INVALID_REQUEST', `body larger than ${MAX_BODY} bytes`, lang()));
    chunks.push(chunk);
  }
  if (!size) return undefined;
  // A form post from a foreign page cannot send application/json without a CORS preflight.
  if (type !== 'application/json') throw new HttpError(415, errorInfo('INVALID_REQUEST', 'send the body as application/json', lang()));
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, errorInfo('INVALID_REQUEST', 'the body is not valid JSON', lang()));
  }
}

/** The request target as a URL; a target that is not a path (`//[`, `http://x`, `*`) is a 400. */
function requestUrl(req: IncomingMessage, lang: () => 'en' | 'fr'): URL {
  const target = req.url ?? '/';
  if (!target.startsWith('/')) throw new HttpError(400, errorInfo('INVALID_REQUEST', 'the request target is not a path', lang()));
  try {
    // A path made absolute on a fixed origin: `//host/x` stays a path, never another host.
    return new URL(`http://station${target.replace(/^\/+/, '/')}`);
  } catch {
    throw new HttpError(400, errorInfo('INVALID_REQUEST', 'the request target is not a valid path', lang()));
  }
}

/** A percent-decoded path segment; a malformed escape is a 400. */
function decodeSegment(text: string, lang: () => 'en' | 'fr'): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, errorInfo('INVALID_REQUEST', 'a malformed percent-escape in the path', lang()));
  }
}

/** A file under `dir` (resolved through symlinks), or undefined. */
function insideDir(dir: string, file: string): string | undefined {
  if (!existsSync(file) || !existsSync(dir)) return undefined;
  const base = realpathSync(dir);
  const real = realpathSync(file);
  return real.startsWith(base + sep) && statSync(real).isFile() ? real : undefined;
}

export async function startStation(o: StationOptions): Promise<Station> {
  const { services } = o;
  const lang = services.lang;
  const tokenRequired = !isLoopback(o.host) || !!o.requireToken;
  if (tokenRequired && !o.tokenHash) throw new Error('listening beyond loopback needs a token');
  const files = new StaticFiles(o.rendererDir);
  const exportsDir = resolve(o.dataDir, 'exports');
  const state = new StationState(services.events, services.sessions);
  const downloads = new Map<string, { file: string; expires: number }>();
  let boundPort = o.port;
  let extraStatus: (() => Record<string, unknown>) | undefined;

  const downloadLink = (result: ExportResult): string | undefined => {
    const file = insideDir(exportsDir, result.path);
    if (!file) return undefined;
    const now = Date.now();
    for (const [k, v] of downloads) if (v.expires < now) downloads.delete(k);
    const ticket = randomBytes(18).toString('base64url');
    downloads.set(ticket, { file, expires: now + DOWNLOAD_TTL_MS });
    return `/download/${ticket}/${encodeURIComponent(basename(file))}`;
  };

  const ws = new WsTransport({ services, version: o.version, downloadLink, ...(o.log ? { log: o.log } : {}) });
  const hostOk = (req: IncomingMessage) =>
    hostAllowed(req.headers.host, { listenHost: o.host, port: boundPort, tokenRequired, ...(o.allowedHosts ? { extraHosts: o.allowedHosts } : {}) });

  /** Host, Origin, token: the checks every API call and WebSocket upgrade passes. */
  const check = (req: IncomingMessage, needToken: boolean): HttpError | undefined => {
    if (!hostOk(req)) return new HttpError(421, errorInfo('FORBIDDEN_SENDER', `unexpected Host header ${String(req.headers.host).slice(0, 80)}`, lang()));
    if (!originAllowed(req.headers.origin, req.headers.host, o.allowedOrigins))
      return new HttpError(403, errorInfo('FORBIDDEN_SENDER', `foreign origin ${String(req.headers.origin).slice(0, 80)}`, lang()));
    if (needToken && tokenRequired && !tokenMatches(presentedToken(req), o.tokenHash!)) return new HttpError(401, errorInfo('UNAUTHORIZED', undefined, lang()));
    return undefined;
  };

  const ctx = (req: IncomingMessage) => ({ client: `http:${req.socket.remoteAddress ?? '?'}` });
  const dispatch = (channel: string, request: unknown, req: IncomingMessage) => services.dispatcher.dispatch(channel, request, ctx(req));
  /** A request body with the station's defaults under it (the body wins; a non-object is left to the schema). */
  const withDefaults = (body: unknown, defaults: Record<string, unknown>): unknown =>
    body === undefined ? defaults : body && typeof body === 'object' && !Array.isArray(body) ? { ...defaults, ...body } : body;

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
    const denied = check(req, true);
    if (denied) return sendJson(res, denied.status, { ok: false, error: denied.info });
    const target = o.target ? { target: o.target } : {};
    switch (route) {
      case 'GET /api/status':
        return sendJson(res, 200, {
          ok: true,
          value: {
            station: { version: o.version, target: o.target ?? null, clients: ws.size, uptimeS: Math.round(process.uptime()) },
            ...state.snapshot(),
            ...(extraStatus?.() ?? {}),
          },
        });
      case 'POST /api/start': {
        const body = await readJson(req, lang);
        const running = state.runningMonitor();
        if (running) return sendJson(res, 409, { ok: false, error: errorInfo('PORT_BUSY', `monitor ${running.operationId} is running`, lang()) });
        return sendEnvelope(
          res,
          await dispatch('monitor:start', withDefaults(body, { ...target, ...(o.defaultIntervalS ? { intervalS: o.defaultIntervalS } : {}) }), req),
        );
      }
      case 'POST /api/stop': {
        const body = await readJson(req, lang);
        const running = state.runningMonitor();
        const request = withDefaults(body, running ? { operationId: running.operationId } : {});
        return sendEnvelope(res, await dispatch('monitor:stop', request, req));
      }
      case 'POST /api/test':
        return sendEnvelope(res, await dispatch('meter:identify', withDefaults(await readJson(req, lang), target), req));
      case 'GET /api/readings':
        return sendJson(res, 200, { ok: true, value: state.latestReadings() });
      case 'GET /api/sessions':
        return sendEnvelope(res, await dispatch('sessions:list', undefined, req));
    }
    const exportMatch = /^GET \/api\/sessions\/([^/]+)\/export\.csv$/.exec(route);
    if (exportMatch) {
      const request: Record<string, unknown> = { id: decodeSegment(exportMatch[1]!, lang) };
      for (const key of ['what', 'dialect', 'lang']) {
        const v = url.searchParams.get(key);
        if (v !== null) request[key] = v;
      }
      const env = await dispatch('sessions:export', request, req);
      if (!env.ok) return sendEnvelope(res, env);
      const file = insideDir(exportsDir, (env.value as ExportResult).path);
      if (!file) return sendJson(res, 500, { ok: false, error: errorInfo('STORAGE_ERROR', 'the export is not in the data folder', lang()) });
      return sendFile(res, file);
    }
    const known = ['/api/status', '/api/start', '/api/stop', '/api/test', '/api/readings', '/api/sessions'];
    if (known.includes(url.pathname.replace(/\/+$/, '')))
      return sendJson(res, 405, { ok: false, error: errorInfo('INVALID_REQUEST', `${req.method} is not allowed here`, lang()) });
    return sendJson(res, 404, { ok: false, error: errorInfo('NOT_FOUND', url.pathname.slice(0, 80), lang()) });
  }

  function sendFile(res: ServerResponse, file: string): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/csv; charset=utf-8',
      'content-length': statSync(file).size,
      'content-disposition': `attachment; filename="${basename(file).replace(/[^\w.-]/g, '_')}"`,
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  }

  const server = createServer((req, res) => {
    let url: URL | undefined;
    void (async () => {
      try {
        url = requestUrl(req, lang);
        if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return await api(req, res, url);
        if (!hostOk(req)) return sendJson(res, 421, { ok: false, error: errorInfo('FORBIDDEN_SENDER', 'unexpected Host header', lang()) });
        const dl = /^\/download\/([A-Za-z0-9_-]{24})(?:\/[^/]*)?$/.exec(url.pathname);
        if (dl) {
          const entry = downloads.get(dl[1]!);
          downloads.delete(dl[1]!);
          const file = entry && entry.expires >= Date.now() ? insideDir(exportsDir, entry.file) : undefined;
          if (!file) return sendJson(res, 404, { ok: false, error: errorInfo('NOT_FOUND', 'this download link has expired', lang()) });
          return sendFile(res, file);
        }
        if (req.method !== 'GET' && req.method !== 'HEAD')
          return sendJson(res, 405, { ok: false, error: errorInfo('INVALID_REQUEST', `${req.method} is not allowed here`, lang()) });
        files.serve(url.pathname, res, req.method === 'HEAD');
      } catch (e) {
        if (e instanceof HttpError) return sendJson(res, e.status, { ok: false, error: e.info });
        o.log?.(`station: ${String(req.method)} ${url?.pathname ?? '?'}: ${e instanceof Error ? e.message : String(e)}`);
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: errorInfo('INTERNAL', undefined, lang()) });
        else res.destroy();
      }
    })().catch(() => res.destroy());
  });
  // A client that resets its connection or sends garbage: that socket ends, the station goes on.
  server.on('clientError', (_err, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    socket.on('error', () => socket.destroy());
    try {
      const url = requestUrl(req, lang);
      if (url.pathname !== STATION_WS_PATH) return refuse(404, 'Not Found');
      const denied = check(req, true);
      if (denied) return refuse(denied.status, denied.status === 401 ? 'Unauthorized' : denied.status === 421 ? 'Misdirected Request' : 'Forbidden');
      ws.upgrade(req, socket, head);
    } catch (e) {
      if (e instanceof HttpError) return refuse(e.status, 'Bad Request');
      o.log?.(`station: upgrade ${String(req.url).slice(0, 80)}: ${e instanceof Error ? e.message : String(e)}`);
      refuse(500, 'Internal Server Error');
    }
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port, o.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  const shownHost = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host.includes(':') ? `[${o.host}]` : o.host;

  return {
    url: `http://${shownHost}:${boundPort}/`,
    port: boundPort,
    tokenRequired,
    state,
    ws,
    server,
    setExtraStatus(fn) {
      extraStatus = fn;
    },
    async close() {
      await ws.close();
      state.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
