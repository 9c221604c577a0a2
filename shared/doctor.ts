/**
 * The connection doctor's report: plain data (it crosses IPC, is printed by `omr doctor --json`
 * and saved with a session as text). Every text is kept in both languages (`i18n`), and `seen` /
 * `remedy` hold the language the report was made in, so the renderer can switch language without
 * running the checks again (`localiseReport`).
 *
 * The texts are the `doctor.*` keys of the catalogue (shared/i18n).
 */
import type { ErrorCode, Lang } from './errors';
import { t } from './i18n';

export type CheckId = 'adapter' | 'permission' | 'conflicts' | 'open' | 'head' | 'meter';
export type CheckStatus = 'pass' | 'fail' | 'warning' | 'skipped';

/** The order in which the doctor walks the chain, from the USB adapter to the meter. */
export const CHECK_ORDER: readonly CheckId[] = ['adapter', 'permission', 'conflicts', 'open', 'head', 'meter'];

export interface Bilingual {
  en: string;
  fr: string;
}

export interface CheckText {
  seen: string;
  remedy?: string;
}

export interface Check {
  id: CheckId;
  status: CheckStatus;
  /** What was seen, in the report's language. */
  seen: string;
  /** What to do, in the report's language (fail and warning; sometimes a hint on pass). */
  remedy?: string;
  /**
   * The exact command(s) for this system, for the technician to run (one per line, to run in
   * order). The doctor itself never runs them: it never changes the system.
   */
  command?: string;
  /** The same texts in both languages. */
  i18n: Record<Lang, CheckText>;
  /** The error code this outcome corresponds to, when there is one (PORT_BUSY, ECHO_ONLY…). */
  code?: ErrorCode;
  /** Machine-readable facts behind the texts (VID:PID, driver, group, pid…), for --json. */
  facts?: Record<string, string | number | boolean>;
}

export interface DoctorReport {
  /** ISO time the run started. */
  startedAt: string;
  /** ISO time the run ended. */
  finishedAt: string;
  /** The language of `seen` / `remedy`. */
  lang: Lang;
  /** What was diagnosed: a serial port path, `tcp://host:port`, `virtual:e450`, or '' for "find the adapter". */
  port: string;
  /** process.platform of the computer that ran the checks. */
  platform: string;
  /** One check per id, in CHECK_ORDER. */
  checks: Check[];
  /** The first check that failed; everything after it is skipped. */
  firstFailure?: CheckId;
}

/** Build a check: both languages are given, the report language picks `seen` / `remedy`. */
export function makeCheck(
  lang: Lang,
  c: {
    id: CheckId;
    status: CheckStatus;
    seen: Bilingual;
    remedy?: Bilingual | undefined;
    command?: string | undefined;
    code?: ErrorCode | undefined;
    facts?: Record<string, string | number | boolean | undefined> | undefined;
  },
): Check {
  const i18n: Record<Lang, CheckText> = {
    en: c.remedy ? { seen: c.seen.en, remedy: c.remedy.en } : { seen: c.seen.en },
    fr: c.remedy ? { seen: c.seen.fr, remedy: c.remedy.fr } : { seen: c.seen.fr },
  };
  const check: Check = { id: c.id, status: c.status, seen: i18n[lang].seen, i18n };
  if (i18n[lang].remedy !== undefined) check.remedy = i18n[lang].remedy;
  if (c.command) check.command = c.command;
  if (c.code) check.code = c.code;
  if (c.facts) {
    const facts = Object.fromEntries(Object.entries(c.facts).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string | number | boolean>;
    if (Object.keys(facts).length > 0) check.facts = facts;
  }
  return check;
}

/** The same report in another language (the texts were produced in both). */
export function localiseReport(report: DoctorReport, lang: Lang): DoctorReport {
  return {
    ...report,
    lang,
    checks: report.checks.map((c) => {
      const t = c.i18n[lang];
      const out: Check = { ...c, seen: t.seen };
      if (t.remedy !== undefined) out.remedy = t.remedy;
      else delete out.remedy;
      return out;
    }),
  };
}

export function checkTitle(id: CheckId, lang: Lang): string {
  return t(lang, `doctor.check.${id}`);
}

/**
 * The report as plain text, for copy/paste and for saving with a session. Lines of the command are
 * indented so the technician can copy them as they are.
 */
export function formatReport(report: DoctorReport, lang: Lang = report.lang): string {
  const r = lang === report.lang ? report : localiseReport(report, lang);
  const status = (s: CheckStatus) => t(lang, `doctor.status.${s}`);
  const label = (k: 'title' | 'started' | 'platform' | 'port' | 'anyPort' | 'remedy' | 'command' | 'firstFailure' | 'allGood') => t(lang, `doctor.report.${k}`);
  const width = Math.max(...(['pass', 'fail', 'warning', 'skipped'] as const).map((s) => status(s).length));
  // French puts a space before the colon.
  const colon = lang === 'fr' ? ' : ' : ': ';
  const out: string[] = [
    label('title'),
    `${label('started')}${colon}${r.startedAt}`,
    `${label('platform')}${colon}${r.platform}`,
    `${label('port')}${colon}${r.port || label('anyPort')}`,
    '',
  ];
  for (const c of r.checks) {
    out.push(`[${status(c.status).padEnd(width)}] ${checkTitle(c.id, lang)}${colon}${c.seen}`);
    if (c.remedy) out.push(`${' '.repeat(width + 3)}${label('remedy')}${colon}${c.remedy}`);
    if (c.command) {
      out.push(`${' '.repeat(width + 3)}${label('command')}${colon.trimEnd()}`);
      for (const line of c.command.split('\n')) out.push(`${' '.repeat(width + 5)}${line}`);
    }
  }
  out.push('');
  out.push(r.firstFailure ? `${label('firstFailure')}${colon}${checkTitle(r.firstFailure, lang)}` : label('allGood'));
  return `${out.join('\n')}\n`;
}
