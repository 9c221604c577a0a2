/**
 * Where `omr simulate` puts a simulated meter: a TCP server on 127.0.0.1 (one meter machine per
 * connection, all stopped at the end), a new pty pair (the host side is printed), or a serial
 * port. Runs until Ctrl-C (the CLI's signal) or, on a port, until the port closes.
 */
import { createPtyPair } from '../../link/pty';
import { SerialLink } from '../../link/serial';
import { listenTcp } from '../../link/tcp';
import type { LineSettings, Link } from '../../link/types';
import { EXIT, UsageError, type CliIo } from '../options';

export interface ServeMeterOptions {
  tcp?: string;
  pty?: boolean;
  port?: string;
  /** The serial line the meter end opens with (default: the link's own). */
  line?: LineSettings;
  usage: string;
  /** What the printed lines call the meter on TCP, and on a pty or port. */
  names: { tcp: string; serial: string };
  /** What a reader does on the pty's host side, and what the meter does on a port. */
  verbs: { pty: string; port: string };
}

/** Resolves when the CLI is asked to stop (never, without a signal: the process is killed). */
export function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export async function serveMeter(o: ServeMeterOptions, io: CliIo, start: (link: Link) => { stop(): void }): Promise<number> {
  if (o.tcp !== undefined) {
    const port = Number(o.tcp);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--tcp wants a port number\n\n${o.usage}`);
    const meters = new Set<{ stop(): void }>();
    const server = await listenTcp(port, '127.0.0.1', (link) => {
      const m = start(link);
      meters.add(m);
      link.onClose(() => {
        m.stop();
        meters.delete(m);
      });
    });
    const addr = server.address();
    io.stdout.write(`${o.names.tcp} listening on tcp://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}\n`);
    await waitForStop(io.signal);
    for (const m of meters) m.stop();
    await new Promise<void>((r) => server.close(() => r()));
    return EXIT.ok;
  }
  const pair = o.pty ? await createPtyPair() : undefined;
  const path = pair ? pair.meterPath : o.port;
  if (!path) throw new UsageError(`choose one of --tcp, --pty, --port\n\n${o.usage}`);
  const link = await SerialLink.open(path, o.line);
  const meter = start(link);
  io.stdout.write(pair ? `${o.names.serial} ready: ${o.verbs.pty} ${pair.hostPath}\n` : `${o.names.serial} ${o.verbs.port} ${path}\n`);
  await Promise.race([waitForStop(io.signal), new Promise<void>((r) => link.onClose(() => r()))]);
  meter.stop();
  await link.close().catch(() => undefined);
  await pair?.close();
  return EXIT.ok;
}
