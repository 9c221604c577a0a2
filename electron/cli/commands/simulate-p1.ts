/**
 * `omr simulate --p1`: the virtual P1 meter — a DSMR 5 telegram every second with moving values,
 * on TCP (127.0.0.1:PORT), a pty pair, or a serial port; faults on demand: a bad CRC, a telegram
 * cut short, or 7E1 characters on an 8N1 line.
 */
import type { Server } from 'node:net';
import { createPtyPair } from '../../link/pty';
import { SerialLink } from '../../link/serial';
import { listenTcp } from '../../link/tcp';
import { HDLC_LINE } from '../../link/types';
import { startP1Meter } from '../../simulator/p1/meter';
import { newP1State, P1_FAULTS, type P1Fault } from '../../simulator/p1/telegram';
import { EXIT, UsageError, type CliIo } from '../options';

export const SIMULATE_P1_USAGE = `Usage: omr simulate --p1 (--tcp PORT | --pty | --port PATH) [--interval MS] [--p1-fault NAME]...

  --p1             act as a P1 (DSMR 5) meter: a telegram every second, values moving
  --interval MS    time between telegrams (default 1000)
  --p1-fault NAME  ${P1_FAULTS.join(', ')} (bad-crc and cut-short hit every third telegram;
                   7e1 sends 7-bit characters with even parity, as a DSMR 2.2/3 meter, on 8N1)
`;

export interface SimulateP1Values {
  pty?: boolean | undefined;
  port?: string | undefined;
  tcp?: string | undefined;
  interval?: string | undefined;
  'p1-fault'?: string[] | undefined;
}

export async function simulateP1(values: SimulateP1Values, io: CliIo): Promise<number> {
  const faults = (values['p1-fault'] ?? []).map((f) => {
    if (!P1_FAULTS.includes(f as P1Fault)) throw new UsageError(`unknown P1 fault '${f}'\n\n${SIMULATE_P1_USAGE}`);
    return f as P1Fault;
  });
  const intervalMs = values.interval === undefined ? 1000 : Number(values.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 50 || intervalMs > 60000)
    throw new UsageError(`--interval wants milliseconds between 50 and 60000\n\n${SIMULATE_P1_USAGE}`);
  const state = newP1State();
  const stopped = new Promise<void>((resolve) => {
    if (!io.signal) return;
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  if (values.tcp !== undefined) {
    const port = Number(values.tcp);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--tcp wants a port number\n\n${SIMULATE_P1_USAGE}`);
    const meters = new Set<{ stop(): void }>();
    const server: Server = await listenTcp(port, '127.0.0.1', (link) => {
      const m = startP1Meter(link, { intervalMs, faults, state });
      meters.add(m);
      link.onClose(() => meters.delete(m));
    });
    const addr = server.address();
    io.stdout.write(`virtual P1 meter listening on tcp://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}\n`);
    await stopped;
    for (const m of meters) m.stop();
    await new Promise<void>((r) => server.close(() => r()));
    return EXIT.ok;
  }
  let path = values.port;
  let pair: Awaited<ReturnType<typeof createPtyPair>> | undefined;
  if (values.pty) {
    pair = await createPtyPair();
    path = pair.meterPath;
  }
  if (!path) throw new UsageError(`choose one of --tcp, --pty, --port\n\n${SIMULATE_P1_USAGE}`);
  const link = await SerialLink.open(path, HDLC_LINE(115200));
  const meter = startP1Meter(link, { intervalMs, faults, state });
  io.stdout.write(pair ? `virtual P1 meter ready: listen on ${pair.hostPath}\n` : `virtual P1 meter sending on ${path}\n`);
  await Promise.race([stopped, new Promise<void>((r) => link.onClose(() => r()))]);
  meter.stop();
  await link.close().catch(() => undefined);
  await pair?.close();
  return EXIT.ok;
}
