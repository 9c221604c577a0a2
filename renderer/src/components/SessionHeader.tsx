import { useTranslation } from 'react-i18next';
import type { SessionData } from '../../../shared/session';
import { formatCount, formatDateTime, intlLocale } from '../format';
import { makerName } from '../../../shared/makers';
import { useApp } from '../store';
import { warningText } from '../warnings';
import { ErrorBox } from './ErrorBox';

/** Which visit this is: name, place, meter, when, how it ended; its errors and warnings. */
export function SessionHeader({ session }: { session: SessionData }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const id = session.identity;
  return (
    <div className="card session-head" data-testid="session-head">
      <h3>{session.name}</h3>
      <dl className="facts inline">
        {session.location ? (
          <>
            <dt>{t('sessions.location')}</dt>
            <dd>{session.location}</dd>
          </>
        ) : null}
        <dt>{t('sessions.created')}</dt>
        <dd>{formatDateTime(session.createdAt, locale)}</dd>
        {id ? (
          <>
            <dt>{t('sessions.meter')}</dt>
            <dd>
              {makerName(id.manufacturer) ?? id.manufacturer} <span className="mono">{id.ident}</span>
            </dd>
          </>
        ) : null}
        <dt>{t('sessions.state')}</dt>
        <dd className={`state ${session.state}`}>{t(`sessions.states.${session.state}`)}</dd>
        <dt>{t('sessions.readings')}</dt>
        <dd>{formatCount(session.readings.length, locale)}</dd>
      </dl>
      {session.note ? <p className="note">{session.note}</p> : null}
      {session.errors.map((e, i) => (
        <ErrorBox key={i} error={e} />
      ))}
      {session.warnings.length ? (
        <ul className="warnings">
          {session.warnings.map((w, i) => (
            <li key={i}>⚠ {warningText(w, lang)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
