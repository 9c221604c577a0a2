/**
 * `omr listen` over TCP: a bridge sends a published E450 push and a ciphered TINETZ push
 * (key published with it); with the key both decode; a damaged frame is reported and listening
 * goes on. (Frames from: esphome/esphome PR 16942, fneur/smart-meter-tirol doc/EXAMPLE.md.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';
import { unhex } from '../../electron/engine/dlms/bytes';
import { encodeFrame } from '../../electron/engine/hdlc/frame';
import { E450_CYPRUS_PUSH } from '../unit/hdlc/captures';

const TINETZ =
  'DB084B464D10100000238201092100295B9AEFC1546E644A2C9E32EDD42CBD0F1B945B194D086885C4D8DF86DD52CB5B448854A6D548D5D270739B2A169D05B013F9015070089D3C5FA45CA05E92309A645CC83D7DA40FBC8F4CF9C225AFA69A25FF0B2AC9C2744550ABA53CE9143FD10B0AD85FD30BD6B6DFFEE65F8204DC9C5067CA73B62E299A39D50AA730B2B9AE3836BC2F3490FB41BE5B6F930D84952976369DD7DABBB5A4354AECA1D2486CFF2EB0C6206380BA501D122AF75D716D3092C3960506A15E06FAB0EE5B7DFA3C2CDF0CAFD051B88E44B8B9FB8865F20CB89D1143CDC7EFEB07FB4C4898E764E9E3A32DDC3D1FB46961CE962B2C78050C96598C7E4D26658043F9CBCA78189BD01B139F8AE0F739';

function hdlc(apdu: Uint8Array): Uint8Array {
  const info = new Uint8Array(apdu.length + 3);
  info.set([0xe6, 0xe7, 0x00]);
  info.set(apdu, 3);
  return encodeFrame({ dest: { upper: 0x10, size: 1 }, src: { upper: 1, size: 1 }, control: { kind: 'UI', pf: true }, segmented: false, info });
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

describe('omr listen', () => {
  it('decodes plain and ciphered pushes with the key, reports a damaged one and goes on', async () => {
    const damaged = hdlc(unhex(TINETZ));
    damaged[40] = damaged[40]! ^ 0xff;
    const stream = [unhex(E450_CYPRUS_PUSH), damaged, hdlc(unhex(TINETZ))];
    server = createServer((socket) => {
      let i = 0;
      const next = () => {
        if (i < stream.length) socket.write(stream[i++]!, () => setTimeout(next, 20));
        else socket.end();
      };
      next();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'omr-listen-'));
    writeFileSync(join(dir, 'keys.txt'), '# customer keys\nencryption_key = 101112131415161718191A1B1C1D1E1F\n');
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    // The E450 push is in clear while a key is set: accepted only with --allow-plain.
    const code = await runCli(['listen', '--tcp', `127.0.0.1:${port}`, '--key-file', join(dir, 'keys.txt'), '--allow-plain', '--json'], {
      stdout,
      stderr: new PassThrough(),
      env: { OMR_DATA_DIR: dir },
    });
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0].readings.find((r: { obis: string }) => r.obis === '0-0:42.0.0*255').value).toBe('LGZ1020782546371');
    expect(lines[1].verdict).toMatchObject({ status: 'bad', layer: 'checksum', code: 'HDLC_FCS' });
    expect(lines[2].readings.find((r: { obis: string }) => r.obis === '1-0:32.7.0*255')).toMatchObject({
      obis: '1-0:32.7.0*255',
      value: '230.8',
      unit: 'V',
      scaler: -1,
    });
  });

  it('says per push that a key is needed when none is given', async () => {
    server = createServer((socket) => socket.end(hdlc(unhex(TINETZ))));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    const code = await runCli(['listen', '--tcp', `127.0.0.1:${port}`], {
      stdout,
      stderr: new PassThrough(),
      env: { OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-listen-')) },
    });
    expect(out).toMatch(/^! KEY_ERROR: .*no key was given/m);
    expect(code).toBe(1);
  });
});
