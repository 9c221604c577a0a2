import { useTranslation } from 'react-i18next';
import type { CsvDialect } from '../../../shared/settings';
import type { SessionData } from '../../../shared/session';
import { concreteDialect, formatBytes, formatCount, intlLocale } from '../format';
import { useApp } from '../store';
import { useReview, type ExportWhat } from '../stores/review';
import { ErrorBox } from './ErrorBox';

export const DIALECTS: readonly CsvDialect[] = ['auto', 'comma-dot', 'semicolon-comma'];

/** CSV export of the session under review: what, in which dialect, and where it went. */
export function ExportPanel({ session }: { session: SessionData }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const settingsDialect = useApp((s) => s.settings?.csvDialect ?? 'auto');
  const { dialect, setDialect, exportCsv, exporting, exported, exportError } = useReview();
  const chosen = dialect ?? settingsDialect;
  const available: Record<ExportWhat, boolean> = {
    readings: session.readings.length > 0,
    profile: !!session.profile,
    events: session.events.length > 0,
    polls: (session.polls?.length ?? 0) > 0,
    anomalies: (session.anomalies?.length ?? 0) > 0,
    pushes: (session.pushes?.length ?? 0) > 0,
  };
  // A monitoring session exports its polls and anomalies; a reading session the rest.
  const kinds: readonly ExportWhat[] = session.pushes ? ['pushes'] : session.polls ? ['polls', 'anomalies'] : ['readings', 'profile', 'events'];
  return (
    <div className="card export" data-testid="export-panel">
      <h3>{t('export.title')}</h3>
      <div className="toolbar wrap">
        <label>
          {t('export.dialect')}
          <select value={chosen} onChange={(e) => setDialect(e.target.value as CsvDialect)} data-testid="export-dialect">
            {DIALECTS.map((d) => (
              <option key={d} value={d}>
                {t(`settings.dialects.${d}`)}
              </option>
            ))}
          </select>
        </label>
        {kinds.map((what) => (
          <button
            key={what}
            type="button"
            className={what === 'readings' || what === 'polls' || what === 'pushes' ? 'primary' : ''}
            disabled={!!exporting || !available[what]}
            onClick={() => void exportCsv(what, concreteDialect(chosen, lang))}
            data-testid={`export-${what}`}
          >
            ⤓ {t(`export.${what}`)}
          </button>
        ))}
        {exporting ? <span role="status">{t('export.busy')}</span> : null}
      </div>
      {exportError ? <ErrorBox error={exportError} /> : null}
      {exported ? (
        <p className="success" role="status" data-testid="export-result">
          ✓{' '}
          {t('export.done', {
            what: t(`export.${exported.what}`),
            rows: formatCount(exported.result.rows, locale),
            size: formatBytes(exported.result.bytes, locale),
          })}
          <br />
          <span className="mono path" data-testid="export-path">
            {exported.result.path}
          </span>
          {exported.result.download ? (
            <>
              {' '}
              <a href={exported.result.download} download data-testid="export-download">
                ⤓ {t('export.download')}
              </a>
            </>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
