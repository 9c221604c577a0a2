/**
 * Per-frame verdicts on the customer port, one layer each: framing, checksum, sequence, no key,
 * clear frame while a key is set, wrong encryption key, tag mismatch (authentication key), tag
 * not checked, layout unknown. Keys in their usual spellings; suite bits of the security control
 * are masked; a bad frame spoils only itself.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unhex } from '../../../electron/engine/dlms/bytes';
import { cipherApdu } from '../../../electron/engine/dlms/security';
import { CustomerPortDecoder } from '../../../electron/engine/customer-port/decoder';
import { VERDICT_LAYERS, verdict } from '../../../electron/engine/customer-port/verdict';
import { normaliseKeyText } from '../../../electron/cli/commands/listen';
import { parsePushKeyFile } from '../../../electron/features/read/dlms-read';
import { decodePush, keysOf, layouts, pushFrames, pushIndex } from './fixtures';

const entry = (file: string) => pushIndex().find((e) => e.file === file)!;
const layers = (rs: { verdict: { layer: string } }[]) => rs.map((r) => r.verdict.layer);

describe('verdicts', () => {
  it('each layer has its own message and remedy, in English and French', () => {
    const en = VERDICT_LAYERS.map((l) => verdict(l).message);
    expect(new Set(en).size).toBe(en.length);
    for (const l of VERDICT_LAYERS) {
      expect(verdict(l, undefined, 'fr').message).not.toBe(verdict(l).message);
      if (verdict(l).status !== 'good') expect(verdict(l).remedy).not.toBe('');
    }
  });

  it('M-Bus: a checksum error, a lost segment and a CI that carries no DLMS each have their verdict', () => {
    const [f1, f2] = pushFrames('netz-noe-kaifa-ma309-mbus.hex');
    const keys = keysOf(entry('netz-noe-kaifa-ma309-mbus.hex'));
    const damaged = f1!.slice();
    damaged[20] = damaged[20]! ^ 0x01;
    const d = new CustomerPortDecoder({ keys, layouts });
    expect(layers(d.push(damaged, 0))).toEqual(['checksum']);
    expect(layers(d.push(f2!, 0))).toEqual(['sequence']);
    expect(layers([...d.push(f1!, 0), ...d.push(f2!, 0)])).toEqual(['ok']);
    const ci72 = Uint8Array.of(0x68, 0x04, 0x04, 0x68, 0x53, 0xff, 0x72, 0x00, (0x53 + 0xff + 0x72) & 0xff, 0x16);
    expect(layers(d.push(ci72, 0))).toEqual(['framing']);
    const short = Uint8Array.of(0x10, 0x40, 0x01, 0x41, 0x16);
    const s = d.push(short, 0);
    expect(s[0]).toMatchObject({ kind: 'mbus', verdict: { layer: 'ok' }, readings: [] });
  });

  it('no key, wrong encryption key, and the frame after decodes', () => {
    const e = entry('netz-noe-kaifa-ma309-mbus.hex');
    expect(layers(decodePush(e, { keys: undefined }))).toEqual(['no-key']);
    const wrong = decodePush(e, { keys: { encryptionKey: unhex('000102030405060708090A0B0C0D0E0F') } });
    expect(layers(wrong)).toEqual(['encryption-key']);
    expect(wrong[0]!.verdict.code).toBe('KEY_ERROR');
  });

  it('0x30 with both keys: verified; right encryption key, wrong authentication key: tag mismatch; no authentication key: decrypted, tag not checked', () => {
    const e = entry('kamstrup-omnipower-encrypted-testkey.hex');
    expect(layers(decodePush(e))).toEqual(['ok']);
    const k = keysOf(e)!;
    expect(layers(decodePush(e, { keys: { encryptionKey: k.encryptionKey, authenticationKey: unhex('00'.repeat(16)) } }))).toEqual(['authentication-tag']);
    const unchecked = decodePush(e, { keys: { encryptionKey: k.encryptionKey } });
    expect(layers(unchecked)).toEqual(['tag-unchecked']);
    expect(unchecked[0]!.verdict.status).toBe('warning');
    expect(unchecked[0]!.readings).toHaveLength(33);
    expect(layers(decodePush(e, { keys: { encryptionKey: unhex('FF'.repeat(16)), authenticationKey: k.authenticationKey! } }))).toEqual(['encryption-key']);
  });

  it('a frame in clear while a key is set is refused unless allowed', () => {
    const e = entry('kaifa-ma304h4-norway-list2.hex');
    const keys = { encryptionKey: unhex('101112131415161718191A1B1C1D1E1F') };
    const refused = decodePush(e, { keys });
    expect(layers(refused)).toEqual(['plain-with-key']);
    expect(refused[0]!.readings).toEqual([]);
    expect(layers(decodePush(e, { keys, allowPlain: true }))).toEqual(['ok']);
  });

  it('security control suite bits are masked: 0x21 (suite 1, encryption only) deciphers', () => {
    const plain = pushFrames('netz-noe-kaifa-ma309-plain-apdu.hex')[0]!;
    const keys = { encryptionKey: unhex('36C66639E48A8CA4D6BC8B282A793BBB') };
    const ciphered = cipherApdu(plain, unhex('4B464D6750000009'), 0x23, keys, { securityControl: 0x21, kind: 'general-glo' });
    const d = new CustomerPortDecoder({ keys, layouts });
    const r = [...d.push(ciphered, 0), ...d.silence(0)];
    expect(layers(r)).toEqual(['ok']);
    expect(r[0]!.readings.find((x) => x.obis === '1-0:1.8.0*255')?.value).toBe('12937');
  });

  it('keys are accepted with 0x, spaces or colons', () => {
    const want = '36C66639E48A8CA4D6BC8B282A793BBB';
    for (const spelling of [
      'encryption_key = 0x36C66639E48A8CA4D6BC8B282A793BBB',
      'guek: 36 C6 66 39 E4 8A 8C A4 D6 BC 8B 28 2A 79 3B BB',
      'key=36:C6:66:39:E4:8A:8C:A4:D6:BC:8B:28:2A:79:3B:BB',
      '{"encryptionKey": "0x36:c6:66:39:e4:8a:8c:a4:d6:bc:8b:28:2a:79:3b:bb"}',
    ]) {
      const k = parsePushKeyFile(normaliseKeyText(spelling));
      expect(Buffer.from(k.encryptionKey).toString('hex').toUpperCase(), spelling).toBe(want);
    }
  });

  it('a short and a long list from one meter are two lists, never mixed', () => {
    const d = new CustomerPortDecoder({ layouts });
    const short = pushFrames('kaifa-ma304h4-norway-list1.hex')[0]!;
    const long = pushFrames('kaifa-ma304h4-norway-list2.hex')[0]!;
    const rs = [short, long, short].flatMap((f) => d.push(f, 0));
    expect(rs.map((r) => r.list?.id)).toEqual(['layout:kaifa-no-list1', 'layout:kaifa-no-list2-3ph', 'layout:kaifa-no-list1']);
    expect(rs.map((r) => r.readings.length)).toEqual([1, 13, 1]);
    const unnamed = new CustomerPortDecoder();
    const ids = [short, long].flatMap((f) => unnamed.push(f, 0)).map((r) => r.list?.id);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('a layout dropped into the layouts folder names a list, 4-byte time + 5-byte date included', async () => {
    const { loadLayouts } = await import('../../../electron/features/listen/layouts');
    const dir = mkdtempSync(join(tmpdir(), 'omr-layouts-'));
    // A partial structure (the Iskra short push) is decoded as far as it goes; name its positions.
    writeFileSync(
      join(dir, 'iskra-short.json'),
      JSON.stringify({
        name: 'test-iskra-short',
        operator: 'test',
        meters: ['Iskra'],
        source: 'test',
        signature: 'os6,os,os4,os5,u32,u32,u32,u32',
        positions: [
          { at: 2, obis: '0-0:96.1.0', decode: 'text' },
          { at: 3, obis: '0-0:1.0.0', decode: 'time+date' },
          { at: 5, obis: '1-0:1.8.0', unit: 'kWh', scaler: -3 },
        ],
      }),
    );
    const all = loadLayouts(dir, undefined);
    const d = new CustomerPortDecoder({ layouts: all });
    const r = [...pushFrames('iskra-hdlc-short.hex').flatMap((f) => d.push(f, 0)), ...d.silence(0)][0]!;
    expect(r.list?.layout?.name).toBe('test-iskra-short');
    const by = Object.fromEntries(r.readings.map((x) => [x.obis, x]));
    expect(by['0-0:96.1.0*255']?.value).toBe('2221202033801');
    expect(by['0-0:1.0.0*255']?.value).toBe('2021-03-07T14:55:33');
    expect(by['#4']).toBeUndefined();
    expect(by['1-0:1.8.0*255']).toMatchObject({ value: '287454.02', unit: 'kWh', scaler: -3, raw: '287454020' });
    expect(by['#1']).toMatchObject({ type: 'os6', value: '0-6:25.9.0*255' });
  });

  it('a bad layout file is a clear error naming the file and the field', async () => {
    const { readLayoutDir } = await import('../../../electron/features/listen/layouts');
    const dir = mkdtempSync(join(tmpdir(), 'omr-layouts-'));
    writeFileSync(join(dir, 'broken.json'), '{ "name": ');
    expect(() => readLayoutDir(dir)).toThrow(/broken\.json: not valid JSON/);
    const base = { name: 'x', operator: 'o', meters: [], source: 's', signature: 'u32', positions: [{ at: 1, obis: '1-0:1.7.0' }] };
    const cases: [object, RegExp][] = [
      [{ ...base, positions: [{ at: 2, obis: '1-0:1.7.0' }] }, /beyond the 1 elements/],
      [{ ...base, positions: [{ at: 1, obis: 'power' }] }, /"obis" must be an OBIS code/],
      [{ ...base, positions: [{ at: 1, obis: '1-0:1.7.0', decode: 'float' }] }, /"decode" must be one of/],
      [{ ...base, extra: 1 }, /unknown field "extra"/],
      [{ ...base, name: 'Bad Name' }, /"name" must be/],
    ];
    for (const [json, re] of cases) {
      writeFileSync(join(dir, 'broken.json'), JSON.stringify(json));
      try {
        readLayoutDir(dir);
        expect.unreachable();
      } catch (e) {
        expect((e as { code: string }).code).toBe('INVALID_REQUEST');
        expect(String((e as Error).message)).toMatch(/broken\.json/);
        expect(String((e as Error).message)).toMatch(re);
      }
    }
  });
});
