/**
 * `omr read`: one session against a port, a TCP head or the built-in simulator; prints the
 * identity and the readings, or JSON. A read that is cut off still prints what it had read.
 */
import { writeFileSync } from 'node:fs';
import type { ErrorInfo } from '../../shared/errors';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings';
import { SimFaultSchema, type SimFault } from '../../shared/session';
import type { Reading, TraceEntry } from '../../shared/types';
import { obisName } from '../../shared/obis';
import { resolveDialect, writeCsv } from '../services/csv';
import { iecOptions, runIec } from '../services/iec';
import { VIRTUAL_PORT_PATH } from '../services/ports';
import { Targets } from '../services/targets';
import { EXIT, parse, printError, UsageError, type CliIo } from './cli';

export const READ_USAGE = `Usage: omr read (--port PATH | --tcp HOST:PORT | --simulator) [options]

  --port PATH          serial port of the optical head (/dev/ttyUSB0, COM3)
  --tcp HOST:PORT      network optical head or ser2net (raw TCP)
  --simulator          the built-in virtual E450
  --protocol P         auto | readout (default auto)
  --address ADDR       IEC 62056-21 device address (/?ADDR!)
  --max-baud N         highest baud rate to propose (default ${DEFAULT_SETTINGS.maxBaud})
  --fixed-baud         smart probe: no baud switch
  --baud-switch-delay MS  pause before changing speed (default ${DEFAULT_SETTINGS.baudSwitchDelayMs})
  --password PW        programming-mode password (or OMR_PASSWORD in the environment)
  --json               print {identity, readings, errors} as JSON
  --csv FILE           write the readings to a CSV file (comma + dot)
  --trace FILE         write every frame (direction, time, hex, summary) as JSON lines
  --fault NAME         simulator only: inject a fault (${SimFaultSchema.options.join(', ')})
  --no-pace            simulator only: answer at once instead of at the real line speed
`;

export function targetFrom(values: { port?: string | undefined; tcp?: string | undefined; simulator?: boolean | undefined }, usage: string): string {
  const chosen = [values.port !== undefined, values.tcp !== undefined, !!values.simulator].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError(`choose exactly one of --port, --tcp, --simulator\n\n${usage}`);
  if (values.simulator) return VIRTUAL_PORT_PATH;
  if (values.tcp !== undefined) {
    if (!/^[^:\s]+:\d{1,5}$/.test(values.tcp) && !/^\[[^\]]+\]:\d{1,5}$/.test(values.tcp)) throw new UsageError(`--tcp wants HOST:PORT, got '${values.tcp}'\n\n${usage}`);
    return `tcp://${values.tcp}`;
  }
  return values.port!;
}

function intOption(v: string | undefined, name: string, min: number, max: number, usage: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} wants a whole number from ${min} to ${max}, got '${v}'\n\n${usage}`);
  return n;
}

export function faultsFrom(list: string[] | undefined, usage: string): SimFault[] {
  return (list ?? []).map((f) => {
    const r = SimFaultSchema.safeParse(f);
    if (!r.success) throw new UsageError(`unknown fault '${f}'\n\n${usage}`);
    return r.data;
  });
}

export async function readCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    {
      port: { type: 'string' },
      tcp: { type: 'string' },
      simulator: { type: 'boolean' },
      protocol: { type: 'string' },
      address: { type: 'string' },
      'max-baud': { type: 'string' },
      'fixed-baud': { type: 'boolean' },
      'baud-switch-delay': { type: 'string' },
      password: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'string' },
      trace: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'no-pace': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    READ_USAGE,
  );
  if (values.help) {
    io.stdout.write(READ_USAGE);
    return EXIT.ok;
  }
  const target = targetFrom(values, READ_USAGE);
  const protocol = values.protocol ?? 'auto';
  if (!['auto', 'readout'].includes(protocol)) throw new UsageError(`--protocol wants auto or readout, got '${protocol}'\n\n${READ_USAGE}`);
  const faults = faultsFrom(values.fault, READ_USAGE);
  if ((faults.length || values['no-pace']) && target !== VIRTUAL_PORT_PATH) throw new UsageError(`--fault and --no-pace are for --simulator\n\n${READ_USAGE}`);
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    ...(values['max-baud'] !== undefined ? { maxBaud: intOption(values['max-baud'], '--max-baud', 300, 115200, READ_USAGE)! } : {}),
    ...(values['baud-switch-delay'] !== undefined ? { baudSwitchDelayMs: intOption(values['baud-switch-delay'], '--baud-switch-delay', 0, 5000, READ_USAGE)! } : {}),
    fixedBaud: !!values['fixed-baud'],
  };
  const password = values.password ?? io.env.OMR_PASSWORD;

  const targets = new Targets({ virtualMeter: { pace: !values['no-pace'], faults } });
  const trace: TraceEntry[] = [];
  const errors: ErrorInfo[] = [];
  const progress = io.stderr.isTTY && !values.json;
  let result: Awaited<ReturnType<typeof runIec>> | undefined;
  const opened = await targets.open(target);
  try {
    result = await runIec(
      opened.link,
      iecOptions(settings, { purpose: password ? 'programming' : 'readout', ...(values.address ? { address: values.address } : {}), ...(password ? { password } : {}) }),
      {
        onTrace: (e) => trace.push(e),
        ...(progress ? { onProgress: (bytes: number) => io.stderr.write(`\r  reading… ${bytes} bytes`) } : {}),
        onWarning: (w) => io.stderr.write(`${progress ? '\n' : ''}omr: warning: ${w.code}: ${w.detail}\n`),
      },
      io.signal,
    );
  } finally {
    await opened.close().catch(() => undefined);
    if (progress) io.stderr.write('\n');
  }
  if (result.error) errors.push(result.error);
  if (values.trace) writeFileSync(values.trace, trace.map((t) => JSON.stringify(t)).join('\n') + (trace.length ? '\n' : ''));
  if (values.csv) {
    await writeCsv(values.csv, {
      columns: [{ header: 'OBIS' }, { header: 'Address' }, { header: 'Value', numeric: true }, { header: 'Unit' }, { header: 'Read at' }],
      rows: result.readings.map((r) => [r.obis, r.address, r.value, r.unit, r.readAt]),
      dialect: resolveDialect('comma-dot', 'en'),
    });
  }
  const identity = result.identity;
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          identity: identity ? { manufacturer: identity.manufacturer, baudChar: identity.baudChar, ident: identity.ident, modeE: identity.modeE, raw: identity.raw } : null,
          readings: result.readings.map((r: Reading) => ({ obis: r.obis, address: r.address, value: r.value, unit: r.unit, ...(r.extra ? { extra: r.extra } : {}) })),
          warnings: result.warnings,
          errors: errors.map((e) => ({ code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) })),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    if (identity) io.stdout.write(`Meter: ${identity.raw}  (maker ${identity.manufacturer}, max ${identity.maxBaud} baud${identity.modeE ? ', mode E / DLMS' : ''})\n`);
    const rows = result.readings.map((r) => [r.obis, r.address, r.value, r.unit, obisName(r.obis, 'en') ?? '']);
    const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 4));
    for (const r of rows) io.stdout.write(`${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]!.padStart(w[2]!)} ${r[3]!.padEnd(w[3]!)}  ${r[4]}\n`);
    io.stdout.write(`${result.readings.length} readings\n`);
  }
  if (errors.length) {
    printError(io, errors[0]!);
    return EXIT.failed;
  }
  return EXIT.ok;
}
