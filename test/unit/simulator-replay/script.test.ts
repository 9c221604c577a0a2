/**
 * The replay script: trace lines (omr read --trace) and session journals (trace records) give the
 * same steps; line changes stay in order with the answers around them; redacted bytes match
 * anything, whatever their length; HDLC sequence numbers, check sequences and invoke-ids are rewritten for the reader.
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../electron/engine/hdlc/frame';
import { clientAddress, serverAddress } from '../../../electron/engine/hdlc/address';
import { decodeFrame } from '../../../electron/engine/hdlc/frame';
import { ReplayPlayer } from '../../../electron/simulator/replay/player';
import { redactedHex } from '../../../electron/runtime/driver';
import { loadReplayScript } from '../../../electron/simulator/replay/script';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const entries = [
  { t: 't', dir: 'tx', hex: '2f3f210d0a', summary: '/?!' },
  { t: 't', dir: 'rx', hex: '2f4c475a350d0a', summary: '' },
  { t: 't', dir: 'tx', hex: '063035300d0a', summary: 'ACK 050' },
  { t: 't', dir: 'info', hex: '', summary: 'line 9600 7E1' },
  { t: 't', dir: 'rx', hex: '0221', summary: '' },
  { t: 't', dir: 'rx', hex: '0d0a0301', summary: '' },
];

describe('replay script', () => {
  it('trace lines and a session journal give the same steps, line changes in order', () => {
    const fromTrace = loadReplayScript(entries.map((e) => JSON.stringify(e)).join('\n'));
    const fromJournal = loadReplayScript(
      [JSON.stringify({ k: 'session', id: 'x' }), JSON.stringify({ k: 'trace', t: 't', entries }), '{"k":"trace","ent'].join('\n'),
    );
    expect(fromJournal).toEqual(fromTrace);
    expect(fromTrace.steps).toHaveLength(2);
    expect(fromTrace.steps[1]!.actions.map((a) => a.type)).toEqual(['line', 'send']);
    expect(hex((fromTrace.steps[1]!.actions[1] as { bytes: Uint8Array }).bytes)).toBe('02210d0a0301');
  });

  it('a trace with no request is refused with a reason', () => {
    expect(() => loadReplayScript(JSON.stringify({ dir: 'rx', hex: '00', summary: '' }))).toThrow(/no request/);
  });

  it('an HDLC answer gets the sequence numbers and invoke-id the request calls for; another request is a divergence', () => {
    const dest = serverAddress(1, 17);
    const src = clientAddress(32);
    const req = (ns: number, nr: number, invoke: number) =>
      encodeFrame({
        dest,
        src,
        control: { kind: 'I', ns, nr, pf: true },
        segmented: false,
        info: Uint8Array.of(0xe6, 0xe6, 0x00, 0xc0, 0x01, invoke, 0, 3, 1, 0, 1, 8, 0, 255, 2, 0),
      });
    const ans = encodeFrame({
      dest: src,
      src: dest,
      control: { kind: 'I', ns: 0, nr: 1, pf: true },
      segmented: false,
      info: Uint8Array.of(0xe6, 0xe7, 0x00, 0xc4, 0x01, 0xc1, 0x00, 0x06, 0, 0, 0, 42),
    });
    const script = loadReplayScript(
      [JSON.stringify({ dir: 'tx', hex: hex(req(0, 0, 0xc1)), summary: 'GET' }), JSON.stringify({ dir: 'rx', hex: hex(ans), summary: '' })].join('\n'),
    );
    // The reader is at N(S)=3, N(R)=5 with invoke-id 0xc4 this time.
    const out = new ReplayPlayer(script).receive(req(3, 5, 0xc4));
    expect(out.events.map((e) => e.type)).toEqual(['answered', 'finished']);
    const f = decodeFrame((out.actions[0] as { bytes: Uint8Array }).bytes);
    expect(f.control).toMatchObject({ kind: 'I', ns: 5, nr: 4 });
    expect(f.info[5]).toBe(0xc4);
    const other = new ReplayPlayer(script).receive(Uint8Array.of(0x7e, 0xa0, 0x07, 0x03, 0x41, 0x53, 0x00, 0x00, 0x7e));
    expect(other.events[0]).toMatchObject({ type: 'diverged', step: 0, expectedSummary: 'GET' });
  });

  it('a frame whose password was redacted (one ** per stretch, length unknown) matches a request with a password of another length', () => {
    const dest = serverAddress(1, 17);
    const src = clientAddress(32);
    const aarq = (password: string, ns: number) => {
      const pw = new TextEncoder().encode(password);
      return encodeFrame({
        dest,
        src,
        control: { kind: 'I', ns, nr: 0, pf: true },
        segmented: false,
        info: Uint8Array.of(0xe6, 0xe6, 0x00, 0x60, 0x10 + pw.length, 0xac, 2 + pw.length, 0x80, pw.length, ...pw, 0xbe, 0x00),
      });
    };
    const recorded = aarq('00000000', 0);
    // As the HDLC transport redacts it: format and length, and from the HCS to the FCS.
    const infoAt = 1 + 2 + 2 + 1 + 1 + 2;
    const traced = redactedHex(recorded, [
      [1, 3],
      [infoAt - 2, recorded.length - 1],
    ]);
    expect(traced).toMatch(/^7e\*\*[0-9a-f]{8}\*\*7e$/);
    const answer = encodeFrame({
      dest: src,
      src: dest,
      control: { kind: 'I', ns: 0, nr: 1, pf: true },
      segmented: false,
      info: Uint8Array.of(0xe6, 0xe7, 0x00, 0x61, 0x00),
    });
    const script = loadReplayScript(
      [JSON.stringify({ dir: 'tx', hex: traced, summary: 'AARQ' }), JSON.stringify({ dir: 'rx', hex: hex(answer), summary: '' })].join('\n'),
    );
    // Another password, another length, and the bytes arriving in two chunks.
    const live = aarq('a-much-longer-secret', 2);
    const player = new ReplayPlayer(script);
    expect(player.receive(live.subarray(0, 10)).events).toEqual([]);
    const out = player.receive(live.subarray(10));
    expect(out.events.map((e) => e.type)).toEqual(['answered', 'finished']);
    expect(decodeFrame((out.actions[0] as { bytes: Uint8Array }).bytes).control).toMatchObject({ kind: 'I', nr: 3 });
    // Another client address does not match.
    const stranger = encodeFrame({
      dest,
      src: clientAddress(16),
      control: { kind: 'I', ns: 0, nr: 0, pf: true },
      segmented: false,
      info: Uint8Array.of(0xe6, 0xe6, 0x00, 0x60, 0x00),
    });
    expect(new ReplayPlayer(script).receive(stranger).events[0]).toMatchObject({ type: 'diverged' });
  });
});
