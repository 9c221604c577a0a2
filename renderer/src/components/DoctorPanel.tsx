import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CHECK_ORDER, checkTitle, formatReport, localiseReport, type Check, type CheckId, type CheckStatus } from '../../../shared/doctor';
import { useApp } from '../store';
import { useDoctor } from '../stores/doctor';
import { useReview } from '../stores/review';
import { ErrorBox } from './ErrorBox';

/** Status is never colour alone: an icon and a word go with it. */
const ICONS: Record<CheckStatus | 'pending', string> = { pass: '✓', fail: '✗', warning: '⚠', skipped: '–', pending: '…' };

/**
 * Copy to the clipboard. Where the clipboard API is refused (no permission, no focus), the text
 * is shown selected in a box for Ctrl+C instead.
 */
async function writeClipboard(text: string): Promise<boolean> {
  try {
    if (!navigator.clipboard) return false;
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function ManualCopy({ text, onDone }: { text: string; onDone(): void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, [text]);
  return (
    <div className="manual-copy">
      <label htmlFor="doctor-manual-copy">{t('doctor.copyManual')}</label>
      <textarea id="doctor-manual-copy" ref={ref} readOnly value={text} rows={Math.min(14, text.split('\n').length + 1)} data-testid="doctor-copy-text" />
      <button type="button" onClick={onDone}>
        {t('common.close')}
      </button>
    </div>
  );
}

function CheckItem({ id, check, first, onCopy }: { id: CheckId; check?: Check; first: boolean; onCopy(text: string, what: string): void }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const status = check?.status ?? 'pending';
  const text = check ? check.i18n[lang] : undefined;
  return (
    <li
      className={`doctor-check status-${status}${first ? ' first-failure' : ''}`}
      data-testid={`doctor-check-${id}`}
      data-status={status}
      aria-current={first ? 'step' : undefined}
    >
      <div className="check-head">
        <span className="check-status">
          <span aria-hidden="true" className="check-icon">
            {ICONS[status]}
          </span>{' '}
          <span className="check-word" data-testid={`doctor-status-${id}`}>
            {t(`doctor.status.${status}`)}
          </span>
        </span>
        <strong className="check-title">{checkTitle(id, lang)}</strong>
        {first ? <span className="badge first">{t('doctor.firstBroken')}</span> : null}
      </div>
      {text ? (
        <p className="check-seen" data-testid={`doctor-seen-${id}`}>
          {text.seen}
        </p>
      ) : null}
      {text?.remedy ? (
        <p className="check-remedy" data-testid={`doctor-remedy-${id}`}>
          <span className="remedy-label">{t('doctor.remedy')}</span> {text.remedy}
        </p>
      ) : null}
      {check?.command ? (
        <div className="check-command">
          <span className="help">{t('doctor.command')}</span>
          <div className="command-row">
            <pre className="mono" data-testid={`doctor-command-${id}`}>
              <code>{check.command}</code>
            </pre>
            <button type="button" onClick={() => onCopy(check.command!, id)} aria-label={t('doctor.copyCommandOf', { check: checkTitle(id, lang) })}>
              {t('doctor.copy')}
            </button>
          </div>
        </div>
      ) : null}
    </li>
  );
}

/** The connection doctor on the port step: the chain from the USB adapter to the meter. */
export function DoctorPanel({ target }: { target: string }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const ports = useApp((s) => s.ports);
  const { running, live, report, error, sessionId, target: ran, run, close } = useDoctor();
  const sessionName = useReview((s) => (s.session?.id === sessionId ? s.session?.name : undefined));
  const [copied, setCopied] = useState<string>();
  const [manual, setManual] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  // A confirmation is about one copy: it goes with a new report, another language, or in a while.
  useEffect(() => {
    setCopied(undefined);
    setManual(undefined);
  }, [report, lang]);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(undefined), 6000);
    return () => clearTimeout(timer);
  }, [copied]);
  useEffect(() => {
    heading.current?.scrollIntoView?.({ block: 'nearest' });
    heading.current?.focus();
  }, []);

  const shown = report ? localiseReport(report, lang) : undefined;
  const checks: Partial<Record<CheckId, Check>> = shown ? Object.fromEntries(shown.checks.map((c) => [c.id, c])) : live;
  const firstFailure = shown ? shown.firstFailure : CHECK_ORDER.find((id) => live[id]?.status === 'fail');
  const done = CHECK_ORDER.filter((id) => checks[id]).length;

  const copy = async (text: string, what: string) => {
    setCopied(undefined);
    setManual(undefined);
    if (await writeClipboard(text)) setCopied(what);
    else setManual(text);
  };
  const portName = (p: string | undefined) => (ports.some((x) => x.path === p && x.kind === 'virtual') ? t('port.demoName') : p || t('doctor.anyPort'));

  return (
    <section className="card doctor" aria-labelledby="doctor-title" data-testid="doctor-panel" aria-busy={running}>
      <div className="doctor-head">
        <h3 id="doctor-title" ref={heading} tabIndex={-1}>
          {t('doctor.title')}
        </h3>
        <span className="muted">{t('doctor.target', { port: portName(ran ?? target) })}</span>
      </div>
      <p className="help">{t('doctor.intro')}</p>
      {error ? <ErrorBox error={error} /> : null}
      <ol className="doctor-checks">
        {CHECK_ORDER.map((id) => (
          <CheckItem key={id} id={id} check={checks[id]} first={id === firstFailure} onCopy={(text, what) => void copy(text, what)} />
        ))}
      </ol>
      <p className={`doctor-summary ${firstFailure ? 'bad' : ''}`} role="status" aria-live="polite" data-testid="doctor-summary">
        {running
          ? t('doctor.running', { done, total: CHECK_ORDER.length })
          : shown
            ? firstFailure
              ? t('doctor.brokenAt', { check: checkTitle(firstFailure, lang) })
              : t('doctor.allGood')
            : ''}
      </p>
      {shown && sessionId ? <p className="help">{t('doctor.savedWith', { name: sessionName ?? sessionId })}</p> : null}
      <div className="toolbar wrap">
        <button
          type="button"
          className="primary"
          disabled={!report}
          onClick={() => report && void copy(formatReport(report, lang), 'report')}
          data-testid="doctor-copy-report"
        >
          {t('doctor.copyReport')}
        </button>
        <button type="button" disabled={running} onClick={() => void run(target)} data-testid="doctor-again">
          ↻ {t('doctor.again')}
        </button>
        <button type="button" onClick={close}>
          {t('common.close')}
        </button>
        {copied ? (
          <span className="success-text" role="status" data-testid="doctor-copied">
            ✓ {copied === 'report' ? t('doctor.copiedReport') : t('doctor.copiedCommand')}
          </span>
        ) : null}
      </div>
      {manual ? <ManualCopy text={manual} onDone={() => setManual(undefined)} /> : null}
    </section>
  );
}
