/**
 * Passwords and keys of meter profiles, kept only through the operating system's keychain
 * (Electron's safeStorage: DPAPI, the macOS Keychain, libsecret/kwallet). What is on disk is the
 * ciphertext (base64), one per profile id, in <dataDir>/secrets.json — never the plain text, and
 * never in the settings (they only say `hasStoredSecret`).
 *
 * Where no encryptor is available (no keyring on a Linux desktop, the CLI, the station), nothing is
 * stored at all: the app asks for the password at each reading.
 *
 * Nothing here imports Electron: main passes safeStorage in (see `safeStorageEncryptor`).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OmrError } from '../../../shared/errors';

/** Encrypts with a key the operating system keeps for this user (safeStorage fits it). */
export interface Encryptor {
  isAvailable(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

/** The part of Electron's safeStorage the app uses (structural: no Electron import here). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
  /** Linux only: `basic_text` means no keyring, the "encryption" uses a fixed key. */
  getSelectedStorageBackend?(): string;
}

/**
 * Electron's safeStorage as an Encryptor. On Linux without a keyring safeStorage falls back to
 * `basic_text` (a hard-coded key): that is not a secret store, so it counts as unavailable.
 */
export function safeStorageEncryptor(s: SafeStorageLike): Encryptor {
  return {
    isAvailable: () => {
      if (!s.isEncryptionAvailable()) return false;
      const backend = s.getSelectedStorageBackend?.();
      return backend !== 'basic_text' && backend !== 'unknown';
    },
    encrypt: (plain) => s.encryptString(plain),
    decrypt: (cipher) => s.decryptString(cipher),
  };
}

/** What the remedy says when the keychain cannot be used. */
export const SECRETS_UNAVAILABLE_DETAIL =
  'the system keychain is not available, so no password is stored: type it at each reading (on Linux, install and unlock a keyring such as GNOME Keyring or KWallet, then restart the app)';

interface SecretsFile {
  version: 1;
  /** profile id → ciphertext, base64. */
  secrets: Record<string, string>;
}

export class SecretStore {
  constructor(
    readonly file: string,
    private readonly encryptor?: Encryptor,
  ) {}

  /** Can secrets be kept on this computer now? */
  available(): boolean {
    try {
      return !!this.encryptor?.isAvailable();
    } catch {
      return false;
    }
  }

  /** Encrypt and keep the secret of a profile. Throws UNAVAILABLE (nothing written) without a keychain. */
  set(profileId: string, secret: string): void {
    if (!this.encryptor || !this.available()) throw new OmrError('UNAVAILABLE', SECRETS_UNAVAILABLE_DETAIL);
    let cipher: Buffer;
    try {
      cipher = this.encryptor.encrypt(secret);
    } catch (e) {
      // The encryptor's message never carries the secret; the cause is kept for the log only.
      throw new OmrError('UNAVAILABLE', SECRETS_UNAVAILABLE_DETAIL, { cause: e });
    }
    const data = this.read();
    data.secrets[profileId] = Buffer.from(cipher).toString('base64');
    this.write(data);
  }

  /** The plain secret of a profile, or undefined (none kept, no keychain, or it cannot be decrypted). */
  get(profileId: string): string | undefined {
    if (!this.encryptor || !this.available()) return undefined;
    const b64 = this.read().secrets[profileId];
    if (b64 === undefined) return undefined;
    try {
      return this.encryptor.decrypt(Buffer.from(b64, 'base64'));
    } catch {
      // Another user's or another keychain's ciphertext: as if none were kept (asked at the reading).
      return undefined;
    }
  }

  /** Is a usable secret kept for this profile? */
  has(profileId: string): boolean {
    return this.available() && this.read().secrets[profileId] !== undefined;
  }

  /** Forget the secret of a profile; true when there was one. */
  clear(profileId: string): boolean {
    const data = this.read();
    if (data.secrets[profileId] === undefined) return false;
    delete data.secrets[profileId];
    this.write(data);
    return true;
  }

  /** Forget the secrets of every profile not in `keep` (profiles that were deleted). */
  prune(keep: Iterable<string>): string[] {
    const ids = new Set(keep);
    const data = this.read();
    const gone = Object.keys(data.secrets).filter((id) => !ids.has(id));
    if (!gone.length) return [];
    for (const id of gone) delete data.secrets[id];
    this.write(data);
    return gone;
  }

  private read(): SecretsFile {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
    } catch {
      return { version: 1, secrets: {} };
    }
    const secrets: Record<string, string> = {};
    const list = raw && typeof raw === 'object' ? (raw as { secrets?: unknown }).secrets : undefined;
    if (list && typeof list === 'object') {
      for (const [id, v] of Object.entries(list as Record<string, unknown>)) {
        if (typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v)) secrets[id] = v;
      }
    }
    return { version: 1, secrets };
  }

  /** Replaced atomically (temp file, then rename), readable by this user only. */
  private write(data: SecretsFile): void {
    try {
      if (!Object.keys(data.secrets).length) {
        rmSync(this.file, { force: true });
        return;
      }
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
      try {
        chmodSync(tmp, 0o600);
      } catch {
        // Windows: the data folder's ACL applies.
      }
      renameSync(tmp, this.file);
    } catch (e) {
      throw new OmrError('STORAGE_ERROR', (e as Error).message, { cause: e });
    }
  }
}
