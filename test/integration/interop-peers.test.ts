/**
 * Exchanges recorded with independent DLMS/COSEM implementations (provenance in
 * test/fixtures/interop/README.md), both directions, for no authentication, LLS and HLS-GMAC:
 *
 * (a) our client against a recorded peer SERVER (Gurux C example server): the recording is played
 *     back by the project's replay meter (`omr simulate --replay TRACE --tcp 0`) and today's
 *     client must send the same frames and read the same values. The HLS challenge is taken
 *     from the recorded AARQ and injected, so the ciphered exchange replays byte for byte.
 * (b) a recorded peer CLIENT (Gurux C example client, u9n/dlms-cosem) against our simulator: the
 *     client's recorded requests are fed to a fresh virtual E450 server machine and each answer
 *     must be accepted-equivalent to the recorded one (same frame kind, same APDU type, same
 *     association and GET result; counters, challenges, times and values are volatile).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simulateOnTcp, stopSimulators } from '../kit/cli';
import { decodeAare } from '../../electron/engine/dlms/acse';
import { decipherApdu, isCipheredTag } from '../../electron/engine/dlms/security';
import { Deframer } from '../../electron/engine/hdlc/deframer';
import type { HdlcFrame } from '../../electron/engine/hdlc/frame';
import { parseKeyFile, runDlmsRead } from '../../electron/features/read/dlms-read';
import { InvocationCounterStore } from '../../electron/features/settings/counters';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import { Targets } from '../../electron/features/ports/targets';
import { DEFAULT_AUTHENTICATION_KEY, DEFAULT_ENCRYPTION_KEY } from '../../electron/simulator/dlms/clients';
import { DlmsServer } from '../../electron/simulator/dlms/server';

interface Line {
  t: string;
  dir: 'tx' | 'rx' | 'info';
  hex: string;
  summary: string;
}
const fixture = (name: string): Line[] =>
  readFileSync(`test/fixtures/interop/${name}.trace.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

// ------------------------------------------------------------------- (a) our client, peer server

afterEach(stopSimulators);

const replayMeter = (trace: string) => simulateOnTcp(['--replay', trace]);

/** The HLS CtoS challenge of the recorded AARQ (calling-authentication-value; not a secret). */
function recordedChallenge(lines: Line[]): Uint8Array {
  for (const l of lines) {
    if (l.dir !== 'tx') continue;
    const m = /ac(..)80(..)/.exec(l.hex.slice(0, 400));
    if (m && l.hex.includes('a60a0408')) return bytes(l.hex.slice(m.index + 8, m.index + 8 + parseInt(m[2]!, 16) * 2));
  }
  throw new Error('no HLS challenge in the recording');
}

const GURUX_KEYS = 'authenticationKey=D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\nencryptionKey=000102030405060708090A0B0C0D0E0F\nsystemTitle=4F4D520000000001\n';
const SERVER = [
  { mechanism: 'none', auth: 'none' as const, clientSap: 16 },
  { mechanism: 'lls', auth: 'lls' as const, clientSap: 17, password: 'Gurux' },
  { mechanism: 'hls-gmac', auth: 'hls-gmac' as const, clientSap: 1 },
];

describe('(a) our client against recorded Gurux C example server exchanges', () => {
  for (const c of SERVER) {
    it(`${c.mechanism}: same frames, same values`, async () => {
      const name = `gurux-c-${c.mechanism}-server`;
      const lines = fixture(name);
      const recorded = JSON.parse(readFileSync(`test/fixtures/interop/${name}.result.json`, 'utf8')) as {
        readings: { obis: string; value: string }[];
        errors: { code: string }[];
      };
      const meter = await replayMeter(`test/fixtures/interop/${name}.trace.jsonl`);
      const dir = mkdtempSync(join(tmpdir(), 'omr-interop-'));
      const opened = await new Targets({}).open(`tcp://127.0.0.1:${meter.port}`);
      const challenge = c.auth === 'hls-gmac' ? recordedChallenge(lines) : undefined;
      try {
        const r = await runDlmsRead({
          link: opened.link,
          settings: DEFAULT_SETTINGS,
          address: { clientSap: c.clientSap, serverLogical: 1, framing: 'hdlc', responseTimeoutMs: 1500 },
          auth: c.auth,
          ...(c.password ? { password: c.password } : {}),
          ...(c.auth === 'hls-gmac' ? { keys: parseKeyFile(GURUX_KEYS), counters: new InvocationCounterStore(join(dir, 'c.json')) } : {}),
          ...(challenge ? { random: (n: number) => challenge.slice(0, n) } : {}),
          direct: true,
          plans: [{ plan: 'billing', obis: ['0-0:42.0.0', '0-0:43.1.0'] }],
        });
        expect(r.run.readings.map((x) => [x.obis, x.value])).toEqual(recorded.readings.map((x) => [x.obis, x.value]));
        expect([...r.run.errors, ...(r.error ? [r.error] : [])].map((e) => e.code)).toEqual(recorded.errors.map((e) => e.code));
      } finally {
        await opened.close();
      }
      expect(meter.out.stderr).not.toMatch(/diverged/);
      expect(meter.out.stderr).toMatch(/all \d+ recorded requests answered/);
    });
  }
});

// ------------------------------------------------------------------ (b) peer client, our server

const KEYS = { encryptionKey: DEFAULT_ENCRYPTION_KEY, authenticationKey: DEFAULT_AUTHENTICATION_KEY };

function frames(hexChunks: string[]): HdlcFrame[] {
  const d = new Deframer();
  const out: HdlcFrame[] = [];
  for (const h of hexChunks) for (const item of d.push(bytes(h))) if (item.kind === 'frame') out.push(item.frame);
  return out;
}

/** What must agree between the recorded answer and ours: frame kind, APDU type, result. */
function essence(f: HdlcFrame, serverTitle: Uint8Array): string {
  if (f.control.kind !== 'I') return f.control.kind;
  // A segment of a long answer (HDLC segmentation): the kind only.
  if (f.segmented || f.info[0] !== 0xe6 || f.info[1] !== 0xe7) return 'I segment';
  let apdu = f.info.subarray(3); // LLC E6 E7 00
  const tag = apdu[0]!;
  let what = `I 0x${tag.toString(16)}`;
  if (isCipheredTag(tag)) {
    apdu = decipherApdu(apdu, KEYS, serverTitle).plaintext;
    what += ` → 0x${apdu[0]!.toString(16)}`;
  }
  if (apdu[0] === 0x61) what += ` result ${decodeAare(apdu).result}`;
  if (apdu[0] === 0xc4 && apdu[1] === 1) what += ` ${apdu[3] === 0 ? 'data' : `dar ${apdu[4]}`}`;
  if (apdu[0] === 0xc7) what += ` result ${apdu[3]}`;
  return what;
}

/** The StoC challenge the simulator sent in the recorded AARE (responding-authentication-value). */
function recordedStoC(rx: HdlcFrame[]): Uint8Array | undefined {
  for (const f of rx) {
    if (f.control.kind !== 'I' || f.info[3] !== 0x61) continue;
    const a = decodeAare(f.info.subarray(3));
    if (a.respondingAuthenticationValue) return a.respondingAuthenticationValue;
  }
  return undefined;
}

const CLIENTS = ['gurux-c', 'dlms-cosem'].flatMap((peer) => ['none', 'lls', 'hls-gmac'].map((mechanism) => ({ peer, mechanism })));

describe('(b) recorded peer clients against the virtual E450', () => {
  for (const { peer, mechanism } of CLIENTS) {
    it(`${peer} ${mechanism}: every request gets an accepted-equivalent answer`, () => {
      const lines = fixture(`${peer}-${mechanism}-client`);
      const recordedRx = frames(lines.filter((l) => l.dir === 'rx').map((l) => l.hex));
      const stoc = recordedStoC(recordedRx);
      const server = new DlmsServer({ ...(stoc ? { random: (n: number) => stoc.slice(0, n) } : {}) });
      const title = server.state.systemTitle;
      const ours: HdlcFrame[] = [];
      for (const l of lines) {
        if (l.dir !== 'tx') continue;
        for (const a of server.receive(bytes(l.hex), Date.parse(l.t))) if (a.type === 'send') ours.push(...frames([Buffer.from(a.bytes).toString('hex')]));
      }
      const got = ours.map((f) => essence(f, title));
      const want = recordedRx.map((f) => essence(f, title));
      expect(got).toEqual(want);
      expect(got.length).toBeGreaterThanOrEqual(mechanism === 'hls-gmac' ? 8 : 5);
      // Nothing refused: no exception-response, no rejected AARE, no failed GET or HLS reply.
      expect(got.join('\n')).not.toMatch(/0xd8|result 1|dar /);
    });
  }
});
