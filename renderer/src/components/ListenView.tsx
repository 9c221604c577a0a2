import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { LISTEN_LINES, P1_DEMO_PORT, type ListenLine } from '../../../shared/listen';
import { formatCount, intlLocale } from '../format';
import { useApp } from '../store';
import { useListen } from '../stores/listen';
import { useReview } from '../stores/review';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';
import { ExportPanel } from './ExportPanel';
import { FramesTable, ListCard } from './ListenFrames';

const LINES = Object.keys(LISTEN_LINES) as ListenLine[];
/** The customer-port view: what the meter sends by itself, frame by frame, with its verdict. */
export function ListenView() {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const ports = useApp((s) => s.ports);
  const refreshPorts = useApp((s) => s.refreshPorts);
  const s = useListen();
  const review = useReview((x) => x.session);
  const running = s.status === 'starting' || s.status === 'running' || s.status === 'stopping';
  const serial = ports.filter((p) => p.kind !== 'virtual');
  const known = s.target === P1_DEMO_PORT || serial.some((p) => p.path === s.target);
  useEffect(() => {
    if (ports.length === 0) void refreshPorts();
  }, [ports.length, refreshPorts]);

  return (
    <Dialog id="listen" title={t('listen.title')} onClose={() => s.show(false)}>
      <p className="intro">{t('listen.intro')}</p>
      <fieldset disabled={running} className="card">
        <div className="toolbar wrap">
          <label>
            {t('listen.port')}{' '}
            <select value={known ? s.target : ''} onChange={(e) => s.set({ target: e.target.value })} data-testid="listen-port">
              <option value={P1_DEMO_PORT}>{t('listen.demo')}</option>
              {serial.map((p) => (
                <option key={p.path} value={p.path}>
                  {p.path}
                  {p.headName || p.manufacturer ? ` — ${p.headName ?? p.manufacturer}` : ''}
                </option>
              ))}
              <option value="">{t('port.manual')}</option>
            </select>
          </label>
          {!known ? (
            <input
              type="text"
              value={s.target}
              onChange={(e) => s.set({ target: e.target.value })}
              placeholder="/dev/ttyUSB0, COM3, tcp://host:port"
              aria-label={t('listen.port')}
              data-testid="listen-port-text"
            />
          ) : null}
          <label>
            {t('listen.line')}{' '}
            <select value={s.line} onChange={(e) => s.set({ line: e.target.value as ListenLine })} data-testid="listen-line">
              {LINES.map((l) => (
                <option key={l} value={l}>
                  {t(`listen.lines.${l}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <details>
          <summary>{t('listen.keys')}</summary>
          <p className="muted">{t('listen.keysHelp')}</p>
          <div className="toolbar wrap">
            <label>
              {t('listen.encryptionKey')}{' '}
              <input
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={s.encryptionKey}
                maxLength={80}
                onChange={(e) => s.set({ encryptionKey: e.target.value })}
                data-testid="listen-key-enc"
              />
            </label>
            <label>
              {t('listen.authenticationKey')}{' '}
              <input
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={s.authenticationKey}
                maxLength={80}
                onChange={(e) => s.set({ authenticationKey: e.target.value })}
                data-testid="listen-key-auth"
              />
            </label>
            <label>
              <input type="checkbox" checked={s.allowPlain} onChange={(e) => s.set({ allowPlain: e.target.checked })} data-testid="listen-allow-plain" />{' '}
              {t('listen.allowPlain')}
            </label>
          </div>
        </details>
      </fieldset>
      <div className="toolbar">
        {running ? (
          <button type="button" className="primary" onClick={() => void s.stop()} disabled={s.status !== 'running'} data-testid="listen-stop">
            ■ {t('listen.stop')}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void s.start()} disabled={!s.target.trim()} data-testid="listen-start">
            ▶ {t('listen.start')}
          </button>
        )}
        <span role="status" data-testid="listen-status" data-status={s.status}>
          {s.status === 'starting' ? t('listen.starting') : null}
          {s.status === 'running' || s.status === 'stopping'
            ? t('listen.running', { port: s.listening === P1_DEMO_PORT ? t('listen.demo') : s.listening })
            : null}
          {s.status === 'ended' ? t('listen.ended') : null}
        </span>
      </div>
      {s.error ? <ErrorBox error={s.error} /> : null}
      {s.status !== 'idle' ? (
        <p data-testid="listen-counts" data-messages={s.counts.messages} data-good={s.counts.good} data-warnings={s.counts.warnings} data-bad={s.counts.bad}>
          {s.counts.messages === 0 && running
            ? t('listen.waiting')
            : t('listen.counts', {
                messages: formatCount(s.counts.messages, locale),
                good: formatCount(s.counts.good, locale),
                warnings: formatCount(s.counts.warnings, locale),
                bad: formatCount(s.counts.bad, locale),
              })}
          {s.sessionId ? <span className="muted"> · {t('listen.session', { id: s.sessionId })}</span> : null}
        </p>
      ) : null}
      {s.lists.length > 0 ? <h3>{t('listen.lists')}</h3> : null}
      {s.lists.map((l, i) => (
        <ListCard key={l.id} l={l} index={i} locale={locale} />
      ))}
      {(s.status === 'ended' || s.status === 'failed') && review && review.id === s.sessionId ? <ExportPanel session={review} /> : null}
      <FramesTable frames={s.frames} locale={locale} />
      <p className="muted">{t('listen.saved')}</p>
    </Dialog>
  );
}

/** The view when open (the header's "Customer port" button opens it). */
export function ListenSlot() {
  const open = useListen((s) => s.open);
  return open ? <ListenView /> : null;
}

/** The header's entry to the customer-port view. */
export function ListenButton() {
  const { t } = useTranslation();
  const show = useListen((s) => s.show);
  const status = useListen((s) => s.status);
  return (
    <button type="button" className="header-button" onClick={() => show(true)} title={t('listen.openHelp')} data-testid="open-listen" data-status={status}>
      {status === 'running' ? '● ' : ''}
      {t('listen.open')}
    </button>
  );
}
