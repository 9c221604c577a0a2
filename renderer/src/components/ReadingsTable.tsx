import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import { obisName } from '../../../shared/obis';
import type { Reading } from '../../../shared/types';
import { displayExact, formatCount, formatDateTime, intlLocale, meterQuantity } from '../format';
import { useApp } from '../store';

const ROW = 36;

/**
 * Every reading of the session. Only the rows in view are in the page (virtual list), so a
 * session of 100,000 readings scrolls as smoothly as one of ten.
 */
export function ReadingsTable({ readings }: { readings: Reading[] }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  const rows = useMemo(() => {
    const named = readings.map((r) => ({ r, name: obisName(r.obis, lang) ?? '' }));
    if (!deferred) return named;
    return named.filter(
      ({ r, name }) =>
        r.obis.toLowerCase().includes(deferred) ||
        r.address.toLowerCase().includes(deferred) ||
        name.toLowerCase().includes(deferred) ||
        r.value.toLowerCase().includes(deferred),
    );
  }, [readings, lang, deferred]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });

  return (
    <div className="table-wrap">
      <div className="toolbar">
        <label className="filter">
          {t('table.filter')}
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('table.filterPlaceholder')} />
        </label>
        <span className="muted" data-testid="readings-shown">
          {t('table.shown', { shown: formatCount(rows.length, locale), total: formatCount(readings.length, locale) })}
        </span>
      </div>
      <div className="vtable readings" role="table" aria-label={t('review.readings')} aria-rowcount={rows.length + 1} data-testid="readings-table">
        <div className="vhead" role="rowgroup">
          <div className="vrow head" role="row" aria-rowindex={1}>
            <span role="columnheader">{t('table.obis')}</span>
            <span role="columnheader">{t('table.name')}</span>
            <span role="columnheader" className="num">
              {t('table.value')}
            </span>
            <span role="columnheader">{t('table.unit')}</span>
            <span role="columnheader">{t('table.time')}</span>
          </div>
        </div>
        <div className="vbody" ref={scroller} tabIndex={0} role="rowgroup" aria-label={t('table.scroll')}>
          <div className="vspace" style={{ height: virtual.getTotalSize() }}>
            {virtual.getVirtualItems().map((item) => {
              const { r, name } = rows[item.index]!;
              // One unit per kind of register, whichever protocol read it; the meter's text beside it.
              const q = meterQuantity(r.value, r.unit, locale);
              return (
                <div
                  key={item.key}
                  className="vrow"
                  role="row"
                  aria-rowindex={item.index + 2}
                  style={{ transform: `translateY(${item.start}px)`, height: ROW }}
                >
                  <span role="cell" className="mono" title={r.address}>
                    {r.obis}
                  </span>
                  <span role="cell" title={name}>
                    {name}
                  </span>
                  <span role="cell" className="num mono" title={q.converted ? q.meter : undefined}>
                    {q.value}
                    {q.converted ? <span className="muted meter-text-inline"> {q.meter}</span> : null}
                    {r.verified === false ? (
                      <span className="badge unverified" title={t('table.unverifiedHelp')} data-testid="unverified">
                        {t('table.unverified')}
                      </span>
                    ) : null}
                    {r.extra?.length ? <span className="muted"> ({r.extra.map((x) => displayExact(x, locale)).join(' · ')})</span> : null}
                  </span>
                  <span role="cell">{q.unit}</span>
                  <span role="cell">{formatDateTime(r.captureTime ?? r.readAt, locale)}</span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
