/**
 * HLS-GMAC invocation counters: where they are looked for, which one wins, how they are stored
 * (per server system title, client SAP and key id; a key id that does not reveal the key), and the
 * typed error when a SNRM gets no UA at the address tried.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { D } from '../../../electron/engine/dlms/axdr';
import { HdlcTransport } from '../../../electron/engine/dlms/transport';
import { chooseCounter, counterCandidates, preReadCounter, type CounterReader } from '../../../electron/features/read/dlms-counters';
import { InvocationCounterStore } from '../../../electron/features/settings/counters';

const keys = {
  encryptionKey: new Uint8Array(16).fill(0x11),
  authenticationKey: new Uint8Array(16).fill(0x22),
  systemTitle: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
};

describe('where the counter is looked for', () => {
  it('0-0:43.1.<client SAP> then 0-0:43.1.0; a named object alone; a bad OBIS is INVALID_REQUEST', () => {
    expect(counterCandidates(1)).toEqual(['0-0:43.1.1*255', '0-0:43.1.0*255']);
    expect(counterCandidates(0)).toEqual(['0-0:43.1.0*255']);
    expect(counterCandidates(1, '0-0:43.1.3')).toEqual(['0-0:43.1.3*255']);
    expect(() => counterCandidates(1, 'nonsense')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  const reader = (answers: Record<string, ReturnType<typeof D.doubleLongUnsigned> | string>): CounterReader => ({
    get: (reqs) =>
      Promise.resolve(
        reqs.map((r) => {
          const a = answers[r.obis];
          if (a === undefined) return { ok: false as const, error: { code: 'OBJECT_UNDEFINED' as const, detail: `${r.obis}: object-undefined` } };
          if (typeof a === 'string') return { ok: false as const, error: { code: 'READ_DENIED' as const, detail: a } };
          return { ok: true as const, value: a };
        }),
      ),
  });

  it('the highest counter read wins, + 1; the serial comes along', async () => {
    const pre = await preReadCounter(
      reader({
        '0-0:96.1.0*255': D.octets(new TextEncoder().encode('1234')),
        '0-0:43.1.1*255': D.doubleLongUnsigned(7),
        '0-0:43.1.0*255': D.doubleLongUnsigned(41),
      }),
      counterCandidates(1),
    );
    expect(pre.serial).toBe('1234');
    expect(chooseCounter(pre, undefined)).toMatchObject({ counter: 42, note: expect.stringContaining('0-0:43.1.0*255: 41') });
    expect(chooseCounter(pre, 100).counter).toBe(100);
  });

  it('Gurux: 0-0:43.1.1 denied to the public client, 0-0:43.1.0 readable', async () => {
    const pre = await preReadCounter(reader({ '0-0:43.1.1*255': 'read-write-denied', '0-0:43.1.0*255': D.doubleLongUnsigned(5) }), counterCandidates(1));
    expect(chooseCounter(pre, undefined).counter).toBe(6);
  });

  it('unreadable: the stored counter; neither: a typed error naming where it looked', async () => {
    const pre = await preReadCounter(reader({ '0-0:43.1.1*255': 'read-write-denied' }), counterCandidates(1));
    expect(chooseCounter(pre, 77)).toMatchObject({ counter: 77, note: expect.stringContaining('stored') });
    expect(() => chooseCounter(pre, undefined)).toThrow(
      expect.objectContaining({ code: 'READ_DENIED', detail: expect.stringMatching(/0-0:43\.1\.1\*255.*0-0:43\.1\.0\*255.*--counter-obis/) }),
    );
  });
});

describe('counter store', () => {
  it('keeps a counter per meter, client and key; serial numbers find the meter; never lowers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-counters-'));
    const store = new InvocationCounterStore(join(dir, 'dlms-counters.json'));
    const id = store.keyId(keys);
    const scope = { clientSap: 1, keyId: id };
    store.remember({ systemTitle: '4c475a0003bcd6c2', aliases: ['62707394'] }, scope, 50);
    expect(store.get('62707394', scope)).toBe(50);
    expect(store.get('4c475a0003bcd6c2', scope)).toBe(50);
    expect(store.get('62707394', { clientSap: 2, keyId: id })).toBeUndefined();
    expect(store.get('62707394', { clientSap: 1, keyId: store.keyId({ ...keys, encryptionKey: new Uint8Array(16) }) })).toBeUndefined();
    store.remember({ systemTitle: '4c475a0003bcd6c2' }, scope, 10);
    expect(store.get('62707394', scope)).toBe(50);
    // A second store on the same folder gives the same key id (same salt) …
    expect(new InvocationCounterStore(join(dir, 'dlms-counters.json')).keyId(keys)).toBe(id);
    // … another folder another one (another salt).
    expect(new InvocationCounterStore(join(mkdtempSync(join(tmpdir(), 'omr-counters-')), 'c.json')).keyId(keys)).not.toBe(id);
  });

  it('nothing on disk reveals a key: no key bytes in the file, the salt readable by this user only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-counters-'));
    const store = new InvocationCounterStore(join(dir, 'dlms-counters.json'));
    store.remember({ systemTitle: 'aa' }, { clientSap: 1, keyId: store.keyId(keys) }, 3);
    const text = readFileSync(join(dir, 'dlms-counters.json'), 'utf8');
    for (const k of [keys.encryptionKey, keys.authenticationKey]) expect(text).not.toContain(Buffer.from(k).toString('hex'));
    if (process.platform !== 'win32') expect(statSync(join(dir, 'dlms-key-salt')).mode & 0o077).toBe(0);
  });

  it('a version-1 file (per meter only) is a floor for that meter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-counters-'));
    const file = join(dir, 'dlms-counters.json');
    writeFileSync(file, JSON.stringify({ '62707394': { next: 900, updatedAt: 'x' } }));
    const store = new InvocationCounterStore(file);
    expect(store.get('62707394', { clientSap: 1, keyId: store.keyId(keys) })).toBe(900);
  });
});

describe('a SNRM without UA', () => {
  it('is HDLC_NO_UA within 3 s, naming the address tried and the usual ones', () => {
    const t = new HdlcTransport({ clientSap: 16, logicalDevice: 1, physicalAddress: 17 });
    let out = t.connect(0);
    let now = 0;
    for (let i = 0; i < 10; i++) {
      const wake = out.find((o) => o.kind === 'wakeAt') as { at: number } | undefined;
      if (!wake) break;
      now = wake.at;
      out = t.tick(now);
    }
    const err = out.find((o) => o.kind === 'error') as { error: { code: string; detail?: string } } | undefined;
    expect(err?.error.code).toBe('HDLC_NO_UA');
    expect(now).toBeLessThanOrEqual(3000);
    expect(err?.error.detail).toMatch(/1\/17.*physical 17.*one byte/);
  });
});
