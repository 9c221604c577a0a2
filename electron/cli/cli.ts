/**
 * The command dispatcher of `omr`. Each command parses its own arguments with node:util
 * parseArgs; bad arguments get a usage message (exit 2), typed errors one line with the remedy.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OmrError, toErrorInfo, type ErrorInfo } from '../../shared/errors';
import { HostFs } from '../services/hostfs';
import { listPorts } from '../services/ports';
import { hasExecutable, serialportList } from '../link/serial';
import { readCommand } from './read';
import { simulateCommand } from './simulate';
import { doctorCommand } from './doctor';
import { monitorCommand } from './monitor';
import { listenCommand } from './listen';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {}

export const USAGE = `Usage: omr <command> [options]

Commands:
  ports [--json]                 List serial ports (optical heads first) and the demo meter.
  read (--port PATH | --tcp HOST:PORT | --simulator) [--json] [--csv FILE] [--trace FILE] …
                                 Identify the meter and read it (IEC 62056-21 readout or DLMS/COSEM).
  simulate (--pty | --port PATH | --tcp PORT) [--pace] [--fault NAME]…
                                 Run the virtual E450 for another program to read.
  doctor (--port PATH | --tcp HOST:PORT | --simulator) [--json]
                                 Find out why a head does not talk, step by step, with the remedy.
  serve [--listen 127.0.0.1:8450] [--port PATH | --tcp HOST:PORT | --simulator] [--mqtt URL] …
                                 The meter station: the app in a browser, a JSON API, MQTT.
  monitor (--port PATH | --tcp HOST:PORT | --simulator) --interval S [--duration S] [--csv FILE] [--json]
                                 Poll the meter, watch for anomalies, print statistics.
  listen (--port PATH | --tcp HOST:PORT) [--baud N] [--key-file FILE] [--json]
                                 Decode the DLMS pushes a meter sends on its customer port.
  help                           This text.

Run 'omr <command> --help' for the options of a command.
`;

type Command = (args: string[], io: CliIo) => Promise<number>;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

export function printError(io: CliIo, e: ErrorInfo): void {
  io.stderr.write(`omr: ${e.code}: ${e.message}${e.detail ? ` (${e.detail})` : ''}\n  → ${e.remedy}\n`);
}

const PORTS_USAGE = 'Usage: omr ports [--json]\n';
const ports: Command = async (args, io) => {
  const { values } = parse(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, PORTS_USAGE);
  if (values.help) {
    io.stdout.write(PORTS_USAGE);
    return EXIT.ok;
  }
  const result = await listPorts({ serialportList, hasUdevadm: () => hasExecutable('udevadm'), fs: new HostFs('/') });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const p of result.ports) {
    const tags = [p.opticalHead ? 'optical head' : undefined, p.kind === 'virtual' ? 'demo meter' : undefined].filter(Boolean).join(', ');
    const meta = [p.headName, p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.serialNumber, p.driver]
      .filter(Boolean)
      .join('  ');
    io.stdout.write(`${p.path.padEnd(24)} ${tags ? `[${tags}] ` : ''}${meta}\n`);
  }
  if (result.fallbackReason) io.stderr.write(`(listed from ${result.method}: ${result.fallbackReason})\n`);
  return EXIT.ok;
};

export const COMMANDS: Record<string, Command> = {
  ports,
  read: readCommand,
  simulate: simulateCommand,
  doctor: doctorCommand,
  serve: (args, io) => import('./serve').then((m) => m.serveCommand(args, io)),
  monitor: monitorCommand,
  listen: listenCommand,
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`omr: unknown command '${name}'\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`omr ${name}: ${e.message}\n`);
      return EXIT.usage;
    }
    printError(io, toErrorInfo(e));
    return e instanceof OmrError ? EXIT.failed : 70;
  }
}
