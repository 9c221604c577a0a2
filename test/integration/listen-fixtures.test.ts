/**
 * `omr listen --tcp 127.0.0.1:PORT --json` against a local TCP server that writes published
 * fixtures on one connection — HDLC pushes, M-Bus frames, a bare APDU and P1 telegrams, with
 * pauses between them — and one JSON object per frame or telegram comes out, each with its kind,
 * verdict and readings.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';
import { bytesOf, p1Text, pushFrames } from '../unit/listen/fixtures';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(chunks: Uint8Array[], gapMs: number): Promise<number> {
  server = createServer((socket) => {
    let i = 0;
    const next = (): void => {
      if (i < chunks.length) socket.write(chunks[i++]!, () => setTimeout(next, gapMs));
      else socket.end();
    };
    next();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function listenJson(args: string[], env: Record<string, string>): Promise<{ code: number; lines: any[] }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c) => (out += c));
  const code = await runCli(['listen', ...args, '--json'], { stdout, stderr: new PassThrough(), env });
  return {
    code,
    lines: out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
}

describe('omr listen on fixtures', () => {
  it('one port, everything recognised: HDLC, M-Bus (ciphered, two segments), bare APDU, P1 with and without CRC', async () => {
    const p1 = p1Text('kaifa-dsmr42.txt');
    const damaged = p1.replace('1-0:1.8.1(001581.123', '1-0:1.8.1(001581.124');
    const chunks = [
      ...pushFrames('kaifa-ma304h4-norway-list2.hex'),
      bytesOf(p1),
      ...pushFrames('netz-noe-kaifa-ma309-mbus.hex'),
      bytesOf(damaged),
      pushFrames('egd-czech-raw-apdu.hex')[0]!,
      bytesOf(p1Text('landisgyr-xmx-dsmr22.txt')),
      ...pushFrames('ch-landisgyr-e450-gbt-altconfig.hex'),
    ];
    const port = await serve(chunks, 30);
    const dir = mkdtempSync(join(tmpdir(), 'omr-listen-'));
    // The Netz NÖ key, as an operator letter spells it; the other pushes are in clear: --allow-plain.
    writeFileSync(join(dir, 'keys.txt'), 'GUEK: 36 C6 66 39 E4 8A 8C A4 D6 BC 8B 28 2A 79 3B BB\n');
    const { code, lines } = await listenJson(['--tcp', `127.0.0.1:${port}`, '--key-file', join(dir, 'keys.txt'), '--allow-plain', '--silence', '200'], {
      OMR_DATA_DIR: dir,
    });
    expect(code).toBe(0);
    expect(lines.map((l) => `${l.kind}:${l.verdict.layer}`)).toEqual(['hdlc:ok', 'p1:ok', 'mbus:ok', 'p1:crc-bad', 'apdu:ok', 'p1:crc-none', 'hdlc:ok']);
    expect(lines[0].layout.name).toBe('kaifa-no-list2-3ph');
    expect(lines[0].readings.find((r: any) => r.obis === '1-0:31.7.0*255')).toMatchObject({ value: '1.683', unit: 'A', scaler: -3 });
    expect(lines[1]).toMatchObject({ identity: 'KFM5KAIFA-METER', crc: 'good' });
    expect(lines[1].readings.find((r: any) => r.obis === '1-0:1.8.1*255')).toMatchObject({ value: '001581.123', unit: 'kWh' });
    expect(lines[2].layout.name).toBe('netz-noe-kaifa-ma309');
    expect(lines[2].readings.find((r: any) => r.obis === '1-0:32.7.0*255')).toMatchObject({ value: '233.7', unit: 'V' });
    expect(lines[3].readings).toEqual([]);
    expect(lines[3].unchecked.find((r: any) => r.obis === '1-0:1.8.1*255').value).toBe('001581.124');
    expect(lines[4].readings.find((r: any) => r.obis === '0-0:42.0.0*255').value).toBe('EGD012345');
    expect(lines[5].readings.find((r: any) => r.obis === '0-1:24.3.0*255')).toMatchObject({ value: '05271.144', unit: 'm3', timestamp: '190218120000' });
    expect(lines[6].signature).toBeTruthy();
    // Text and keys never appear in the output.
    expect(JSON.stringify(lines)).not.toMatch(/36C66639|36 C6 66/i);
  });

  it('refuses clear frames while a key is set, unless --allow-plain', async () => {
    const port = await serve(pushFrames('kaifa-ma304h4-norway-list1.hex'), 10);
    const dir = mkdtempSync(join(tmpdir(), 'omr-listen-'));
    writeFileSync(join(dir, 'keys.txt'), 'encryption_key=0x101112131415161718191A1B1C1D1E1F\n');
    const { code, lines } = await listenJson(['--tcp', `127.0.0.1:${port}`, '--key-file', join(dir, 'keys.txt')], { OMR_DATA_DIR: dir });
    expect(lines).toHaveLength(1);
    expect(lines[0].verdict).toMatchObject({ status: 'bad', layer: 'plain-with-key', code: 'KEY_ERROR' });
    expect(lines[0].verdict.remedy).toMatch(/--allow-plain/);
    expect(code).toBe(1);
  });

  it('a user layout in <data-dir>/layouts is used without a rebuild; a bad one stops with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-listen-'));
    const layouts = join(dir, 'layouts');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(layouts);
    writeFileSync(
      join(layouts, 'si2.json'),
      JSON.stringify({
        name: 'si-list2-test',
        operator: 'test',
        meters: [],
        source: 'test',
        signature: 'os,os,bool,os,u32,u32,u32,u32,u32,u32,u32,u32',
        positions: [{ at: 1, obis: '0-0:42.0.0', decode: 'text' }],
      }),
    );
    let port = await serve(pushFrames('iskra-slovenia-list2.hex'), 10);
    const { lines } = await listenJson(['--tcp', `127.0.0.1:${port}`], { OMR_DATA_DIR: dir });
    expect(lines[0].layout.name).toBe('si-list2-test');
    expect(lines[0].readings[0]).toMatchObject({ obis: '0-0:42.0.0*255', value: 'ISK1030783826316' });
    expect(lines[0].readings[1]).toMatchObject({ obis: '#2', type: 'os' });
    await new Promise<void>((r) => server!.close(() => r()));
    writeFileSync(join(layouts, 'bad.json'), '{"name": "bad"}');
    port = await serve([], 10);
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c) => (err += c));
    const code = await runCli(['listen', '--tcp', `127.0.0.1:${port}`], { stdout: new PassThrough(), stderr, env: { OMR_DATA_DIR: dir } });
    expect(code).not.toBe(0);
    expect(err).toMatch(/bad\.json/);
  });
});
