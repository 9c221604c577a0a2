/** Loading the published push and P1 fixtures (test/fixtures/push, test/fixtures/p1) for the listen tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unhex } from '../../../electron/engine/dlms/bytes';
import { CustomerPortDecoder, type DecoderOptions, type FrameResult } from '../../../electron/engine/customer-port/decoder';
import { loadLayouts } from '../../../electron/features/listen/layouts';

const ROOT = join(__dirname, '..', '..', '..');
export const PUSH_DIR = join(ROOT, 'test', 'fixtures', 'push');
export const P1_DIR = join(ROOT, 'test', 'fixtures', 'p1');
export const SHIPPED_LAYOUTS = join(ROOT, 'resources', 'push-layouts');

export interface PushEntry {
  file: string;
  operator: string;
  meter: string;
  framing: string;
  key: string | null;
  authKey: string | null;
  securityControl: string | null;
  expected?: { obis: string; value: string; unit?: string; scaler?: number; note?: string }[];
}

export interface P1Entry {
  file: string;
  crc: 'good' | 'none';
  expected: { obis: string; value: string; unit?: string; timestamp?: string }[];
}

export const pushIndex = (): PushEntry[] => JSON.parse(readFileSync(join(PUSH_DIR, 'index.json'), 'utf8'));
export const p1Index = (): P1Entry[] => JSON.parse(readFileSync(join(P1_DIR, 'index.json'), 'utf8'));
export const layouts = loadLayouts(undefined, SHIPPED_LAYOUTS);

/** The frames of a push fixture, one per non-comment line. */
export function pushFrames(file: string): Uint8Array[] {
  return readFileSync(join(PUSH_DIR, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map(unhex);
}

export function keysOf(e: PushEntry): DecoderOptions['keys'] {
  return e.key ? { encryptionKey: unhex(e.key), ...(e.authKey ? { authenticationKey: unhex(e.authKey) } : {}) } : undefined;
}

/** Every frame of a fixture through one decoder, then a silence. */
export function decodePush(e: PushEntry, options: DecoderOptions = {}): FrameResult[] {
  const keys = keysOf(e);
  const d = new CustomerPortDecoder({ ...(keys ? { keys } : {}), layouts, ...options });
  return [...pushFrames(e.file).flatMap((f) => d.push(f, 0)), ...d.silence(0)];
}

export const p1Text = (file: string): string => readFileSync(join(P1_DIR, file), 'latin1');
export const bytesOf = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
