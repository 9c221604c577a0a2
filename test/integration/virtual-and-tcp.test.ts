/**
 * The in-process virtual link (what the app's demo meter uses) and TCP (network heads, ser2net):
 * a readout through each, with the faults that need a real speed mismatch or an 8N1 path.
 */
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import type { SimFault } from '../../shared/target';
import { createVirtualPair } from '../../electron/link/virtual';
import { listenTcp, TcpLink } from '../../electron/link/tcp';
import { addParity } from '../../electron/link/parity';
import { iecOptions, runIec } from '../../electron/features/read/iec';
import { startVirtualMeter } from '../../electron/simulator/virtual-meter';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  // Last opened, first closed (a server waits for its connections to end).
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('virtual link (the demo meter)', () => {
  it('reads the E450 with the real line timing (paced)', async () => {
    const pair = createVirtualPair();
    const meter = startVirtualMeter(pair.meter, { pace: true });
    cleanups.push(
      () => meter.stop(),
      () => pair.host.close(),
    );
    const run = await runIec(pair.host, iecOptions(DEFAULT_SETTINGS, { purpose: 'readout' }));
    expect(run.error).toBeUndefined();
    expect(run.readings.length).toBeGreaterThan(20);
    expect(pair.host.line.baudRate).toBe(9600);
  });

  it('falls back to 300 baud and says so when the meter ignores the proposed speed', async () => {
    const pair = createVirtualPair();
    // Unpaced (fast); the meter reacts later than the 300 ms baud-switch delay, as a real one does.
    const meter = startVirtualMeter(pair.meter, { pace: false, reactionMs: 450, faults: ['ignore-baud'] });
    cleanups.push(
      () => meter.stop(),
      () => pair.host.close(),
    );
    const run = await runIec(pair.host, iecOptions(DEFAULT_SETTINGS, { purpose: 'readout' }));
    expect(run.error).toBeUndefined();
    expect(run.warnings.map((w) => w.code)).toContain('BAUD_NOT_ACCEPTED');
    expect(run.readings.length).toBeGreaterThan(20);
  });

  it('ends with LINK_LOST and keeps the complete lines when the cable is pulled', async () => {
    const pair = createVirtualPair();
    const meter = startVirtualMeter(pair.meter, { pace: true });
    cleanups.push(() => meter.stop());
    let pulled = false;
    const run = await runIec(pair.host, iecOptions({ ...DEFAULT_SETTINGS, maxBaud: 300 }, { purpose: 'readout' }), {
      onProgress: (bytes) => {
        if (bytes > 150 && !pulled) {
          pulled = true;
          pair.unplug();
        }
      },
    });
    expect(run.error?.code).toBe('LINK_LOST');
    expect(run.readings.length).toBeGreaterThan(0);
    expect(run.readings.length).toBeLessThan(36);
  });
});

describe('TCP link (network head, ser2net)', () => {
  async function server(faults: SimFault[] = []): Promise<number> {
    const s: Server = await listenTcp(0, '127.0.0.1', (link) => {
      const m = startVirtualMeter(link, { pace: false, reactionMs: 450, faults });
      link.onClose(() => m.stop());
    });
    cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
    const addr = s.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  it('reads through raw TCP, where the far speed cannot change, doing 7E1 in software', async () => {
    const port = await server();
    const link = await TcpLink.connect('127.0.0.1', port);
    cleanups.push(() => link.close());
    const run = await runIec(link, iecOptions({ ...DEFAULT_SETTINGS, fixedBaud: true }, { purpose: 'readout' }));
    expect(run.error).toBeUndefined();
    expect(run.identity?.manufacturer).toBe('LGZ');
    expect(run.readings.find((r) => r.obis === '1-0:1.8.0*255')?.unit).toBe('kWh');
  });

  it('counts the parity errors of characters that arrive with the wrong parity', async () => {
    // A head that answers with odd parity: what a misconfigured converter delivers.
    const s: Server = await listenTcp(0, '127.0.0.1', (link) => {
      link.onData(
        () => void link.setLine({ dataBits: 8, parity: 'none' }).then(() => link.write(addParity(new TextEncoder().encode('/LGZ5\\2ZMF100AC.d2\r\n'), 'odd'))),
      );
    });
    cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
    const link = await TcpLink.connect('127.0.0.1', (s.address() as { port: number }).port);
    cleanups.push(() => link.close());
    let parity = 0;
    const run = await runIec(link, iecOptions({ ...DEFAULT_SETTINGS, fixedBaud: true }, { purpose: 'identify' }), { onParityErrors: (n) => (parity += n) });
    expect(parity).toBeGreaterThan(5);
    // The characters themselves are intact (bit 7 stripped): the identification is read.
    expect(run.identity?.raw).toBe('/LGZ5\\2ZMF100AC.d2');
  });

  it('says TCP_CONNECT_FAILED with a remedy when nothing listens', async () => {
    const port = await server();
    cleanups.splice(0).forEach((c) => void c());
    await new Promise((r) => setTimeout(r, 50));
    await expect(TcpLink.connect('127.0.0.1', port, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'TCP_CONNECT_FAILED' });
  });
});
