/**
 * The connection doctor: walks the chain adapter → permission → conflicts → open → head → meter
 * and stops at the first broken link; every later step is reported as skipped. The system steps
 * come from system.ts; opening the port and talking to the meter are injected (`openPort`,
 * `probe`), so the CLI, the Diagnose panel and the tests each bring their own link and engine.
 */
import { ERROR_TEXT, isErrorCode, OmrError, toErrorInfo, type ErrorCode, type Lang } from '../../../shared/errors';
import type { MeterIdentity } from '../../../shared/types';
import { HostFs } from '../../runtime/hostfs';
import { checkAdapter, checkConflicts, checkPermission, currentUser, targetKind, type DoctorPortInfo, type SystemInput, type UserInfo } from './system';
import { CHECK_ORDER, makeCheck, type Bilingual, type Check, type CheckId, type DoctorReport } from './types';

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

const t = (en: string, fr: string): Bilingual => ({ en, fr });

function errorTexts(code: ErrorCode, detail?: string): { seen: Bilingual; remedy: Bilingual } {
  const e = ERROR_TEXT[code];
  const d = detail ? ` (${detail})` : '';
  return { seen: t(`${e.en.message}${d}`, `${e.fr.message}${d}`), remedy: t(e.en.remedy, e.fr.remedy) };
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
      seen: t(`Windows refused to open ${port} ("access denied"): another program has it open.`, `Windows a refusé d'ouvrir ${port} (« accès refusé ») : un autre programme l'a ouvert.`),
      remedy: t('Close the other program that uses the port (another meter reader, a terminal such as PuTTY, a vendor tool), then try again.', "Fermez l'autre programme qui utilise le port (autre logiciel de relève, terminal comme PuTTY, outil du fabricant), puis réessayez."),
      facts: { detail },
    });
  }
  const texts = errorTexts(code, detail);
  return makeCheck(lang, { id: 'open', status: 'fail', code, seen: texts.seen, remedy: texts.remedy });
}

const PARITY_OR_BAUD = {
  remedy: t(
    'This is a parity or baud problem: the sign-on is at 300 baud 7E1. A network head or ser2net set to 8N1 needs the link in 8N1 mode; otherwise hold the head still, out of direct sunlight.',
    "C'est un problème de parité ou de vitesse : l'ouverture se fait à 300 bauds 7E1. Une tête réseau ou ser2net réglé en 8N1 demande le mode 8N1 du lien ; sinon tenez la tête immobile, à l'abri du soleil.",
  ),
};

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
      seen: n > 0
        ? t(`The answer is unreadable: ${n} characters with a parity error${d}${bytes}.`, `La réponse est illisible : ${n} caractères avec une erreur de parité${d}${bytes}.`)
        : t(`The answer is unreadable${d}${bytes}.`, `La réponse est illisible${d}${bytes}.`),
      remedy: PARITY_OR_BAUD.remedy,
      facts: { parityErrors: n },
    });
  }
  const texts = errorTexts(code, detail);
  return makeCheck(lang, { id: 'head', status: 'fail', code, seen: texts.seen, remedy: texts.remedy });
}

/** Turn what the probe saw into the `head` and `meter` checks (meter undefined when the head failed). */
export function probeChecks(lang: Lang, r: ProbeResult): { head: Check; meter?: Check } {
  const err = r.error && isErrorCode(r.error.code) ? { code: r.error.code, detail: r.error.detail } : r.error ? { code: 'INTERNAL' as const, detail: `${r.error.code}${r.error.detail ? `: ${r.error.detail}` : ''}` } : undefined;
  if (!r.identLine) {
    if (err) return { head: headFailure(lang, err.code, err.detail, r) };
    if (r.echoOnly) return { head: headFailure(lang, 'ECHO_ONLY', undefined, r) };
    if (r.noAnswer) return { head: headFailure(lang, 'NO_ECHO_NO_ANSWER', undefined, r) };
    if (r.garbage || r.parityErrors > 0) return { head: headFailure(lang, r.parityErrors > 0 ? 'PARITY_ERROR' : 'GARBLED', undefined, r) };
    return { head: headFailure(lang, 'TIMEOUT_REACTION', 'no identification line', r) };
  }

  const echo = r.echoSeen ? t(" The head's own echo was seen and skipped.", " L'écho de la tête a été vu et ignoré.") : t('', '');
  const head =
    r.parityErrors > 0
      ? makeCheck(lang, {
          id: 'head',
          status: 'warning',
          code: 'PARITY_ERROR',
          seen: t(`The meter answered, but ${r.parityErrors} characters had a parity error.${echo.en}`, `Le compteur a répondu, mais ${r.parityErrors} caractères avaient une erreur de parité.${echo.fr}`),
          remedy: t('Hold the head still and square on the optical port; shade it from direct light.', 'Tenez la tête immobile et bien en face du port optique ; protégez-la de la lumière directe.'),
          facts: { parityErrors: r.parityErrors, echo: r.echoSeen },
        })
      : makeCheck(lang, { id: 'head', status: 'pass', seen: t(`The meter answered the request.${echo.en}`, `Le compteur a répondu à la demande.${echo.fr}`), facts: { echo: r.echoSeen } });

  const offers: Bilingual[] = [];
  if (r.modes.readout) offers.push(t('data readout (mode C)', 'relevé de données (mode C)'));
  if (r.modes.modeE) offers.push(t('mode E (HDLC / DLMS)', 'mode E (HDLC / DLMS)'));
  if (r.modes.reducedReactionTime) offers.push(t('reduced reaction time (20 ms)', 'temps de réaction réduit (20 ms)'));
  const offerText = offers.length > 0 ? t(` Offers: ${offers.map((o) => o.en).join(', ')}.`, ` Propose : ${offers.map((o) => o.fr).join(', ')}.`) : t(' It announces no mode this app reads.', " Il n'annonce aucun mode que l'application sait lire.");
  const ident = t(`Identification ${r.identLine}.${offerText.en}`, `Identification ${r.identLine}.${offerText.fr}`);
  const facts = { identLine: r.identLine, readout: r.modes.readout, modeE: r.modes.modeE, reducedReactionTime: r.modes.reducedReactionTime, manufacturer: r.identity?.manufacturer, maxBaud: r.identity?.maxBaud, shortReadOk: r.shortReadOk };

  if (r.shortReadOk === false) {
    const e = err ?? { code: 'TIMEOUT_INTERCHAR' as const, detail: undefined };
    const texts = errorTexts(e.code, e.detail);
    return {
      head,
      meter: makeCheck(lang, {
        id: 'meter',
        status: 'fail',
        code: e.code,
        seen: t(`${ident.en} A short read got no data: ${texts.seen.en}`, `${ident.fr} Une lecture courte n'a rien donné : ${texts.seen.fr}`),
        remedy: texts.remedy,
        facts,
      }),
    };
  }
  const readText =
    r.shortReadOk === true
      ? t(` A short read got data${r.shortReadSummary ? ` (${r.shortReadSummary})` : ''}.`, ` Une lecture courte a donné des données${r.shortReadSummary ? ` (${r.shortReadSummary})` : ''}.`)
      : t(' No short read was tried.', " Aucune lecture courte n'a été tentée.");
  if (offers.length === 0) {
    const m = ERROR_TEXT.MODE_NOT_OFFERED;
    return {
      head,
      meter: makeCheck(lang, { id: 'meter', status: 'warning', code: 'MODE_NOT_OFFERED', seen: t(`${ident.en}${readText.en}`, `${ident.fr}${readText.fr}`), remedy: t(m.en.remedy, m.fr.remedy), facts }),
    };
  }
  return { head, meter: makeCheck(lang, { id: 'meter', status: 'pass', seen: t(`${ident.en}${readText.en}`, `${ident.fr}${readText.fr}`), facts }) };
}

const NOT_RUN = t('Not run: an earlier step failed.', "Non effectué : une étape précédente a échoué.");

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
      add(makeCheck(lang, { id: 'open', status: 'fail', code: 'PORT_NOT_FOUND', seen: t('No port to open.', 'Aucun port à ouvrir.'), remedy: t('Choose the port of the optical head.', 'Choisissez le port de la tête optique.') }));
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
              ? t(`Connected to ${input.port}.`, `Connecté à ${input.port}.`)
              : kind === 'virtual'
                ? t('The demo meter link is open.', 'La liaison avec le compteur de démonstration est ouverte.')
                : t(`${input.port} opened at 300 baud 7E1.`, `${input.port} ouvert à 300 bauds 7E1.`),
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
