import { useTranslation } from 'react-i18next';
import { obisName } from '../../../shared/obis';
import type { Reading } from '../../../shared/types';
import { formatCount, intlLocale, meterQuantity } from '../format';
import { useApp } from '../store';

/** The last few readings as they come, and how many so far. */
export function LiveReadings({ readings, last = 6 }: { readings: Reading[]; last?: number }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const shown = readings.slice(-last);
  return (
    <div className="live" data-testid="live-readings">
      <p className="count" aria-live="polite" data-testid="read-count">
        {t('read.count', { count: readings.length, n: formatCount(readings.length, locale) })}
      </p>
      {shown.length ? (
        <table className="simple">
          <thead>
            <tr>
              <th scope="col">{t('table.obis')}</th>
              <th scope="col">{t('table.name')}</th>
              <th scope="col" className="num">
                {t('table.value')}
              </th>
              <th scope="col">{t('table.unit')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r, i) => {
              // One unit per kind of register; the meter's own text beside it when it differs.
              const q = meterQuantity(r.value, r.unit, locale);
              return (
                <tr key={readings.length - shown.length + i} data-obis={r.obis}>
                  <td className="mono">{r.obis}</td>
                  <td>{obisName(r.obis, lang) ?? ''}</td>
                  <td className="num mono" title={q.converted ? t('read.meterText', { text: q.meter }) : undefined}>
                    <span data-testid="live-value">{q.value}</span>
                    {q.converted ? (
                      <span className="meter-text" data-testid="live-meter-text">
                        {t('read.meterText', { text: q.meter })}
                      </span>
                    ) : null}
                  </td>
                  <td data-testid="live-unit">{q.unit}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
