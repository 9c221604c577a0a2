import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '../../../shared/errors';
import type { ExportResult } from '../../../shared/session';
import { savedKinds, type SavedKind } from '../saved';
import type { SessionSummary } from '../../../shared/types';
import { call, errorOf } from '../api';
import { concreteDialect, formatBytes, formatCount, formatDateTime, intlLocale } from '../format';
import { makerName } from '../../../shared/makers';
import { useApp } from '../store';
import { useReview } from '../stores/review';
import { useSessions } from '../stores/sessions';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

function RenameForm({ s, onDone }: { s: SessionSummary; onDone(): void }) {
  const { t } = useTranslation();
  const rename = useSessions((x) => x.rename);
  const [name, setName] = useState(s.name);
  const [location, setLocation] = useState(s.location ?? '');
  const [note, setNote] = useState(s.note ?? '');
  return (
    <form
      className="rename"
      onSubmit={(e) => {
        e.preventDefault();
        void rename(s.id, { name: name.trim() || s.name, location: location.trim(), note: note.trim() }).then((ok) => ok && onDone());
      }}
      onKeyDown={(e) => {
        // Escape leaves the form, not the whole dialog.
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onDone();
        }
      }}
    >
      <label>
        {t('sessions.name')}
        <input type="text" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} autoFocus />
      </label>
      <label>
        {t('sessions.location')}
        <input type="text" value={location} maxLength={200} onChange={(e) => setLocation(e.target.value)} placeholder={t('sessions.locationPlaceholder')} />
      </label>
      <label>
        {t('sessions.note')}
        <textarea value={note} maxLength={2000} rows={2} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="toolbar">
        <button type="submit" className="primary">
          {t('common.save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function Row({ s }: { s: SessionSummary }) {
  const { t } = useTranslation();
  const lang = useApp((x) => x.lang);
  const locale = intlLocale(lang);
  const dialect = concreteDialect(
    useApp((x) => x.settings?.csvDialect ?? 'auto'),
    lang,
  );
  const goTo = useApp((x) => x.goTo);
  const closeDialog = useApp((x) => x.closeDialog);
  const remove = useSessions((x) => x.remove);
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm'>('view');
  const [exported, setExported] = useState<{ what: SavedKind; result: ExportResult }>();
  const kinds = savedKinds(s);
  const [error, setError] = useState<ErrorInfo>();
  const [busy, setBusy] = useState(false);

  const open = async () => {
    setBusy(true);
    const ok = await useReview.getState().load(s.id);
    setBusy(false);
    if (ok) {
      goTo('review');
      closeDialog();
    } else setError(useReview.getState().error);
  };
  // Every part the session has, each to its own CSV file.
  const exportKind = async (what: SavedKind) => {
    setBusy(true);
    setError(undefined);
    try {
      setExported({ what, result: await call('sessions:export', { id: s.id, what, dialect, lang }) });
    } catch (e) {
      setError(errorOf(e));
    }
    setBusy(false);
  };
  return (
    <li className="session-row" data-testid={`session-${s.id}`}>
      <div className="session-main">
        <div>
          <strong className="session-name">{s.name}</strong>
          {s.location ? <span className="muted"> · {s.location}</span> : null}
          <div className="muted small">
            {formatDateTime(s.createdAt, locale)}
            {s.identity ? ` · ${makerName(s.identity.manufacturer) ?? s.identity.manufacturer} ${s.identity.ident}` : ''} ·{' '}
            {kinds.length
              ? kinds.map(({ kind, count }) => t(`read.saved.${kind}`, { count, n: formatCount(count, locale) })).join(' · ')
              : t('sessions.readingCount', { count: 0, n: formatCount(0, locale) })}{' '}
            · <span className={`state ${s.state}`}>{t(`sessions.states.${s.state}`)}</span>
          </div>
          {s.note ? <div className="note small">{s.note}</div> : null}
        </div>
        {mode === 'view' ? (
          <div className="actions">
            <button type="button" className="primary" onClick={() => void open()} disabled={busy}>
              {t('sessions.reopen')}
            </button>
            <button type="button" onClick={() => setMode('rename')}>
              {t('sessions.rename')}
            </button>
            {kinds.map(({ kind }) => (
              <button key={kind} type="button" onClick={() => void exportKind(kind)} disabled={busy} data-testid={`session-export-${kind}`}>
                ⤓ {t('sessions.exportKind', { what: t(`export.${kind === 'profile' ? 'profile' : kind}`) })}
              </button>
            ))}
            <button type="button" className="danger" onClick={() => setMode('confirm')}>
              {t('sessions.delete')}
            </button>
          </div>
        ) : null}
      </div>
      {mode === 'rename' ? <RenameForm s={s} onDone={() => setMode('view')} /> : null}
      {mode === 'confirm' ? (
        <div className="confirm" role="alertdialog" aria-label={t('sessions.confirmDelete', { name: s.name })}>
          <span>{t('sessions.confirmDelete', { name: s.name })}</span>
          <button type="button" className="danger" onClick={() => void remove(s.id)} autoFocus>
            {t('sessions.confirmYes')}
          </button>
          <button type="button" onClick={() => setMode('view')}>
            {t('sessions.confirmNo')}
          </button>
        </div>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {exported ? (
        <p className="success small" role="status">
          ✓{' '}
          {t('export.done', {
            what: t(`export.${exported.what}`),
            rows: formatCount(exported.result.rows, locale),
            size: formatBytes(exported.result.bytes, locale),
          })}{' '}
          <span className="mono path">{exported.result.path}</span>
          {exported.result.download ? (
            <>
              {' '}
              <a href={exported.result.download} download data-testid="session-download">
                ⤓ {t('export.download')}
              </a>
            </>
          ) : null}
        </p>
      ) : null}
    </li>
  );
}

export function SessionsDialog() {
  const { t } = useTranslation();
  const closeDialog = useApp((s) => s.closeDialog);
  const { list, loading, error, refresh } = useSessions();
  useEffect(() => {
    void useSessions.getState().refresh();
  }, []);
  return (
    <Dialog id="sessions" title={t('sessions.title')} onClose={closeDialog}>
      <div className="toolbar">
        <button type="button" onClick={() => void refresh()} disabled={loading}>
          ⟳ {t('port.refresh')}
        </button>
        {loading ? <span role="status">{t('common.loading')}</span> : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {!loading && !list.length ? <p>{t('sessions.none')}</p> : null}
      <ul className="sessions">
        {list.map((s) => (
          <Row key={s.id} s={s} />
        ))}
      </ul>
    </Dialog>
  );
}
