/**
 * `omr explain` on real bytes: push frames published by others (test/fixtures/push, each with its
 * source link in index.json), the association of a recorded exchange with Gurux's example server
 * (test/fixtures/interop), and IEC 62056-21 readouts from published captures. Each layer's verdict
 * is checked, and damaged input names what is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeAarq } from '../../../electron/engine/dlms/acse';
import { encodeInitiateRequest } from '../../../electron/engine/dlms/initiate';
import { explain, parseHexInput, renderText, type Layer } from '../../../electron/engine/explain/explain';
import { encodeDataMessage } from '../../../electron/engine/iec62056-21/codec';
import { ZMD_LINES } from '../iec62056-21/captures';

const FIX = join(__dirname, '../../fixtures');
const push = (file: string) =>
  parseHexInput(
    readFileSync(join(FIX, 'push', file), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join(''),
  );
const key = (hex: string) => Uint8Array.from(hex.match(/../g)!, (x) => parseInt(x, 16));

/** Every layer, depth first. */
const flat = (ls: Layer[]): Layer[] => ls.flatMap((l) => [l, ...flat(l.inner ?? [])]);
const find = (ls: Layer[], name: string) => flat(ls).find((l) => l.layer === name);

describe('omr explain', () => {
  it('takes hex as people paste it and names a bad digit', () => {
    expect(Array.from(parseHexInput('0x7E A0:07\n03,21'))).toEqual([0x7e, 0xa0, 0x07, 0x03, 0x21]);
    expect(() => parseHexInput('7E A0 0G')).toThrow(/character 6: 'G'/);
    expect(() => parseHexInput('7EA')).toThrow(/odd number/);
  });

  it('a segmented HDLC push (Iskra AM550, 3 frames): segments joined, LLC, data-notification, values', () => {
    const ls = explain(push('iskra-am550-hdlc-segmented.hex'), { lang: 'en' });
    expect(ls.filter((l) => l.layer === 'HDLC')).toHaveLength(3);
    expect(ls.every((l) => l.verdict.ok)).toBe(true);
    const n = find(ls, 'data-notification')!;
    expect(n).toBeDefined();
    expect(JSON.stringify(n)).toContain('"\\"84895126\\""'.slice(1, -1));
  });

  it('a push whose FCS was mistranscribed: the HDLC layer says FCS mismatch', () => {
    const ls = explain(push('landisgyr-zmf100-sweden-bad-fcs.hex'), { lang: 'fr' });
    expect(ls[0]!.verdict.ok).toBe(false);
    expect(renderText(ls, 'en')).toMatch(/FCS mismatch/);
    expect(renderText(ls, 'fr')).toMatch(/FCS faux/);
  });

  it('an encrypted general-block-transfer push (Landis+Gyr E570, published test key): blocks joined, deciphered, logical names named', () => {
    const bytes = push('ch-landisgyr-e570-gbt-encrypted.hex');
    const withKey = explain(bytes, { lang: 'en', keys: { encryptionKey: key('101112131415161718191A1B1C1D1E1F') } });
    const ciph = find(withKey, 'general-glo-ciphering')!;
    expect(ciph.verdict).toMatchObject({ ok: true });
    expect(ciph.fields.find((f) => f.name === 'security control')!.value).toMatch(/^0x20 \(encrypted, suite 0\)/);
    expect(find(withKey, 'data-notification')).toBeDefined();
    expect(renderText(withKey, 'en')).toContain('1-0:31.7.0*255 (Current L1)');
    expect(renderText(withKey, 'en')).toContain('"LGZ1030769231253"');
    // Without a key: the layer says so, nothing is invented.
    const noKey = explain(bytes, { lang: 'en' });
    expect(find(noKey, 'general-glo-ciphering')!.verdict).toMatchObject({ ok: true, note: { en: expect.stringMatching(/no key given/) } });
    expect(find(noKey, 'data-notification')).toBeUndefined();
    // A wrong key: decryption gives noise, and the layer says the key does not match.
    const wrong = explain(bytes, { lang: 'en', keys: { encryptionKey: key('000102030405060708090A0B0C0D0E0F') } });
    expect(find(wrong, 'general-glo-ciphering')!.verdict).toMatchObject({ ok: false, problem: { en: expect.stringMatching(/keys do not match/) } });
  });

  it('an M-Bus push in two long frames (Netz NÖ example, published key): checksums, deciphered', () => {
    const ls = explain(push('netz-noe-kaifa-ma309-mbus.hex'), { lang: 'en', keys: { encryptionKey: key('36C66639E48A8CA4D6BC8B282A793BBB') } });
    expect(ls.filter((l) => l.layer === 'M-Bus')).toHaveLength(2);
    expect(ls.every((l) => l.verdict.ok)).toBe(true);
    expect(find(ls, 'data-notification')).toBeDefined();
  });

  it('the association of a recorded Gurux exchange: AARE accepted with the negotiated conformance and PDU size', () => {
    const trace = readFileSync(join(FIX, 'interop/gurux-c-lls-discover.trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { dir: string; hex: string });
    const aare = trace.filter((e) => e.dir === 'rx' && e.hex)[1]!;
    const ls = explain(parseHexInput(aare.hex), { lang: 'en' });
    const a = find(ls, 'AARE')!;
    expect(a.verdict.ok).toBe(true);
    expect(Object.fromEntries(a.fields.map((f) => [f.name, f.value]))).toMatchObject({ result: 'accepted (0)', 'max receive PDU size': '512' });
  });

  it('an AARQ with an LLS password: the password is redacted and its length is not shown', () => {
    const password = new TextEncoder().encode('31415926');
    const aarq = encodeAarq({
      context: 'ln-no-ciphering',
      mechanism: 'lls',
      authenticationValue: password,
      userInformation: encodeInitiateRequest({ conformance: 0x1e1d, maxReceivePduSize: 1024 }),
    });
    const out = JSON.stringify(explain(aarq, { lang: 'en' }));
    expect(out).toContain('(redacted)');
    expect(out).not.toMatch(/3331343135393236|31415926/);
    expect(out).not.toMatch(/\b8 bytes\b/);
  });

  it('an IEC 62056-21 readout (published ZMD capture): BCC checked, data sets listed; one damaged byte is a BCC mismatch', () => {
    const msg = encodeDataMessage(`${ZMD_LINES.join('\r\n')}\r\n!\r\n`);
    const [good] = explain(msg, { lang: 'en' });
    expect(good!.verdict.ok).toBe(true);
    expect(good!.summary).toMatch(/data message, \d+ data set/);
    const bad = msg.slice();
    bad[10] = bad[10]! ^ 0x01;
    expect(explain(bad, { lang: 'en' })[0]!.verdict).toMatchObject({ ok: false, problem: { en: expect.stringMatching(/BCC mismatch/) } });
  });

  it('names truncation, a foreign byte and an unknown tag with their position', () => {
    const frame = push('kaifa-ma304h4-norway-list1.hex');
    expect(renderText(explain(frame.subarray(0, frame.length - 5), { lang: 'en' }), 'en')).toMatch(/truncated/);
    expect(explain(Uint8Array.of(0x7e, 0x55), { lang: 'en' })[0]!.verdict.ok).toBe(false);
    expect(explain(Uint8Array.of(0x9a, 0x01), { lang: 'en' })[0]!.verdict).toMatchObject({
      ok: false,
      at: 0,
      problem: { en: 'unknown APDU tag 0x9a at byte 0' },
    });
  });
});

describe('omr explain (command line)', () => {
  const run = async (args: string[], stdinText?: string) => {
    const { PassThrough } = await import('node:stream');
    const { runCli } = await import('../../../electron/cli/run');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += c));
    stderr.on('data', (c) => (err += c));
    const stdin =
      stdinText === undefined
        ? undefined
        : (async function* () {
            yield Buffer.from(stdinText);
          })();
    const code = await runCli(['explain', ...args], { stdout, stderr, env: {}, ...(stdin ? { stdin } : {}) });
    return { code, out, err };
  };

  it('reads hex from standard input and prints the JSON tree; exit 0 when every layer is whole', async () => {
    const hex = readFileSync(join(FIX, 'push', 'iskra-am550-hdlc-segmented.hex'), 'utf8');
    const r = await run(['--json'], hex);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.layers.map((l: Layer) => l.layer)).toEqual(['HDLC', 'HDLC', 'HDLC']);
  });

  it('exits 1 when a layer is damaged, and 2 on input that is not hex', async () => {
    expect((await run(['7EA0', '0703'])).code).toBe(1);
    const bad = await run(['7EZZ']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not hexadecimal at character 3/);
  });
});
