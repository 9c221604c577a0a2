/**
 * The connection doctor: walks the chain adapter → permission → conflicts → open → head → meter
 * and stops at the first broken link; every later step is reported as skipped. The system steps
 * come from system.ts; opening the port and talking to the meter are injected (`openPort`,
 * `probe`), so the CLI, the Diagnose panel and the tests each bring their own link and engine.
 */
import { isErrorCode, OmrError, toErrorInfo, type ErrorCode, type Lang } from '../../../shared/errors';
import { both, joinTexts, t } from '../../../shared/i18n';
import type { MeterIdentity } from '../../../shared/types';
import { HostFs } from '../../runtime/hostfs';
import { checkAdapter, checkConflicts, checkPermission, currentUser, targetKind, type DoctorPortInfo, type SystemInput, type UserInfo } from './system';
import { CHECK_ORDER, makeCheck, type Bilingual, type Check, type CheckId, type DoctorReport } from '../../../shared/doctor';

/** What the IEC 62056-21 engine saw when it sent a sign-on request at 300 baud 7E1. */
export interface ProbeResult {
  /** Only our own request came back (the head sees its own light: not on the meter). */
  echoOnly: boolean;
  /** Nothing at all came back, not even the echo. */
  noAnswer: boolean;
  /** Bytes came back that make no identification (noise, wrong parity or baud). */
  garbage: boolean;
  /** Characters received with a parity error. */
  parityErrors: number;
  /** The head's echo was seen and skipped before the meter's answer. */
  echoSeen?: boolean;
  /** The identification line as received (`/LGZ5\2ZMF100AC.d2`). */
  identLine?: string;
  identity?: MeterIdentity;
  /** What the identification offers. */
  modes: { readout: boolean; modeE: boolean; reducedReactionTime: boolean };
  /** Whether a short read got data; undefined when none was tried. */
  shortReadOk?: boolean;
  /** What the short read got (`12 data lines`), for the report. */
  shortReadSummary?: string;
  /**
   * The error the engine reported. Before an identification it is about the head (no answer, echo,
   * garbled); after one it is about the short read.
   */
  error?: { code: ErrorCode | string; detail?: string };
  /** The first bytes received, as hex, when they make no sense (for the report). */
  rxHex?: string;
}

export interface DoctorDeps {
  /** Serial path, `tcp://host:port`, `virtual:e450`, or '' to let the doctor find the adapter. */
  port: string;
  lang?: Lang;
  /** Defaults to process.platform. */
  platform?: NodeJS.Platform | string;
  /** Root of /sys, /proc, /dev, /etc; defaults to the real host. */
  fs?: HostFs;
  /** Defaults to the user running this process. */
  user?: UserInfo;
  /** serialport's list (Windows and macOS adapters). */
  ports?: DoctorPortInfo[];
  /** Absolute path of the shipped udev rule, for the command that installs it. */
  udevRuleSource?: string;
  now?: () => Date;
  /** Open the port at 300 baud 7E1 (or connect the network head). Throws an OmrError. */
  openPort(port: string): Promise<void>;
  /** Send the sign-on request on the opened port and report what came back. */
  probe(): Promise<ProbeResult>;
  /** Close what openPort opened; called once whenever openPort succeeded. */
  closePort?(): Promise<void>;
  /** Each check as soon as it is known (the Diagnose panel fills in as the doctor walks). */
  onCheck?(check: Check): void;
}

function errorTexts(code: ErrorCode, detail?: string): { seen: Bilingual; remedy: Bilingual } {
  const d = detail ? ` (${detail})` : '';
  return { seen: { en: `${t('en', `error.${code}.message`)}${d}`, fr: `${t('fr', `error.${code}.message`)}${d}` }, remedy: both(`error.${code}.remedy`) };
}

function codeOf(e: unknown): { code: ErrorCode; detail?: string } {
  if (e instanceof OmrError) return e.detail === undefined ? { code: e.code } : { code: e.code, detail: e.detail };
  const info = toErrorInfo(e);
  return info.detail === undefined ? { code: info.code } : { code: info.code, detail: info.detail };
}

/** The `open` check for an error thrown by openPort. */
export function openFailure(lang: Lang, platform: string, port: string, e: unknown): Check {
  const { code, detail } = codeOf(e);
  if (code === 'PORT_PERMISSION' && platform === 'win32') {
    // Windows answers "access denied" when another program already has the COM port open.
    return makeCheck(lang, {
      id: 'open',
      status: 'fail',
      code: 'PORT_BUSY',
      seen: both('doctor.open.windowsBusy', { port }),
      remedy: both('doctor.open.windowsBusyRemedy'),
      facts: { detail },
    });
  }
  const texts = errorTexts(code, detail);
  return makeCheck(lang, { id: 'open', status: 'fail', code, seen: texts.seen, remedy: texts.remedy });
}

/** The `head` check when the probe failed before any identification. */
function headFailure(lang: Lang, code: ErrorCode, detail: string | undefined, r?: ProbeResult): Check {
  if (code === 'GARBLED' || code === 'PARITY_ERROR') {
    const n = r?.parityErrors ?? 0;
    const bytes = r?.rxHex ? ` [${r.rxHex}]` : '';
    const d = detail ? ` (${detail})` : '';
    return makeCheck(lang, {
      id: 'head',
      status: 'fail',
      code,
      seen: n > 0 ? both('doctor.head.unreadableParity', { n, detail: d, bytes }) : both('doctor.head.unreadable', { detail: d, bytes }),
      remedy: both('doctor.head.parityOrBaud'),
      facts: { parityErrors: n },
    });
  }
  const texts = errorTexts(code, detail);
  return makeCheck(lang, { id: 'head', status: 'fail', code, seen: texts.seen, remedy: texts.remedy });
}

/** Turn what the probe saw into the `head` and `meter` checks (meter undefined when the head failed). */
export function probeChecks(lang: Lang, r: ProbeResult): { head: Check; meter?: Check } {
  const err =
    r.error && isErrorCode(r.error.code)
      ? { code: r.error.code, detail: r.error.detail }
      : r.error
        ? { code: 'INTERNAL' as const, detail: `${r.error.code}${r.error.detail ? `: ${r.error.detail}` : ''}` }
        : undefined;
  if (!r.identLine) {
    if (err) return { head: headFailure(lang, err.code, err.detail, r) };
    if (r.echoOnly) return { head: headFailure(lang, 'ECHO_ONLY', undefined, r) };
    if (r.noAnswer) return { head: headFailure(lang, 'NO_ECHO_NO_ANSWER', undefined, r) };
    if (r.garbage || r.parityErrors > 0) return { head: headFailure(lang, r.parityErrors > 0 ? 'PARITY_ERROR' : 'GARBLED', undefined, r) };
    return { head: headFailure(lang, 'TIMEOUT_REACTION', 'no identification line', r) };
  }

  const echo = r.echoSeen ? both('doctor.head.echoSkipped') : undefined;
  const head =
    r.parityErrors > 0
      ? makeCheck(lang, {
          id: 'head',
          status: 'warning',
          code: 'PARITY_ERROR',
          seen: joinTexts([both('doctor.head.parityErrors', { n: r.parityErrors }), echo]),
          remedy: both('doctor.head.holdStill'),
          facts: { parityErrors: r.parityErrors, echo: r.echoSeen },
        })
      : makeCheck(lang, { id: 'head', status: 'pass', seen: joinTexts([both('doctor.head.answered'), echo]), facts: { echo: r.echoSeen } });

  const offers: Bilingual[] = [];
  if (r.modes.readout) offers.push(both('doctor.meter.modeReadout'));
  if (r.modes.modeE) offers.push(both('doctor.meter.modeE'));
  if (r.modes.reducedReactionTime) offers.push(both('doctor.meter.reducedReactionTime'));
  const offerText = offers.length > 0 ? both('doctor.meter.offers', { modes: joinTexts(offers, ', ') }) : both('doctor.meter.noMode');
  const ident = joinTexts([both('doctor.meter.identification', { line: r.identLine }), offerText]);
  const facts = {
    identLine: r.identLine,
    readout: r.modes.readout,
    modeE: r.modes.modeE,
    reducedReactionTime: r.modes.reducedReactionTime,
    manufacturer: r.identity?.manufacturer,
    maxBaud: r.identity?.maxBaud,
    shortReadOk: r.shortReadOk,
  };

  if (r.shortReadOk === false) {
    const e = err ?? { code: 'TIMEOUT_INTERCHAR' as const, detail: undefined };
    const texts = errorTexts(e.code, e.detail);
    return {
      head,
      meter: makeCheck(lang, {
        id: 'meter',
        status: 'fail',
        code: e.code,
        seen: joinTexts([ident, both('doctor.meter.shortReadFailed', { error: texts.seen })]),
        remedy: texts.remedy,
        facts,
      }),
    };
  }
  const readText =
    r.shortReadOk === true
      ? both('doctor.meter.shortReadOk', { summary: r.shortReadSummary ? ` (${r.shortReadSummary})` : '' })
      : both('doctor.meter.noShortRead');
  if (offers.length === 0) {
    return {
      head,
      meter: makeCheck(lang, {
        id: 'meter',
        status: 'warning',
        code: 'MODE_NOT_OFFERED',
        seen: joinTexts([ident, readText]),
        remedy: both('error.MODE_NOT_OFFERED.remedy'),
        facts,
      }),
    };
  }
  return { head, meter: makeCheck(lang, { id: 'meter', status: 'pass', seen: joinTexts([ident, readText]), facts }) };
}

const NOT_RUN = both('doctor.notRun');

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const now = deps.now ?? (() => new Date());
  const lang = deps.lang ?? 'en';
  const platform = deps.platform ?? process.platform;
  const fs = deps.fs ?? new HostFs('/');
  const startedAt = now().toISOString();
  const checks: Check[] = [];
  let port = deps.port;
  const add = (c: Check): boolean => {
    checks.push(c);
    deps.onCheck?.(c);
    return c.status !== 'fail';
  };

  /** A check that throws (a bug, an unexpected host) is a failed check, not a crashed doctor. */
  const guarded = (id: CheckId, f: () => Check): Check => {
    try {
      return f();
    } catch (e) {
      const texts = errorTexts('INTERNAL', (e as Error)?.message ?? String(e));
      return makeCheck(lang, { id, status: 'fail', code: 'INTERNAL', seen: texts.seen, remedy: texts.remedy });
    }
  };

  const run = async (): Promise<void> => {
    const input: SystemInput = { fs, user: deps.user ?? currentUser(fs), platform, port: deps.port, lang };
    if (deps.ports) input.ports = deps.ports;
    if (deps.udevRuleSource) input.udevRuleSource = deps.udevRuleSource;

    const adapter = guarded('adapter', () => checkAdapter(input));
    if (!add(adapter)) return;
    // With no port given, the adapter check found one: the rest of the chain is about that port.
    if (input.port === '' && typeof adapter.facts?.path === 'string') input.port = port = adapter.facts.path;
    if (!add(guarded('permission', () => checkPermission(input)))) return;
    if (!add(guarded('conflicts', () => checkConflicts(input)))) return;
    if (input.port === '') {
      add(makeCheck(lang, { id: 'open', status: 'fail', code: 'PORT_NOT_FOUND', seen: both('doctor.open.noPort'), remedy: both('doctor.open.choosePort') }));
      return;
    }

    const kind = targetKind(input.port);
    try {
      await deps.openPort(input.port);
    } catch (e) {
      add(openFailure(lang, platform, input.port, e));
      return;
    }
    try {
      add(
        makeCheck(lang, {
          id: 'open',
          status: 'pass',
          seen:
            kind === 'tcp'
              ? both('doctor.open.tcp', { port: input.port })
              : kind === 'virtual'
                ? both('doctor.open.virtual')
                : both('doctor.open.serial', { port: input.port }),
          facts: { path: input.port },
        }),
      );
      let result: ProbeResult;
      try {
        result = await deps.probe();
      } catch (e) {
        const { code, detail } = codeOf(e);
        add(headFailure(lang, code, detail));
        return;
      }
      const { head, meter } = probeChecks(lang, result);
      if (!add(head) || !meter) return;
      add(meter);
    } finally {
      // The doctor leaves the port as it found it; a failing close is not the technician's problem.
      await deps.closePort?.().catch(() => undefined);
    }
  };

  await run();
  const firstFailure = checks.find((c) => c.status === 'fail')?.id;
  for (const id of CHECK_ORDER) if (!checks.some((c) => c.id === id)) add(makeCheck(lang, { id, status: 'skipped', seen: NOT_RUN }));
  checks.sort((a, b) => CHECK_ORDER.indexOf(a.id) - CHECK_ORDER.indexOf(b.id));

  const report: DoctorReport = { startedAt, finishedAt: now().toISOString(), lang, port, platform, checks };
  if (firstFailure) report.firstFailure = firstFailure;
  return report;
}
