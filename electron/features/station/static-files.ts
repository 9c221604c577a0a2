/**
 * The renderer build, served as files: only what is inside the build folder (resolved through
 * symlinks), with the app's Content-Security-Policy. Unknown paths get index.html (the app is one
 * page); nothing outside the folder can be named.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../../shared/csp';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/** A file inside `root` for a URL path, or undefined (never a path outside `root`). */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const base = realpathSync(root);
  const candidate = resolve(base, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return undefined;
  if (!existsSync(candidate)) return undefined;
  const real = realpathSync(candidate);
  if (real !== base && !real.startsWith(base + sep)) return undefined;
  if (!statSync(real).isFile()) return undefined;
  return real;
}

export class StaticFiles {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
    if (!existsSync(join(this.root, 'index.html'))) throw new Error(`${this.root}/index.html is missing: build the renderer first (npm run build)`);
  }

  /** Answer a GET/HEAD for a page or asset. */
  serve(urlPath: string, res: ServerResponse, head = false): void {
    const file = (urlPath === '/' ? undefined : resolveInside(this.root, urlPath)) ?? join(realpathSync(this.root), 'index.html');
    const body = readFileSync(file);
    const isIndex = file.endsWith(`${sep}index.html`);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': isIndex ? 'no-store' : 'public, max-age=3600',
    });
    res.end(head ? undefined : body);
  }
}
