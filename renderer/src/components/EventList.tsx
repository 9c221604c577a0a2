import { useTranslation } from 'react-i18next';
import type { MeterEvent } from '../../../shared/session';
import { formatDateTime, intlLocale } from '../format';
import { useApp } from '../store';

export function EventList({ events }: { events: MeterEvent[] }) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  if (!events.length) return <p>{t('review.noEvents')}</p>;
  return (
    <div className="scroll-box">
      <table className="simple" data-testid="events-table">
        <thead>
          <tr>
            <th scope="col">{t('events.time')}</th>
            <th scope="col">{t('events.log')}</th>
            <th scope="col" className="num">
              {t('events.code')}
            </th>
            <th scope="col">{t('events.text')}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e, i) => (
            <tr key={i}>
              <td>{formatDateTime(e.time, locale)}</td>
              <td>{e.log}</td>
              <td className="num mono">{e.code}</td>
              <td>{e.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
