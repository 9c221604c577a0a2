/**
 * Meter profile secrets through the system keychain: kept as ciphertext only, never in the
 * settings, a journal, a trace, an export or a log; nothing at all without a keychain; and a read
 * with a profile and no typed password uses the stored one (checked against the demo meter, whose
 * IEC programming mode and DLMS LLS client both want `00000000`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/contract';
import type { ReadStarted } from '../../../shared/session';
import type { AppServices } from '../../../electron/app/app';
import { safeStorageEncryptor, SecretStore, type Encryptor } from '../../../electron/features/settings/secrets';
import { testServices } from '../../support/services';

const MARK = 'FAKE-OS-CIPHER:';

/** XOR with a key and a marker: the plain text is not visible in the ciphertext. */
class FakeEncryptor implements Encryptor {
  calls = { encrypt: 0, decrypt: 0 };
  constructor(public availableNow = true) {}
  isAvailable() {
    return this.availableNow;
  }
  encrypt(plain: string): Buffer {
    this.calls.encrypt++;
    return Buffer.concat([Buffer.from(MARK), Buffer.from(plain, 'utf8').map((b, i) => b ^ (0x5a + i))]);
  }
  decrypt(cipher: Buffer): string {
    this.calls.decrypt++;
    if (!cipher.subarray(0, MARK.length).equals(Buffer.from(MARK))) throw new Error('not ours');
    return Buffer.from(cipher.subarray(MARK.length).map((b, i) => b ^ (0x5a + i))).toString('utf8');
  }
}

const ctx = { client: 'test' };
const DEMO_PASSWORD = '00000000';
const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
let open: (AppServices & { dataDir: string })[] = [];

function services(encryptor?: Encryptor, log: string[] = []) {
  const s = testServices({
    targets: { virtualMeter: { pace: false, reactionMs: 450 } },
    dlmsTimeouts: { responseTimeoutMs: 500 },
    ...(encryptor ? { encryptor } : {}),
    onInternalError: (channel, e) => log.push(`${channel}: ${e instanceof Error ? `${e.message} ${String(e.cause ?? '')}` : String(e)}`),
  });
  open.push(s);
  return s;
}

async function call<T>(s: AppServices, channel: string, request?: unknown): Promise<Envelope<T>> {
  return (await s.dispatcher.dispatch(channel, request, ctx)) as Envelope<T>;
}

async function ok<T>(s: AppServices, channel: string, request?: unknown): Promise<T> {
  const r = await call<T>(s, channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.detail ?? ''}`);
  return r.value;
}

/** Start a read, wait for its end, return the session. */
async function read(s: AppServices, request: object) {
  const started = await ok<ReadStarted>(s, 'read:start', { target: 'virtual:e450', ...request });
  await expect.poll(() => s.operations.size, { timeout: 20_000 }).toBe(0);
  return { ...s.sessions.load(started.sessionId), file: join((s as AppServices & { dataDir: string }).dataDir, 'sessions', `${started.sessionId}.jsonl`) };
}

/** Every file the app wrote under its data folder, except the secrets file itself. */
function everyFileExceptSecrets(dir: string): string {
  let all = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name === 'secrets.json') continue;
    all += readFileSync(join(e.parentPath, e.name), 'latin1');
  }
  return all;
}

afterEach(async () => {
  for (const s of open) await s.dispose();
  open = [];
});

describe('SecretStore', () => {
  it('keeps only the ciphertext (base64), per profile id, and gives the plain text back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-secrets-'));
    const enc = new FakeEncryptor();
    const store = new SecretStore(join(dir, 'secrets.json'), enc);
    store.set('a', 'pa55-word!');
    store.set('b', 'other secret');
    const raw = readFileSync(join(dir, 'secrets.json'), 'utf8');
    expect(raw).not.toContain('pa55-word!');
    expect(raw).not.toContain('other secret');
    const file = JSON.parse(raw) as { secrets: Record<string, string> };
    expect(Object.keys(file.secrets).sort()).toEqual(['a', 'b']);
    expect(Buffer.from(file.secrets.a!, 'base64').subarray(0, MARK.length).toString()).toBe(MARK);
    expect(store.get('a')).toBe('pa55-word!');
    expect(store.get('b')).toBe('other secret');
    expect(store.get('c')).toBeUndefined();
    // A second store on the same file (the next start of the app) reads it back.
    expect(new SecretStore(join(dir, 'secrets.json'), enc).get('a')).toBe('pa55-word!');
    expect(store.clear('a')).toBe(true);
    expect(store.clear('a')).toBe(false);
    expect(store.get('a')).toBeUndefined();
    expect(store.prune(['x'])).toEqual(['b']);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
    // No temporary file left behind by the atomic writes.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stores nothing at all without an encryptor, or when it is unavailable', () => {
    for (const enc of [undefined, new FakeEncryptor(false)]) {
      const dir = mkdtempSync(join(tmpdir(), 'omr-secrets-'));
      const store = new SecretStore(join(dir, 'secrets.json'), enc);
      expect(store.available()).toBe(false);
      expect(() => store.set('a', 'secret')).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
      expect(readdirSync(dir)).toEqual([]);
      expect(store.get('a')).toBeUndefined();
      expect(store.has('a')).toBe(false);
    }
  });

  it('treats a ciphertext it cannot decrypt as no secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-secrets-'));
    new SecretStore(join(dir, 'secrets.json'), new FakeEncryptor()).set('a', 'x');
    const other: Encryptor = {
      isAvailable: () => true,
      encrypt: (s) => Buffer.from(s),
      decrypt: () => {
        throw new Error('wrong key');
      },
    };
    expect(new SecretStore(join(dir, 'secrets.json'), other).get('a')).toBeUndefined();
  });

  it("adapts Electron's safeStorage, and counts Linux's basic_text fallback as unavailable", () => {
    const ss = (backend?: string) => ({
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(s),
      decryptString: (b: Buffer) => b.toString(),
      ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
    });
    expect(safeStorageEncryptor(ss()).isAvailable()).toBe(true);
    expect(safeStorageEncryptor(ss('gnome_libsecret')).isAvailable()).toBe(true);
    expect(safeStorageEncryptor(ss('basic_text')).isAvailable()).toBe(false);
    expect(safeStorageEncryptor({ ...ss(), isEncryptionAvailable: () => false }).isAvailable()).toBe(false);
    expect(safeStorageEncryptor(ss()).decrypt(safeStorageEncryptor(ss()).encrypt('é'))).toBe('é');
  });
});

describe('secrets through the contract', () => {
  it('secrets:set stores, marks the profile, and never writes the secret to settings.json', async () => {
    const enc = new FakeEncryptor();
    const s = services(enc);
    expect(await ok(s, 'secrets:status')).toEqual({ available: true });
    // A secret slipped into a profile by a caller is not part of the settings.
    await ok(s, 'settings:set', {
      profiles: [{ id: 'e450', name: 'E450', protocol: 'dlms', auth: 'lls', clientSap: 32, password: 'Sneaky-1', hasStoredSecret: true }],
    });
    expect(s.settings.get().profiles[0]!.hasStoredSecret).toBe(false);

    expect(await ok(s, 'secrets:set', { profileId: 'e450', secret: 'Kx9!secret' })).toEqual({ stored: true });
    expect(enc.calls.encrypt).toBe(1);
    expect(s.settings.get().profiles[0]!.hasStoredSecret).toBe(true);
    const settingsJson = readFileSync(join(s.dataDir, 'settings.json'), 'utf8');
    expect(settingsJson).toContain('"hasStoredSecret": true');
    expect(settingsJson).not.toContain('Kx9!secret');
    expect(settingsJson).not.toContain('Sneaky-1');
    expect(readFileSync(join(s.dataDir, 'secrets.json'), 'utf8')).not.toContain('Kx9!secret');

    // Saving the profiles again (the settings dialog) keeps the flag true to the keychain.
    await ok(s, 'settings:set', { profiles: s.settings.get().profiles.map((p) => ({ ...p, hasStoredSecret: false })) });
    expect(s.settings.get().profiles[0]!.hasStoredSecret).toBe(true);

    // Unknown profile: nothing stored.
    const unknown = await call(s, 'secrets:set', { profileId: 'nope', secret: 'x' });
    expect(unknown.ok === false && unknown.error.code).toBe('NOT_FOUND');

    expect(await ok(s, 'secrets:clear', { profileId: 'e450' })).toEqual({ cleared: true });
    expect(await ok(s, 'secrets:clear', { profileId: 'e450' })).toEqual({ cleared: false });
    expect(s.settings.get().profiles[0]!.hasStoredSecret).toBe(false);

    // Another setting (the port chosen on the first step) leaves the profiles and their secrets be.
    await ok(s, 'secrets:set', { profileId: 'e450', secret: 'Kx9!secret' });
    await ok(s, 'settings:set', { lastPort: 'virtual:e450' });
    expect(s.settings.get().profiles.map((p) => [p.id, p.hasStoredSecret])).toEqual([['e450', true]]);
    expect(existsSync(join(s.dataDir, 'secrets.json'))).toBe(true);
    await ok(s, 'secrets:clear', { profileId: 'e450' });

    // A deleted profile takes its secret with it.
    await ok(s, 'secrets:set', { profileId: 'e450', secret: 'again' });
    await ok(s, 'settings:set', { profiles: [] });
    expect(existsSync(join(s.dataDir, 'secrets.json'))).toBe(false);
  });

  it('without a keychain: status says so, secrets:set fails with a remedy and writes nothing', async () => {
    for (const enc of [undefined, new FakeEncryptor(false)]) {
      const s = services(enc);
      await ok(s, 'settings:set', { profiles: [{ id: 'e450', name: 'E450', protocol: 'readout' }] });
      expect(await ok(s, 'secrets:status')).toEqual({ available: false });
      const r = await call(s, 'secrets:set', { profileId: 'e450', secret: 'Kx9!secret' });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('UNAVAILABLE');
      expect(r.error.detail).toMatch(/keychain.*at each reading/);
      expect(JSON.stringify(r)).not.toContain('Kx9!secret');
      expect(existsSync(join(s.dataDir, 'secrets.json'))).toBe(false);
      expect(s.settings.get().profiles[0]!.hasStoredSecret).toBe(false);
      expect(readFileSync(join(s.dataDir, 'settings.json'), 'utf8')).not.toContain('Kx9!secret');
      // The read then goes without a password: a plain readout, no programming mode.
      const session = await read(s, { protocol: 'readout', profileId: 'e450' });
      expect(session.state).toBe('done');
      expect(session.readings.length).toBeGreaterThan(20);
      expect(session.trace.some((e) => e.summary.startsWith('P1'))).toBe(false);
    }
  });

  it('a failing encryptor is reported as UNAVAILABLE; neither the envelope nor the log carries the secret', async () => {
    const log: string[] = [];
    const enc: Encryptor = {
      isAvailable: () => true,
      encrypt: () => {
        throw new Error('keyring locked');
      },
      decrypt: () => '',
    };
    const s = services(enc, log);
    await ok(s, 'settings:set', { profiles: [{ id: 'e450', name: 'E450', protocol: 'readout' }] });
    const r = await call(s, 'secrets:set', { profileId: 'e450', secret: 'Kx9!secret' });
    expect(r.ok === false && r.error.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(r)).not.toContain('Kx9!secret');
    expect(log.join('\n')).not.toContain('Kx9!secret');
    expect(existsSync(join(s.dataDir, 'secrets.json'))).toBe(false);
  });
});

describe('a read with a profile and no typed password', () => {
  it('IEC programming mode: the stored password logs in; a wrong stored one is refused; a typed one wins', async () => {
    const s = services(new FakeEncryptor());
    await ok(s, 'settings:set', { profiles: [{ id: 'iec', name: 'E450 programming', protocol: 'readout' }] });

    await ok(s, 'secrets:set', { profileId: 'iec', secret: DEMO_PASSWORD });
    const good = await read(s, { protocol: 'readout', profileId: 'iec' });
    expect(good.errors).toEqual([]);
    expect(good.state).toBe('done');
    expect(good.trace.map((e) => e.summary)).toEqual(expect.arrayContaining(['P1 (password)', 'password accepted']));
    // The password went out redacted: no frame we sent carries it, in the journal or the trace.
    // (The demo meter's password, 00000000, is also the value of its error register F.F, which
    // this read fetches: the meter's answers may carry those digits, our frames may not.)
    const journal = readFileSync(good.file, 'latin1');
    const sent = journal
      .split('\n')
      .filter((l) => l.includes('"k":"trace"'))
      .flatMap((l) => (JSON.parse(l) as { entries: { dir: string; hex: string }[] }).entries)
      .filter((e) => e.dir === 'tx');
    expect(sent.length).toBeGreaterThan(0);
    for (const e of sent) expect(e.hex).not.toContain(hex(DEMO_PASSWORD));
    expect(good.trace.find((e) => e.summary === 'P1 (password)')!.hex).toContain('**');

    await ok(s, 'secrets:set', { profileId: 'iec', secret: '12345678' });
    const bad = await read(s, { protocol: 'readout', profileId: 'iec' });
    expect(bad.state).toBe('failed');
    expect(bad.errors.map((e) => e.code)).toEqual(['AUTH_REJECTED']);

    // A password typed for this read is used instead of the stored (wrong) one.
    const typed = await read(s, { protocol: 'readout', profileId: 'iec', password: DEMO_PASSWORD });
    expect(typed.state).toBe('done');

    // Without the profile, no password: the plain readout.
    const plain = await read(s, { protocol: 'readout' });
    expect(plain.trace.some((e) => e.summary.startsWith('P1'))).toBe(false);
    expect(plain.readings.length).toBeGreaterThan(20);
    // Four paced reads of the demo meter; a programming read holds tr = 200 ms before each of its
    // 13 messages (option select, P1, ten R1, B0), about 7 s each.
  }, 60_000);

  it('DLMS LLS: refused without a password, reads with the stored one; the password is in no file but secrets.json', async () => {
    const s = services(new FakeEncryptor());
    await ok(s, 'settings:set', { profiles: [{ id: 'lls', name: 'E450 LLS', protocol: 'dlms', auth: 'lls', clientSap: 32 }] });
    const refused = await call(s, 'read:start', { target: 'virtual:e450', plan: 'billing', profileId: 'lls' });
    expect(refused.ok === false && refused.error.detail).toMatch(/needs a password/);

    await ok(s, 'secrets:set', { profileId: 'lls', secret: DEMO_PASSWORD });
    const session = await read(s, { plan: 'billing', profileId: 'lls' });
    expect(session.errors).toEqual([]);
    expect(session.state).toBe('done');
    expect(session.readings.length).toBeGreaterThan(0);

    const exported = await ok<{ path: string }>(s, 'sessions:export', { id: session.id, what: 'readings' });
    expect(readFileSync(exported.path, 'latin1')).not.toContain(DEMO_PASSWORD);
    // The LLS password travels in the AARQ (calling-authentication-value): as bytes it is in no
    // file (journal, trace, settings, counters, export); as text the hex trace could hold zeros.
    const files = everyFileExceptSecrets(s.dataDir);
    expect(files.length).toBeGreaterThan(1000);
    expect(files).toContain('"k":"trace"');
    expect(files).not.toContain(hex(DEMO_PASSWORD));
  });
});
