/**
 * The station's safety rules, as small pure functions (tested one by one) plus the token file.
 *
 * - It listens on loopback unless told otherwise; any other address requires a token.
 * - The token is generated on the first run, shown once, and only its SHA-256 is kept, in
 *   `<dataDir>/station.json` (mode 0600) next to the settings: not in the settings themselves,
 *   because `settings:get` / `settings:set` are reachable by every client of the contract.
 * - Browsers send it in the page address (`?token=`, kept by the page in sessionStorage) and on
 *   the WebSocket address; scripts send `Authorization: Bearer <token>`.
 * - WebSocket upgrades and API calls made by a page must come from the station's own origin, and
 *   the Host header must name the station (a DNS-rebinding page cannot pass for it).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import type { IncomingMessage } from 'node:http';

export const TOKEN_FILE = 'station.json';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isLoopback(h.slice(7));
  return false;
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (loopback) → host and port. */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compare a presented token with the stored hash, in constant time. */
export function tokenMatches(presented: string | undefined, storedHash: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(hashToken(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface TokenState {
  /** SHA-256 (hex) of the token. */
  hash: string;
  /** The token itself, only when it was generated just now (shown once). */
  fresh?: string;
}

/** Load the station token's hash, generating a token on the first run (or when asked to renew). */
export function loadOrCreateToken(dataDir: string, options: { renew?: boolean } = {}): TokenState {
  const file = join(dataDir, TOKEN_FILE);
  if (!options.renew) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { tokenSha256?: unknown };
      if (typeof saved.tokenSha256 === 'string' && /^[0-9a-f]{64}$/.test(saved.tokenSha256)) return { hash: saved.tokenSha256 };
    } catch {
      // No token yet (or a damaged file): make one.
    }
  }
  const token = randomBytes(24).toString('base64url');
  const hash = hashToken(token);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ tokenSha256: hash, createdAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { hash, fresh: token };
}

/** The token a request presents: `Authorization: Bearer …`, else `?token=` of its URL. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1];
  }
  try {
    return new URL(req.url ?? '/', 'http://station').searchParams.get('token') ?? undefined;
  } catch {
    return undefined;
  }
}

/** The host names (with port) under which this station may be addressed. */
export function allowedHosts(listenHost: string, port: number, extra: readonly string[] = []): Set<string> {
  const hosts = new Set<string>();
  const add = (h: string) => hosts.add((isIP(h) === 6 ? `[${h}]:${port}` : `${h}:${port}`).toLowerCase());
  if (isLoopback(listenHost)) ['127.0.0.1', 'localhost', '::1'].forEach(add);
  else add(listenHost);
  for (const h of extra) add(h);
  return hosts;
}

/**
 * Whether the Host header names the station. On loopback only loopback names pass (a page on a
 * rebound DNS name cannot reach the station). On a wildcard or a LAN address any IP literal or
 * name passes, because the token is what protects it there.
 */
export function hostAllowed(
  hostHeader: string | undefined,
  o: { listenHost: string; port: number; tokenRequired: boolean; extraHosts?: readonly string[] },
): boolean {
  if (!hostHeader) return false;
  if (o.tokenRequired && !isLoopback(o.listenHost)) return true;
  const h = hostHeader.toLowerCase();
  if (allowedHosts(o.listenHost, o.port, o.extraHosts).has(h)) return true;
  // Loopback with a token required (tests, shared machines): still only loopback names.
  return false;
}

/**
 * Whether a browser Origin may talk to the station: absent (scripts, curl) or the origin of the
 * page the station served (same scheme, host and port as the Host header), or one listed.
 */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, allowed: readonly string[] = []): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  if (!hostHeader) return false;
  return origin.toLowerCase() === `http://${hostHeader.toLowerCase()}` || origin.toLowerCase() === `https://${hostHeader.toLowerCase()}`;
}
