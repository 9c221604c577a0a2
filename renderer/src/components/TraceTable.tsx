import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import type { TraceEntry } from '../../../shared/types';
import { formatClock, intlLocale } from '../format';
import { useApp } from '../store';

const ARROWS = { tx: '→', rx: '←', info: '·' } as const;

/** The frame trace: time, direction, bytes in hex and what they meant. Secrets arrive as `**`. */
export function TraceTable({ trace }: { trace: TraceEntry[] }) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: trace.length, getScrollElement: () => scroller.current, estimateSize: () => 48, overscan: 8 });
  if (!trace.length) return <p>{t('review.noTrace')}</p>;
  return (
    <div className="vtable trace" role="table" aria-label={t('review.trace')} aria-rowcount={trace.length + 1} data-testid="trace-table">
      <div className="vhead" role="rowgroup">
        <div className="vrow head" role="row" aria-rowindex={1}>
          <span role="columnheader">{t('trace.time')}</span>
          <span role="columnheader">{t('trace.dir')}</span>
          <span role="columnheader">{t('trace.hex')}</span>
          <span role="columnheader">{t('trace.summary')}</span>
        </div>
      </div>
      <div className="vbody" ref={scroller} tabIndex={0} role="rowgroup" aria-label={t('table.scroll')}>
        <div className="vspace" style={{ height: virtual.getTotalSize() }}>
          {virtual.getVirtualItems().map((item) => {
            const e = trace[item.index]!;
            return (
              <div key={item.key} ref={virtual.measureElement} data-index={item.index} className={`vrow auto ${e.dir}`} role="row" aria-rowindex={item.index + 2} style={{ transform: `translateY(${item.start}px)` }}>
                <span role="cell" className="mono">
                  {formatClock(e.t, locale)}
                </span>
                <span role="cell">
                  <span aria-hidden="true">{ARROWS[e.dir]} </span>
                  {t(`trace.${e.dir}`)}
                </span>
                <span role="cell" className="mono hex">
                  {e.hex}
                </span>
                <span role="cell" className="mono">
                  {e.summary}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
