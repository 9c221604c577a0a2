/**
 * `omr read`: one session against a port, a TCP head or the built-in simulator; prints the
 * identity and the readings, or JSON. A read that is cut off still prints what it had read.
 * Every read is a session of the data folder, journaled as it happens (like the app's and the
 * station's): a killed `omr read` keeps what it had received.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { OmrError, toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/settings';
import { SimFaultSchema, type SimFault } from '../../../shared/target';
import type { MeterIdentity, Reading, TraceEntry } from '../../../shared/types';
import { obisName } from '../../../shared/obis';
import { parseObis } from '../../engine/dlms/obis-code';
import { resolveDialect, writeCsv } from '../../features/sessions/csv';
import { readingsTable } from '../../features/sessions/export';
import { iecOptions, runIec, SIGN_ON_FORMATS, type SignOnFormat } from '../../features/read/iec';
import { InvocationCounterStore, type DlmsAddress, type DlmsKeys } from '../../features/read/dlms-session';
import { defaultClientSap, parseKeyFile, runDlmsRead, type DlmsReadResult } from '../../features/read/dlms-read';
import type { PlanSpec } from '../../features/read/plans';
import { SessionRecorder } from '../../features/read/recorder';
import { SessionStore } from '../../features/sessions/journal';
import { VIRTUAL_PORT_PATH } from '../../link/open';
import { Targets } from '../../features/ports/targets';
import { EXIT, parse, printError, UsageError, type CliIo, faultsFrom, targetFrom } from '../options';

export const READ_USAGE = `Usage: omr read (--port PATH | --tcp HOST:PORT | --simulator) [options]

  --port PATH          serial port of the optical head (/dev/ttyUSB0, COM3), or
                       rfc2217://HOST:PORT (ser2net telnet(rfc2217): the speed is switched remotely)
  --tcp HOST:PORT      network optical head or ser2net (raw TCP: the speed stays at 300 baud)
  --tcp-follows-baud   raw TCP: the far end follows a baud switch by itself (auto-baud heads)
  --sign-on-format F   7E1 | 8N1 | auto: characters of the sign-on (default 7E1; auto on raw TCP)
  --simulator          the built-in virtual E450
  --protocol P         auto | readout | dlms (default auto: DLMS when a DLMS option is given)
  --address ADDR       IEC 62056-21 device address (/?ADDR!)

 DLMS/COSEM (IEC 62056-21 mode E, then HDLC):
  --hdlc-direct        talk HDLC at once, no IEC handshake (network heads, HDLC over TCP)
  --wrapper            IEC 62056-47 wrapper instead of HDLC (with --tcp)
  --client-sap N       client SAP (default 16 public, 32 with --password, 1 with HLS)
  --server-logical N   server logical device (default 1)
  --server-physical N  server physical address (default 17; 0 = one-byte server address)
  --auth A             none | lls | hls-gmac (default from --password / --key-file)
  --password PW        LLS password (or OMR_PASSWORD); readout: programming-mode password
  --key-file FILE      HLS-GMAC keys: JSON or name=value lines with the authentication key,
                       encryption key and system title, in hex (or OMR_KEY_FILE)
  --counter-obis OBIS  HLS-GMAC: the object holding the client's invocation counter, read with
                       the public client (default: 0-0:43.1.<client SAP>, then 0-0:43.1.0; when
                       unreadable, the counter stored for this meter, client and key)
  --obis LIST          registers to read, comma separated (1-0:1.8.0,1-0:32.7.0; CLASS/OBIS)
  --profile OBIS       read this load profile (1-0:99.1.0) between --from and --to (ISO)
  --from ISO --to ISO  profile / event bounds (default: the last 24 hours)
  --events             read the event logs: the standard log (0-0:99.98.0) and the power
                       quality log (0-0:99.98.4) of an E450
  --event-log OBIS     read this event log instead (repeatable, or comma separated)
  --discover           read the object list and every readable value

  --max-baud N         highest baud rate to propose (default ${DEFAULT_SETTINGS.maxBaud})
  --fixed-baud         smart probe: no baud switch
  --baud-switch-delay MS  pause before changing speed (default ${DEFAULT_SETTINGS.baudSwitchDelayMs})
  --json               print {identity, readings, errors} as JSON
  --csv FILE           write the readings to a CSV file (comma + dot)
  --trace FILE         write every frame (direction, time, hex, summary) as JSON lines
  --data-dir DIR       where the session is saved (default OMR_DATA_DIR or ~/.optical-meter-reader)
  --fault NAME         simulator only: inject a fault (${SimFaultSchema.options.join(', ')})
  --no-pace            simulator only: answer at once instead of at the real line speed

 Exit status: 0 everything asked was read; 3 partial (DLMS: some objects refused, missing or
 not in the client's object list: listed on stderr and in the JSON warnings, what was read is
 printed); 1 failed (the read ended on an error; what was read before it is printed); 2 usage.
`;

function intOption(v: string | undefined, name: string, min: number, max: number, usage: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} wants a whole number from ${min} to ${max}, got '${v}'\n\n${usage}`);
  return n;
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
      'tcp-follows-baud': { type: 'boolean' },
      'sign-on-format': { type: 'string' },
      'baud-switch-delay': { type: 'string' },
      password: { type: 'string' },
      'hdlc-direct': { type: 'boolean' },
      wrapper: { type: 'boolean' },
      'client-sap': { type: 'string' },
      'server-logical': { type: 'string' },
      'server-physical': { type: 'string' },
      auth: { type: 'string' },
      'key-file': { type: 'string' },
      'counter-obis': { type: 'string' },
      obis: { type: 'string', multiple: true },
      profile: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      events: { type: 'boolean' },
      'event-log': { type: 'string', multiple: true },
      discover: { type: 'boolean' },
      json: { type: 'boolean' },
      csv: { type: 'string' },
      trace: { type: 'string' },
      'data-dir': { type: 'string' },
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
  if (!['auto', 'readout', 'dlms'].includes(protocol)) throw new UsageError(`--protocol wants auto, readout or dlms, got '${protocol}'\n\n${READ_USAGE}`);
  const faults = faultsFrom(values.fault, READ_USAGE);
  if ((faults.length || values['no-pace']) && target !== VIRTUAL_PORT_PATH) throw new UsageError(`--fault and --no-pace are for --simulator\n\n${READ_USAGE}`);
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    ...(values['max-baud'] !== undefined ? { maxBaud: intOption(values['max-baud'], '--max-baud', 300, 115200, READ_USAGE)! } : {}),
    ...(values['baud-switch-delay'] !== undefined
      ? { baudSwitchDelayMs: intOption(values['baud-switch-delay'], '--baud-switch-delay', 0, 5000, READ_USAGE)! }
      : {}),
    fixedBaud: !!values['fixed-baud'] || !!values['tcp-follows-baud'],
  };
  const signOnFormat = values['sign-on-format'] as SignOnFormat | undefined;
  if (signOnFormat !== undefined && !SIGN_ON_FORMATS.includes(signOnFormat))
    throw new UsageError(`--sign-on-format wants ${SIGN_ON_FORMATS.join(', ')}, got '${signOnFormat}'

${READ_USAGE}`);
  const password = values.password ?? io.env.OMR_PASSWORD;
  const dataDir = resolve(values['data-dir'] ?? io.env.OMR_DATA_DIR ?? join(homedir(), '.optical-meter-reader'));
  const dlmsFlags = [
    'hdlc-direct',
    'wrapper',
    'client-sap',
    'server-logical',
    'server-physical',
    'auth',
    'key-file',
    'counter-obis',
    'obis',
    'profile',
    'from',
    'to',
    'events',
    'event-log',
    'discover',
  ] as const;
  const dlmsAsked = dlmsFlags.filter((f) => values[f] !== undefined);
  if (protocol === 'readout' && dlmsAsked.length) throw new UsageError(`--${dlmsAsked[0]} needs --protocol dlms or auto\n\n${READ_USAGE}`);
  if (protocol === 'dlms' || (protocol === 'auto' && dlmsAsked.length)) {
    return readDlms(values, { target, settings, faults, password, dataDir }, io);
  }

  const targets = new Targets({ virtualMeter: { pace: !values['no-pace'], faults } });
  const trace: TraceEntry[] = [];
  const errors: ErrorInfo[] = [];
  const progress = io.stderr.isTTY && !values.json;
  let result: Awaited<ReturnType<typeof runIec>> | undefined;
  const opened = await targets.open(target);
  const rec = startSession(dataDir, target, io);
  try {
    result = await runIec(
      opened.link,
      iecOptions(settings, {
        purpose: password ? 'programming' : 'readout',
        ...(values.address ? { address: values.address } : {}),
        ...(password ? { password } : {}),
        ...(signOnFormat ? { signOnFormat } : {}),
      }),
      {
        onTrace: (e) => (trace.push(e), rec.trace(e)),
        onIdentity: rec.identity,
        onReadings: rec.readings,
        onPartialReadings: rec.partialReadings,
        ...(progress ? { onProgress: (bytes: number) => io.stderr.write(`\r  reading… ${bytes} bytes`) } : {}),
        onWarning: (w) => (rec.warning(`${w.code}: ${w.detail}`), io.stderr.write(`${progress ? '\n' : ''}omr: warning: ${w.code}: ${w.detail}\n`)),
      },
      io.signal,
    );
  } catch (e) {
    rec.finish(io.signal?.aborted ? 'cancelled' : 'failed', toErrorInfo(e));
    throw e;
  } finally {
    await opened.close().catch(() => undefined);
    if (progress) io.stderr.write('\n');
  }
  if (result.error) errors.push(result.error);
  rec.finish(io.signal?.aborted ? 'cancelled' : result.error ? 'failed' : 'done', result.error && result.error.code !== 'CANCELLED' ? result.error : undefined);
  await writeFiles(values.trace, values.csv, trace, result.readings);
  const identity = result.identity;
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          session: rec.id,
          identity: identityJson(identity),
          readings: result.readings.map((r: Reading) => ({
            obis: r.obis,
            address: r.address,
            value: r.value,
            unit: r.unit,
            ...(r.extra ? { extra: r.extra } : {}),
            ...(r.captureTime ? { captureTime: r.captureTime } : {}),
            ...(r.verified === false ? { verified: false } : {}),
          })),
          ...(result.registerErrors?.length
            ? { registerErrors: result.registerErrors.map((e) => ({ address: e.address, obis: e.obis, meterCode: e.meterCode })) }
            : {}),
          warnings: result.warnings,
          errors: errorsJson(errors),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    if (identity)
      io.stdout.write(`Meter: ${identity.raw}  (maker ${identity.manufacturer}, max ${identity.maxBaud} baud${identity.modeE ? ', mode E / DLMS' : ''})\n`);
    const rows = result.readings.map((r) => [r.obis, r.address, r.value, r.unit, obisName(r.obis, 'en') ?? '']);
    const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), 4));
    for (const r of rows) io.stdout.write(`${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]!.padStart(w[2]!)} ${r[3]!.padEnd(w[3]!)}  ${r[4]}\n`);
    for (const e of result.registerErrors ?? []) io.stdout.write(`${e.obis}  ${e.address}  error ${e.meterCode} (the meter's code; no value)\n`);
    const unverified = result.readings.filter((r) => r.verified === false).length;
    io.stdout.write(`${result.readings.length} readings${unverified ? ` (${unverified} unverified)` : ''}\n`);
  }
  if (errors.length) {
    printError(io, errors[0]!);
    return EXIT.failed;
  }
  return EXIT.ok;
}

type ReadValues = ReturnType<typeof parse<Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>>['values'];

function isoOption(v: string | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${name} wants a date (ISO 8601, e.g. 2024-05-01T00:00), got '${v}'\n\n${READ_USAGE}`);
  return d.toISOString();
}

/** `omr read` over DLMS/COSEM: mode E (or direct HDLC / wrapper), association, plans, release. */
/** A new session of the data folder for this read; its id goes to a terminal (and --json). */
function startSession(dataDir: string, target: string, io: CliIo): SessionRecorder {
  const store = new SessionStore(join(dataDir, 'sessions'));
  const rec = new SessionRecorder(store, store.create(`${target} ${new Date().toLocaleString('sv-SE')}`, target));
  if (io.stderr.isTTY) io.stderr.write(`omr: session ${rec.id} (${store.dir})\n`);
  return rec;
}

async function readDlms(
  values: ReadValues,
  o: { target: string; settings: Settings; faults: SimFault[]; password: string | undefined; dataDir: string },
  io: CliIo,
): Promise<number> {
  const str = (k: string) => values[k] as string | undefined;
  const flag = (k: string) => !!values[k];
  const authText = str('auth');
  if (authText !== undefined && !['none', 'lls', 'hls-gmac'].includes(authText))
    throw new UsageError(`--auth wants none, lls or hls-gmac, got '${authText}'\n\n${READ_USAGE}`);
  const keyFile = str('key-file') ?? io.env.OMR_KEY_FILE;
  const auth = (authText ?? (keyFile && str('key-file') !== undefined ? 'hls-gmac' : o.password ? 'lls' : 'none')) as 'none' | 'lls' | 'hls-gmac';
  if (auth === 'lls' && !o.password) throw new UsageError(`--auth lls needs --password (or OMR_PASSWORD)\n\n${READ_USAGE}`);
  if (auth === 'hls-gmac' && !keyFile) throw new UsageError(`--auth hls-gmac needs --key-file (or OMR_KEY_FILE)\n\n${READ_USAGE}`);
  if (flag('wrapper') && !o.target.startsWith('tcp://')) throw new UsageError(`--wrapper is for --tcp\n\n${READ_USAGE}`);
  let keys: DlmsKeys | undefined;
  if (auth === 'hls-gmac') {
    let text: string;
    try {
      text = readFileSync(keyFile!, 'utf8');
    } catch (e) {
      throw new OmrError('INVALID_REQUEST', `key file ${keyFile}: ${(e as Error).message}`);
    }
    keys = parseKeyFile(text);
  }
  const physical = intOption(str('server-physical'), '--server-physical', 0, 16383, READ_USAGE) ?? 17;
  const address: DlmsAddress = {
    clientSap: intOption(str('client-sap'), '--client-sap', 1, 127, READ_USAGE) ?? defaultClientSap(auth),
    serverLogical: intOption(str('server-logical'), '--server-logical', 0, 16383, READ_USAGE) ?? 1,
    ...(physical > 0 ? { serverPhysical: physical } : {}),
    framing: flag('wrapper') ? 'wrapper' : 'hdlc',
  };
  const from = isoOption(str('from'), '--from');
  const to = isoOption(str('to'), '--to');
  const obis = ((values.obis as string[] | undefined) ?? [])
    .flatMap((l) => l.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  const plans: PlanSpec[] = [];
  const range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  if (obis.length) plans.push({ plan: 'billing', obis });
  if (str('profile') !== undefined) plans.push({ plan: 'profile', profileObis: str('profile')!, ...range });
  const logs = ((values['event-log'] as string[] | undefined) ?? [])
    .flatMap((l) => l.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
  for (const l of logs) {
    try {
      parseObis(l);
    } catch {
      throw new UsageError(`--event-log wants an OBIS code (0-0:99.98.0), got '${l}'\n\n${READ_USAGE}`);
    }
  }
  if (flag('events') || logs.length) plans.push({ plan: 'events', ...(logs.length ? { logs } : {}), ...range });
  if (flag('discover')) plans.push({ plan: 'discover' });
  if (!plans.length) plans.push({ plan: 'billing' }, { plan: 'instantaneous' });

  const targets = new Targets({ virtualMeter: { pace: !values['no-pace'], faults: o.faults } });
  const trace: TraceEntry[] = [];
  const progress = io.stderr.isTTY && !values.json;
  const dataDir = o.dataDir;
  let result: DlmsReadResult | undefined;
  const opened = await targets.open(o.target);
  const rec = startSession(dataDir, o.target, io);
  try {
    result = await runDlmsRead(
      {
        link: opened.link,
        settings: o.settings,
        address,
        auth,
        ...(o.password !== undefined && auth === 'lls' ? { password: o.password } : {}),
        ...(keys ? { keys } : {}),
        ...(auth === 'hls-gmac' ? { counters: new InvocationCounterStore(join(dataDir, 'dlms-counters.json')) } : {}),
        ...(auth === 'hls-gmac' && str('counter-obis') !== undefined ? { counterObis: str('counter-obis')! } : {}),
        ...(values.address ? { iecAddress: values.address as string } : {}),
        direct: flag('hdlc-direct') || flag('wrapper'),
        plans,
        ...(io.signal ? { signal: io.signal } : {}),
      },
      {
        onTrace: (e) => (trace.push(e), rec.trace(e)),
        onIdentity: rec.identity,
        onReadings: rec.readings,
        onError: rec.error,
        onProfileStart: rec.profileStart,
        onProfileRows: rec.profileRows,
        onEvents: rec.events,
        ...(progress
          ? {
              onProgress: (p: { label: string; done: number; total?: number }) =>
                io.stderr.write(`\r  ${p.label}${p.total ? ` (${p.done}/${p.total})` : ''}\u001b[K`),
            }
          : {}),
        onWarning: (w) => (rec.warning(w), io.stderr.write(`${progress ? '\n' : ''}omr: warning: ${w}\n`)),
      },
    );
  } catch (e) {
    rec.finish(io.signal?.aborted ? 'cancelled' : 'failed', toErrorInfo(e));
    throw e;
  } finally {
    await opened.close().catch(() => undefined);
    if (progress) io.stderr.write('\n');
  }
  rec.finish(io.signal?.aborted ? 'cancelled' : result.error ? 'failed' : 'done', result.error && result.error.code !== 'CANCELLED' ? result.error : undefined);
  const run = result.run;
  const errors: ErrorInfo[] = [...run.errors, ...(result.error ? [result.error] : [])];
  // Partial: the read went to its end, but some objects asked for were refused, missing or hidden.
  // Hidden objects of a default list that a meter may not have (optional) alone do not make it partial.
  const hidden = run.unread.map((u) => u.obis);
  const notRead = [
    ...run.errors.map((e) => `not read: ${e.detail ?? e.message} (${e.code})`),
    ...(hidden.length ? [`not read, not in this client's object list: ${hidden.join(', ')}`] : []),
  ];
  const status = result.error ? 'failed' : run.errors.length || run.unread.some((u) => !u.optional) ? 'partial' : 'complete';
  await writeFiles(values.trace as string | undefined, values.csv as string | undefined, trace, run.readings);
  const identity = result.identity;
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          session: rec.id,
          identity: identityJson(identity),
          ...(run.identity ? { dlms: run.identity } : {}),
          readings: run.readings.map((r: Reading) => ({
            obis: r.obis,
            value: r.value,
            unit: r.unit,
            ...(r.scaler !== undefined ? { scaler: r.scaler } : {}),
            ...(r.raw !== undefined ? { raw: r.raw } : {}),
            ...(r.captureTime ? { captureTime: r.captureTime } : {}),
          })),
          ...(run.profile
            ? {
                profile: {
                  obis: run.profile.obis,
                  columns: run.profile.columns,
                  rows: run.profile.rows,
                  ...(run.profile.capturePeriodS !== undefined ? { capturePeriodS: run.profile.capturePeriodS } : {}),
                },
              }
            : {}),
          ...(plans.some((p) => p.plan === 'events') ? { events: run.events } : {}),
          status,
          warnings: status === 'partial' ? [...run.warnings, ...notRead] : run.warnings,
          errors: errorsJson(errors),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    if (identity) io.stdout.write(`Meter: ${identity.raw}  (maker ${identity.manufacturer}${result.baudRate ? `, HDLC at ${result.baudRate} baud` : ''})\n`);
    const id = run.identity;
    if (id) {
      const facts = [
        id.logicalDeviceName && `device ${id.logicalDeviceName}`,
        id.serialNumber && `serial ${id.serialNumber}`,
        id.firmware && `firmware ${id.firmware}`,
        id.clock && `clock ${id.clock}${id.driftSeconds !== undefined ? ` (${id.driftSeconds >= 0 ? '+' : ''}${id.driftSeconds} s)` : ''}`,
      ].filter(Boolean);
      if (facts.length) io.stdout.write(`DLMS: ${facts.join(', ')}\n`);
    }
    const rows = run.readings.map((r) => [r.obis, r.value, r.unit, obisName(r.obis, 'en') ?? '']);
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 4));
    for (const r of rows) io.stdout.write(`${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)} ${r[2]!.padEnd(w[2]!)}  ${r[3]}\n`);
    io.stdout.write(`${run.readings.length} readings${status === 'partial' ? ` (partial: ${run.errors.length + hidden.length} not read)` : ''}\n`);
    if (run.profile) {
      const p = run.profile;
      io.stdout.write(
        `Profile ${p.obis}: ${p.rows.length} rows${p.capturePeriodS ? `, every ${p.capturePeriodS} s` : ''}\n  ${p.columns.map((c) => `${c.name ?? c.obis}${c.unit ? ` [${c.unit}]` : ''}`).join(' | ')}\n`,
      );
      for (const row of p.rows) io.stdout.write(`  ${row.join(' | ')}\n`);
    }
    for (const e of run.events) io.stdout.write(`${e.time}  ${e.log}  ${String(e.code).padStart(3)}  ${e.text}\n`);
  }
  if (result.error) {
    printError(io, result.error);
    return EXIT.failed;
  }
  if (status === 'partial') {
    io.stderr.write(`omr: partial read: ${notRead.map((l) => `\n  ${l}`).join('')}\n`);
    const remedy = run.errors[0]?.remedy ?? (hidden.length ? 'Read them with a client that may (the reading client: --password).' : undefined);
    if (remedy) io.stderr.write(`  → ${remedy}\n`);
    return EXIT.partial;
  }
  return EXIT.ok;
}

/** The trace (`--trace`, one JSON entry a line) and the readings CSV (`--csv`, the app's columns, English, comma + dot). */
async function writeFiles(
  tracePath: string | undefined,
  csvPath: string | undefined,
  trace: readonly TraceEntry[],
  readings: readonly Reading[],
): Promise<void> {
  if (tracePath) writeFileSync(tracePath, trace.map((t) => JSON.stringify(t)).join('\n') + (trace.length ? '\n' : ''));
  if (csvPath) await writeCsv(csvPath, { ...readingsTable(readings, 'en'), dialect: resolveDialect('comma-dot', 'en') });
}

function identityJson(identity: MeterIdentity | undefined) {
  return identity
    ? { manufacturer: identity.manufacturer, baudChar: identity.baudChar, ident: identity.ident, modeE: identity.modeE, raw: identity.raw }
    : null;
}

function errorsJson(errors: readonly ErrorInfo[]) {
  return errors.map((e) => ({ code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) }));
}
