/**
 * The simulated E450's clients as a real E450 configures them: public client 16 (no
 * authentication), reading client 32 (LLS password), management client 1 (HLS-GMAC), each with
 * the conformance the server offers it; the simulator's documented test secrets; and the security
 * state that survives from one association to the next (counters, lock-out).
 */
import { conformanceFromNames } from '../../engine/dlms/conformance';
import { unhex } from '../../engine/dlms/bytes';
import type { ClientRole } from './objects';

export interface ClientConfig {
  sap: number;
  role: ClientRole;
  mechanism: 'none' | 'lls' | 'hls-gmac';
  /** The conformance the server offers this client (intersected with the client's proposal). */
  conformance: number;
}

export const PUBLIC_CONFORMANCE = conformanceFromNames(['block-transfer-with-get-or-read', 'get', 'selective-access']);
export const READER_CONFORMANCE = conformanceFromNames(['block-transfer-with-get-or-read', 'multiple-references', 'get', 'selective-access']);
export const MANAGEMENT_CONFORMANCE = conformanceFromNames([
  'block-transfer-with-get-or-read',
  'block-transfer-with-action',
  'multiple-references',
  'get',
  'selective-access',
  'action',
]);

export const DEFAULT_CLIENTS: readonly ClientConfig[] = [
  { sap: 16, role: 'public', mechanism: 'none', conformance: PUBLIC_CONFORMANCE },
  { sap: 32, role: 'reader', mechanism: 'lls', conformance: READER_CONFORMANCE },
  { sap: 1, role: 'management', mechanism: 'hls-gmac', conformance: MANAGEMENT_CONFORMANCE },
];

/** Default secrets of the simulator (documented test values, never a real meter's). */
export const DEFAULT_LLS_PASSWORD = '00000000';
export const DEFAULT_ENCRYPTION_KEY = unhex('000102030405060708090a0b0c0d0e0f');
export const DEFAULT_AUTHENTICATION_KEY = unhex('d0d1d2d3d4d5d6d7d8d9dadbdcdddedf');

/** IDIS-style system title: the 3-letter manufacturer flag, then 5 bytes of the serial number. */
export function defaultSystemTitle(manufacturer: string, serial: string): Uint8Array {
  const n = BigInt(/^\d+$/.test(serial) ? serial : '0') % (1n << 40n);
  const out = new Uint8Array(8);
  out.set(new TextEncoder().encode(manufacturer.toUpperCase().padEnd(3, 'X').slice(0, 3)), 0);
  for (let i = 0; i < 5; i++) out[3 + i] = Number((n >> BigInt(8 * (4 - i))) & 0xffn);
  return out;
}

/** What survives from one association (and one HDLC connection) to the next. */
export class SecurityState {
  /** Smallest invocation counter accepted next from the management client. */
  minClientCounter: number;
  /** The server's own invocation counter for what it ciphers. */
  serverCounter: number;
  /** LLS logins are refused until this time (ms). */
  lockedUntil = -Infinity;
  failedLogins = 0;
  constructor(o: { clientCounter?: number; serverCounter?: number } = {}) {
    this.minClientCounter = o.clientCounter ?? 1;
    this.serverCounter = o.serverCounter ?? 1000;
  }
}
