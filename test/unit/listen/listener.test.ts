/**
 * The listener feature on a link: the silence deadline ends a telegram cut short, an abort ends
 * listening with what was held flushed, and a pulled cable ends it with the link error — never
 * a hang, never a lost result.
 */
import { describe, expect, it } from 'vitest';
import { HDLC_LINE } from '../../../electron/link/types';
import { createVirtualPair } from '../../../electron/link/virtual';
import { listen } from '../../../electron/features/listen/listener';
import type { FrameResult } from '../../../electron/engine/customer-port/decoder';
import { bytesOf, layouts, p1Text, pushFrames } from './fixtures';
import { withEvenParity } from '../../../electron/simulator/p1/telegram';

async function pair() {
  const p = createVirtualPair('customer port');
  await p.host.setLine(HDLC_LINE(115200));
  await p.meter.setLine(HDLC_LINE(115200));
  return p;
}

describe('listener', () => {
  it('a telegram cut short is reported when the line falls silent; the next one decodes', async () => {
    const p = await pair();
    const results: FrameResult[] = [];
    const ac = new AbortController();
    const done = listen(p.host, { layouts, silenceMs: 40, signal: ac.signal, onResult: (r) => results.push(r) });
    const t = p1Text('kaifa-dsmr42.txt');
    await p.meter.write(bytesOf(t.slice(0, 300)));
    await expect.poll(() => results.length, { timeout: 2000 }).toBe(1);
    expect(results[0]!.verdict).toMatchObject({ layer: 'cut-short' });
    await p.meter.write(bytesOf(t));
    await expect.poll(() => results.length, { timeout: 2000 }).toBe(2);
    expect(results[1]!.verdict.layer).toBe('ok');
    ac.abort();
    const s = await done;
    expect(s).toMatchObject({ messages: 2, good: 1, bad: 1 });
  });

  it('abort flushes what is held; a pulled cable ends listening with the link error', async () => {
    const p = await pair();
    const results: FrameResult[] = [];
    const ac = new AbortController();
    const done = listen(p.host, { layouts, silenceMs: 10_000, signal: ac.signal, onResult: (r) => results.push(r) });
    await p.meter.write(pushFrames('kaifa-ma304h4-norway-list1.hex')[0]!);
    await expect.poll(() => results.length, { timeout: 2000 }).toBe(1);
    await p.meter.write(bytesOf(p1Text('kaifa-dsmr42.txt').slice(0, 100)));
    // Let the virtual line deliver the bytes, then stop while they are held.
    await new Promise((r) => setTimeout(r, 30));
    ac.abort();
    const s = await done;
    expect(results.map((r) => r.verdict.layer)).toEqual(['ok', 'cut-short']);
    expect(s.linkError).toBeUndefined();

    const q = await pair();
    const more: FrameResult[] = [];
    const ended = listen(q.host, { layouts, onResult: (r) => more.push(r) });
    q.unplug();
    expect((await ended).linkError).toMatch(/unplugged/);
  });
});

describe('listener: the line a P1 port needs', () => {
  it('only garbage at 115200 8N1 (a DSMR 2.2/3 meter sends 7E1): 9600 7E1 is tried once, then the telegrams decode', async () => {
    const p = await pair();
    const results: FrameResult[] = [];
    const changes: unknown[] = [];
    const ac = new AbortController();
    const done = listen(p.host, {
      layouts,
      silenceMs: 40,
      signal: ac.signal,
      fallbackLine: { baudRate: 9600, dataBits: 7, parity: 'even' },
      onLineChange: (l) => changes.push(l),
      onResult: (r) => results.push(r),
    });
    // The meter's 7E1 characters read through an 8N1 line: bit 7 carries the parity bit.
    const telegram = withEvenParity(bytesOf(p1Text('kaifa-dsmr42.txt')));
    for (let sent = 0; changes.length === 0 && sent < 20; sent++) {
      await p.meter.write(telegram);
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(changes).toEqual([{ baudRate: 9600, dataBits: 7, parity: 'even' }]);
    expect(results.every((r) => r.verdict.status === 'bad')).toBe(true);
    // The meter end follows (a pty or virtual pair has no speed), and the telegrams now decode.
    await p.meter.setLine({ baudRate: 9600, dataBits: 7, parity: 'even' });
    const before = results.length;
    await p.meter.write(bytesOf(p1Text('kaifa-dsmr42.txt')));
    await expect.poll(() => results.slice(before).some((r) => r.kind === 'p1' && r.verdict.status === 'good'), { timeout: 2000 }).toBe(true);
    ac.abort();
    await done;
  });

  it('a whole telegram at the default line keeps it: no fall-back', async () => {
    const p = await pair();
    const results: FrameResult[] = [];
    const changes: unknown[] = [];
    const ac = new AbortController();
    const done = listen(p.host, {
      layouts,
      silenceMs: 40,
      signal: ac.signal,
      fallbackLine: { baudRate: 9600, dataBits: 7, parity: 'even' },
      onLineChange: (l) => changes.push(l),
      onResult: (r) => results.push(r),
    });
    for (let i = 0; i < 4; i++) await p.meter.write(bytesOf(p1Text('kaifa-dsmr42.txt')));
    await expect.poll(() => results.filter((r) => r.verdict.status === 'good').length, { timeout: 2000 }).toBe(4);
    expect(changes).toEqual([]);
    ac.abort();
    await done;
  });

  it('raises DTR and RTS (a P1 port sends only while Data Request is raised)', async () => {
    const p = await pair();
    const asked: unknown[] = [];
    const link = Object.assign(Object.create(p.host) as typeof p.host, { setModemLines: async (l: unknown) => void asked.push(l) });
    const ac = new AbortController();
    const done = listen(link, { layouts, signal: ac.signal, onResult: () => undefined });
    ac.abort();
    await done;
    expect(asked).toEqual([{ dtr: true, rts: true }]);
  });
});
