/**
 * The command dispatcher of `omr`. Each command parses its own arguments with node:util
 * parseArgs; bad arguments get a usage message (exit 2), typed errors one line with the remedy.
 */
import { OmrError, toErrorInfo } from '../../shared/errors';
import { EXIT, printError, UsageError, type CliIo, type Command } from './options';

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
  explain [HEX…] [--file FILE] [--key-file FILE] [--json]
                                 Say what bytes are, layer by layer (IEC, HDLC, M-Bus, ciphering, APDU, data).
  help                           This text.

Run 'omr <command> --help' for the options of a command.
`;

// Each command is loaded when it is run: `omr help` and a one-shot command do not pay for the
// code of every other command at start-up.
export const COMMANDS: Record<string, Command> = {
  ports: (args, io) => import('./commands/ports').then((m) => m.portsCommand(args, io)),
  read: (args, io) => import('./commands/read').then((m) => m.readCommand(args, io)),
  simulate: (args, io) => import('./commands/simulate').then((m) => m.simulateCommand(args, io)),
  doctor: (args, io) => import('./commands/doctor').then((m) => m.doctorCommand(args, io)),
  serve: (args, io) => import('./commands/serve').then((m) => m.serveCommand(args, io)),
  monitor: (args, io) => import('./commands/monitor').then((m) => m.monitorCommand(args, io)),
  listen: (args, io) => import('./commands/listen').then((m) => m.listenCommand(args, io)),
  explain: (args, io) => import('./commands/explain').then((m) => m.explainCommand(args, io)),
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
