/**
 * Push list layouts from disk: the shipped ones (resources/push-layouts in the package) and the
 * user's folder (<data-dir>/layouts or --layouts DIR), read at start, no rebuild needed. A file
 * that is not valid JSON or not a valid layout is an INVALID_REQUEST naming the file and the
 * field; a user layout with the name of a shipped one replaces it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OmrError } from '../../../shared/errors';
import { parseLayout, type Layout } from '../../engine/customer-port/layouts';

const MAX_FILES = 500;
const MAX_FILE_BYTES = 256 * 1024;

/** The shipped layouts folder: resources/push-layouts under the package root, if found. */
export function shippedLayoutsDir(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'push-layouts');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** Every `*.json` layout in a folder, sorted by file name. A missing folder holds none. */
export function readLayoutDir(dir: string): Layout[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new OmrError('INVALID_REQUEST', `layouts: ${dir} is not a folder`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length > MAX_FILES) throw new OmrError('INVALID_REQUEST', `layouts: more than ${MAX_FILES} files in ${dir}`);
  return files.map((f) => {
    const path = join(dir, f);
    if (statSync(path).size > MAX_FILE_BYTES) throw new OmrError('INVALID_REQUEST', `layout ${path}: larger than ${MAX_FILE_BYTES} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new OmrError('INVALID_REQUEST', `layout ${path}: not valid JSON (${(e as Error).message})`);
    }
    return parseLayout(json, path);
  });
}

/** Shipped layouts, then the user's (replacing shipped ones of the same name). */
export function loadLayouts(userDir: string | undefined, shippedDir = shippedLayoutsDir()): Layout[] {
  const byName = new Map<string, Layout>();
  for (const l of shippedDir ? readLayoutDir(shippedDir) : []) byName.set(l.name, l);
  for (const l of userDir ? readLayoutDir(userDir) : []) byName.set(l.name, l);
  return [...byName.values()];
}
