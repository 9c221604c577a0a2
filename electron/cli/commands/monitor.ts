/**
 * `omr monitor`: unattended monitoring. One line per poll (or one JSON line with --json), each
 * anomaly as it happens, the statistics at the end. Every poll and anomaly is journaled in a
 * session of the data folder as it happens; Ctrl-C stops cleanly and keeps everything recorded.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ErrorInfo } from '../../../shared/errors';
import { MonitorOptionsSchema, MonitorRulesSchema, type MonitorAnomaly, type MonitorPoll, type MonitorStats } from '../../../shared/monitor';
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { resolveDialect, writeCsv } from '../../features/sessions/csv';
import { EventBus } from '../../runtime/events';
import { sessionTable } from '../../features/sessions/export';
import { SessionStore } from '../../features/sessions/journal';
import { MonitorService } from '../../features/monitor/monitor';
import { Operations } from '../../runtime/operations';
import { VIRTUAL_PORT_PATH } from '../../link/open';
import { MemorySettingsStore, SettingsService } from '../../features/settings/settings';
import { Targets } from '../../features/ports/targets';
import { EXIT, parse, printError, UsageError, type CliIo, faultsFrom, targetFrom } from '../options';

export const MONITOR_USAGE = `Usage: omr monitor (--port PATH | --tcp HOST:PORT | --simulator) --interval S [options]

  --port PATH          serial port of the optical head (/dev/ttyUSB0, COM3)
  --tcp HOST:PORT      network optical head or ser2net (raw TCP)
  --simulator          the built-in virtual E450
  --interval S         seconds between polls (0.5 to 3600)
  --duration S         stop by itself after S seconds (default: until Ctrl-C)
  --plan P             instantaneous | registers (default instantaneous)
  --protocol P         readout | dlms (default readout: the IEC 62056-21 data readout)
  --password PW        DLMS reading client (LLS) password (or OMR_PASSWORD)
  --max-baud N         highest baud rate to propose (default ${DEFAULT_SETTINGS.maxBaud})
  --baud-switch-delay MS  pause before changing speed (default ${DEFAULT_SETTINGS.baudSwitchDelayMs})
  --rules JSON         anomaly rules, e.g. '{"current":{"maxA":32},"export":{"expected":true}}'
  --name TEXT          name of the session
  --csv FILE           write the polls to FILE and the anomalies to FILE-anomalies.csv (comma + dot)
  --json               one JSON line per poll and per anomaly, then {"summary": …}
  --fault NAME         simulator only: inject a fault
  --no-pace            simulator only: answer at once instead of at the real line speed

Every poll and anomaly is saved in a session of the data folder (OMR_DATA_DIR, default
~/.optical-meter-reader); Ctrl-C stops cleanly and keeps everything recorded.
`;

function seconds(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name} wants seconds from ${min} to ${max}, got '${v}'\n\n${MONITOR_USAGE}`);
  return n;
}

const SHOW: [keyof NonNullable<MonitorPoll['values']>, string][] = [
  ['U1', 'U1'],
  ['U2', 'U2'],
  ['U3', 'U3'],
  ['I1', 'I1'],
  ['I2', 'I2'],
  ['I3', 'I3'],
  ['P', 'P+'],
  ['Pexp', 'P-'],
  ['F', 'f'],
  ['PF', 'PF'],
  ['Eimp', 'A+'],
  ['Eexp', 'A-'],
  ['drift', 'drift'],
];

export function pollLine(n: number, p: MonitorPoll): string {
  const head = `#${String(n).padStart(4)} ${p.t}`;
  if (!p.ok) return `${head} FAIL ${p.error!.code}: ${p.error!.detail ?? p.error!.message}`;
  const v = p.values ?? {};
  const parts = SHOW.filter(([k]) => v[k] !== undefined).map(([k, label]) => `${label}=${v[k]}`);
  return `${head} ok ${p.reactionMs !== undefined ? `${p.reactionMs} ms` : ''}  ${parts.join(' ')}`;
}

export function anomalyLine(a: MonitorAnomaly): string {
  return `ANOMALY ${a.t} ${a.rule}${a.channel ? ` ${a.channel}` : ''}: ${a.value}${a.unit ? ` ${a.unit}` : ''} ${a.side} ${a.threshold}`;
}

export function summaryText(s: MonitorStats): string {
  const rate = s.polls ? Math.round((100 * s.succeeded) / s.polls) : 0;
  return [
    `Polls: ${s.polls} (${s.succeeded} ok, ${s.failed} failed, ${rate} %), reconnects: ${s.reconnects}, anomalies: ${s.anomalies}`,
    `Reaction: ${s.meanReactionMs !== undefined ? `mean ${s.meanReactionMs} ms, worst ${s.worstReactionMs} ms` : 'none measured'}`,
    `Last success: ${s.lastSuccessAt ?? 'none'}${s.lastError ? `; last error: ${s.lastError.code} at ${s.lastErrorAt}` : ''}`,
  ].join('\n');
}

export async function monitorCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    {
      port: { type: 'string' },
      tcp: { type: 'string' },
      simulator: { type: 'boolean' },
      interval: { type: 'string' },
      duration: { type: 'string' },
      plan: { type: 'string' },
      protocol: { type: 'string' },
      password: { type: 'string' },
      rules: { type: 'string' },
      'max-baud': { type: 'string' },
      'baud-switch-delay': { type: 'string' },
      name: { type: 'string' },
      csv: { type: 'string' },
      json: { type: 'boolean' },
      fault: { type: 'string', multiple: true },
      'no-pace': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    MONITOR_USAGE,
  );
  if (values.help) {
    io.stdout.write(MONITOR_USAGE);
    return EXIT.ok;
  }
  const target = targetFrom(values, MONITOR_USAGE);
  const intervalS = seconds(values.interval, '--interval', 0.5, 3600);
  if (intervalS === undefined) throw new UsageError(`--interval is required\n\n${MONITOR_USAGE}`);
  const durationS = seconds(values.duration, '--duration', 1, 7 * 86400);
  const faults = faultsFrom(values.fault, MONITOR_USAGE);
  if ((faults.length || values['no-pace']) && target !== VIRTUAL_PORT_PATH)
    throw new UsageError(`--fault and --no-pace are for --simulator\n\n${MONITOR_USAGE}`);
  let rules;
  if (values.rules !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(values.rules);
    } catch {
      throw new UsageError(`--rules wants JSON\n\n${MONITOR_USAGE}`);
    }
    const r = MonitorRulesSchema.safeParse(raw);
    if (!r.success) throw new UsageError(`--rules: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n\n${MONITOR_USAGE}`);
    rules = r.data;
  }
  const password = values.password ?? io.env.OMR_PASSWORD;
  const parsed = MonitorOptionsSchema.safeParse({
    target,
    intervalS,
    ...(durationS !== undefined ? { durationS } : {}),
    ...(values.plan !== undefined ? { plan: values.plan } : {}),
    ...(values.protocol !== undefined ? { protocol: values.protocol } : {}),
    ...(password && values.protocol === 'dlms' ? { password } : {}),
    ...(rules ? { rules } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
  });
  if (!parsed.success) throw new UsageError(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n\n${MONITOR_USAGE}`);

  const dataDir = io.env.OMR_DATA_DIR ?? join(homedir(), '.optical-meter-reader');
  const events = new EventBus();
  const lang = () => 'en' as const;
  const whole = (v: string | undefined, name: string, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isInteger(x) || x < min || x > max) throw new UsageError(`${name} wants a whole number from ${min} to ${max}, got '${v}'\n\n${MONITOR_USAGE}`);
    return x;
  };
  const maxBaud = whole(values['max-baud'], '--max-baud', 300, 115200);
  const baudSwitchDelayMs = whole(values['baud-switch-delay'], '--baud-switch-delay', 0, 5000);
  const settings = new SettingsService(
    new MemorySettingsStore({
      ...DEFAULT_SETTINGS,
      ...(maxBaud !== undefined ? { maxBaud } : {}),
      ...(baudSwitchDelayMs !== undefined ? { baudSwitchDelayMs } : {}),
    }),
  );
  const sessions = new SessionStore(join(dataDir, 'sessions'));
  const operations = new Operations(events, lang);
  const targets = new Targets({ virtualMeter: { pace: !values['no-pace'], faults } });
  const monitor = new MonitorService({ targets, settings, events, operations, sessions, lang, minIntervalS: 0.5 });

  const out = (line: string) => io.stdout.write(`${line}\n`);
  let n = 0;
  events.subscribe((channel, payload) => {
    if (channel === 'monitor:update') {
      const p = (payload as { poll?: MonitorPoll }).poll;
      if (!p) return;
      n++;
      out(values.json ? JSON.stringify({ poll: n, ...p }) : pollLine(n, p));
    } else if (channel === 'monitor:anomaly') {
      const a = (payload as { anomaly: MonitorAnomaly }).anomaly;
      out(values.json ? JSON.stringify({ anomaly: a }) : anomalyLine(a));
    }
  });

  const started = await monitor.start(parsed.data);
  if (!values.json)
    io.stderr.write(`omr: monitoring ${target} every ${intervalS} s${durationS ? ` for ${durationS} s` : ''} (session ${started.sessionId}); Ctrl-C stops\n`);
  const onAbort = () => void monitor.stop(started.operationId);
  if (io.signal?.aborted) onAbort();
  else io.signal?.addEventListener('abort', onAbort, { once: true });
  const final = await monitor.ended(started.operationId);
  io.signal?.removeEventListener('abort', onAbort);
  if (!final) throw new Error('the monitor ended without its statistics');
  const session = sessions.load(started.sessionId);

  if (values.csv) {
    const dialect = resolveDialect('comma-dot', 'en');
    for (const [kind, file] of [
      ['polls', values.csv],
      ['anomalies', values.csv.replace(/(\.csv)?$/i, '-anomalies.csv')],
    ] as const) {
      const table = sessionTable(session, kind, 'en');
      await writeCsv(file, { columns: table.columns, rows: table.rows, dialect });
    }
  }
  if (values.json) out(JSON.stringify({ summary: final, sessionId: started.sessionId, anomalies: session.anomalies ?? [] }));
  else out(`\nSession ${started.sessionId}\n${summaryText(final)}`);
  if (!final.succeeded) {
    const err: ErrorInfo | undefined = final.lastError;
    if (err) printError(io, err);
    return EXIT.failed;
  }
  return EXIT.ok;
}
