/**
 * Invocation counters of ciphered DLMS associations, kept per (server system title, client SAP,
 * key id) in a small JSON file of the data folder: the app, the station and the CLI each keep one
 * (`dlms-counters.json`). A counter is not a secret; the keys are, so the file names a key by an
 * id that does not reveal it: HMAC-SHA-256 over the keys and the client system title, keyed by a
 * random salt made on first use and kept apart (`dlms-key-salt`, readable by this user only).
 * Nothing here holds or writes a key.
 *
 * A meter is known by its server system title (from the AARE); its serial number (read with the
 * public client) and any name the caller gives are aliases of it, so a meter can be found again
 * before the association that tells its system title.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OmrError } from '../../../shared/errors';

/** Whose counter: the client and the key it ciphers with (see {@link InvocationCounterStore.keyId}). */
export interface CounterScope {
  clientSap: number;
  keyId: string;
}

interface Entry {
  next: number;
  updatedAt: string;
}

interface CountersFile {
  version: 2;
  /** `<server system title or meter name>/<client SAP>/<key id>` → the next counter to use. */
  counters: Record<string, Entry>;
  /** serial number or other meter name → server system title (hex). */
  aliases: Record<string, string>;
  /** Counters of version 1 (per meter only): a floor when nothing scoped is known. */
  legacy?: Record<string, number>;
}

const KEY_ID_BYTES = 12;
const validNext = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

export class InvocationCounterStore {
  private readonly saltFile: string;
  private salt: Buffer | undefined;

  constructor(
    readonly file: string,
    options: { saltFile?: string } = {},
  ) {
    this.saltFile = options.saltFile ?? join(dirname(file), 'dlms-key-salt');
  }

  /**
   * The id of a key set: HMAC-SHA-256(local salt, encryption key ‖ authentication key ‖ client
   * system title), 12 bytes in hex. The same keys give the same id on this computer only.
   */
  keyId(keys: { encryptionKey: Uint8Array; authenticationKey: Uint8Array; systemTitle: Uint8Array }): string {
    const h = createHmac('sha256', this.loadSalt());
    h.update('omr dlms key id\0');
    h.update(keys.encryptionKey).update(keys.authenticationKey).update(keys.systemTitle);
    return h.digest().subarray(0, KEY_ID_BYTES).toString('hex');
  }

  private loadSalt(): Buffer {
    if (this.salt) return this.salt;
    try {
      if (existsSync(this.saltFile)) {
        const t = readFileSync(this.saltFile, 'utf8').trim();
        if (/^[0-9a-f]{64}$/.test(t)) return (this.salt = Buffer.from(t, 'hex'));
      }
      const salt = randomBytes(32);
      mkdirSync(dirname(this.saltFile), { recursive: true });
      const tmp = `${this.saltFile}.${process.pid}.tmp`;
      writeFileSync(tmp, `${salt.toString('hex')}\n`, { mode: 0o600 });
      try {
        chmodSync(tmp, 0o600);
      } catch {
        // Windows: the data folder's ACL applies.
      }
      renameSync(tmp, this.saltFile);
      return (this.salt = salt);
    } catch (e) {
      throw new OmrError('STORAGE_ERROR', `key id salt: ${(e as Error).message}`, { cause: e });
    }
  }

  private load(): CountersFile {
    const empty: CountersFile = { version: 2, counters: {}, aliases: {} };
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
    } catch {
      return empty;
    }
    if (!raw || typeof raw !== 'object') return empty;
    const r = raw as Record<string, unknown>;
    if (r.version !== 2) {
      // Version 1: { meterKey: { next } }, per meter only.
      const legacy: Record<string, number> = {};
      for (const [k, v] of Object.entries(r)) if (v && typeof v === 'object' && validNext((v as Entry).next)) legacy[k] = (v as Entry).next;
      return { ...empty, legacy };
    }
    const out: CountersFile = { ...empty };
    if (r.counters && typeof r.counters === 'object')
      for (const [k, v] of Object.entries(r.counters as Record<string, Entry>))
        if (v && validNext(v.next)) out.counters[k] = { next: v.next, updatedAt: String(v.updatedAt ?? '') };
    if (r.aliases && typeof r.aliases === 'object')
      for (const [k, v] of Object.entries(r.aliases as Record<string, unknown>)) if (typeof v === 'string') out.aliases[k] = v;
    if (r.legacy && typeof r.legacy === 'object') {
      out.legacy = {};
      for (const [k, v] of Object.entries(r.legacy as Record<string, unknown>)) if (validNext(v)) out.legacy[k] = v;
    }
    return out;
  }

  private save(data: CountersFile): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
      renameSync(tmp, this.file);
    } catch (e) {
      throw new OmrError('STORAGE_ERROR', (e as Error).message, { cause: e });
    }
  }

  /**
   * The next counter for a meter (system title in hex, serial number or another alias). With a
   * scope: that client's and key's, else the version-1 counter of the meter if there is one.
   * Without: the highest of the meter's counters.
   */
  get(meter: string, scope?: CounterScope): number | undefined {
    const data = this.load();
    const title = data.aliases[meter] ?? meter;
    if (scope) {
      const e = data.counters[`${title}/${scope.clientSap}/${scope.keyId}`];
      if (e) return e.next;
      const old = data.legacy?.[meter] ?? data.legacy?.[title];
      return old;
    }
    let best: number | undefined;
    for (const [k, e] of Object.entries(data.counters)) if (k.startsWith(`${title}/`) && (best === undefined || e.next > best)) best = e.next;
    return best ?? data.legacy?.[meter] ?? data.legacy?.[title];
  }

  /**
   * Remember `next` for this meter, client and key (never lowers a stored counter). `systemTitle`
   * is the meter's server system title (hex) when known; `aliases` (serial number …) then point
   * to it. Without a system title the first alias names the meter.
   */
  remember(meter: { systemTitle?: string; aliases?: readonly (string | undefined)[] }, scope: CounterScope, next: number): void {
    if (!validNext(next)) return;
    const aliases = [...new Set((meter.aliases ?? []).filter((a): a is string => !!a))];
    const title = meter.systemTitle ?? aliases[0];
    if (!title) return;
    const data = this.load();
    const key = `${title}/${scope.clientSap}/${scope.keyId}`;
    if ((data.counters[key]?.next ?? -1) < next) data.counters[key] = { next, updatedAt: new Date().toISOString() };
    if (meter.systemTitle) for (const a of aliases) if (a !== title) data.aliases[a] = title;
    this.save(data);
  }
}
