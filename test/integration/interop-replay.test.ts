/**
 * Replay of an exchange recorded with an independent DLMS/COSEM implementation (provenance in
 * test/fixtures/interop/README.md): a TCP server plays the peer's recorded frames back, checks
 * that the client sends the recorded frames (redacted bytes match anything), and the CLI's result
 * must equal the one recorded. A change that breaks interop with that peer fails here.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';

interface Frame {
  dir: 'tx' | 'rx' | 'info';
  hex: string;
}

function load(name: string): { frames: Frame[]; result: { readings: unknown[]; errors: unknown[] } } {
  const frames = readFileSync(`test/fixtures/interop/${name}.trace.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Frame)
    .filter((f) => f.dir !== 'info');
  return { frames, result: JSON.parse(readFileSync(`test/fixtures/interop/${name}.result.json`, 'utf8')) };
}

/** Whether received bytes match a recorded frame whose secret bytes show as `**`. */
function matches(got: string, recorded: string): boolean {
  if (got.length !== recorded.length) return false;
  for (let i = 0; i < got.length; i += 2) {
    const r = recorded.slice(i, i + 2);
    if (r !== '**' && r !== got.slice(i, i + 2)) return false;
  }
  return true;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** Plays the peer: after each expected client frame, sends the recorded answer(s). */
function replayPeer(frames: Frame[], mismatches: string[]): Promise<number> {
  return new Promise((resolve) => {
    server = createServer((socket) => {
      let i = 0;
      let pending = '';
      const answer = () => {
        while (i < frames.length && frames[i]!.dir === 'rx') socket.write(Buffer.from(frames[i++]!.hex, 'hex'));
      };
      socket.on('data', (chunk) => {
        pending += chunk.toString('hex');
        while (i < frames.length && frames[i]!.dir === 'tx' && pending.length >= frames[i]!.hex.length) {
          const want = frames[i]!.hex;
          const got = pending.slice(0, want.length);
          pending = pending.slice(want.length);
          if (!matches(got, want)) mismatches.push(`frame ${i}: sent ${got}, recorded ${want}`);
          i++;
          answer();
        }
      });
    });
    server.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
  });
}

describe('replay of recorded peer exchanges', () => {
  it('Gurux DLMS C example server: LLS association, object list by block transfer, registers with scalers', async () => {
    const { frames, result } = load('gurux-c-lls-discover');
    const mismatches: string[] = [];
    const port = await replayPeer(frames, mismatches);
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    const code = await runCli(
      ['read', '--tcp', `127.0.0.1:${port}`, '--hdlc-direct', '--client-sap', '17', '--server-physical', '0', '--auth', 'lls', '--password', 'Gurux', '--discover', '--json'],
      { stdout, stderr: new PassThrough(), env: { OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-cli-data-')) } },
    );
    expect(mismatches).toEqual([]);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect({ readings: json.readings, errors: json.errors }).toEqual(result);
    // What the peer's objects are: the logical device name and a register with its scaler.
    expect(json.readings).toContainEqual(expect.objectContaining({ obis: '1-1:21.25.0*255', unit: 'Wh', scaler: -2 }));
  });
});
