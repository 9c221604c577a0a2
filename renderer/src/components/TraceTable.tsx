import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import type { TraceEntry, TraceExplanation } from '../../../shared/types';
import { call } from '../api';
import { formatClock, formatCount, intlLocale } from '../format';
import { useApp } from '../store';
import { traceFrames } from '../trace-frames';
import '../review.css';

const ARROWS = { tx: '→', rx: '←', info: '·' } as const;
/** Frames explained per call, and at most this many calls per trace (the rest show their bytes). */
const BATCH = 200;
const MAX_BATCHES = 25;
const HEX_SHOWN = 96;

/**
 * The frame trace, one row per frame or line (received chunks joined), each decoded layer by
 * layer by the main side's explanation engine with its verdict. Secrets arrive as `**`.
 */
export function TraceTable({ trace }: { trace: TraceEntry[] }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const frames = useMemo(() => traceFrames(trace), [trace]);
  const [explained, setExplained] = useState<(TraceExplanation | undefined)[]>([]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: frames.length, getScrollElement: () => scroller.current, estimateSize: () => 48, overscan: 8 });

  useEffect(() => {
    let gone = false;
    setExplained([]);
    void (async () => {
      const out: (TraceExplanation | undefined)[] = [];
      for (let b = 0; b < MAX_BATCHES && b * BATCH < frames.length && !gone; b++) {
        const slice = frames.slice(b * BATCH, (b + 1) * BATCH);
        // Notes are not bytes to explain.
        const wanted = slice.map((f, k) => ({ f, k })).filter(({ f }) => f.dir !== 'info' && f.hex);
        try {
          const got = await call('trace:explain', { frames: wanted.map(({ f }) => f.hex), lang });
          const part: (TraceExplanation | undefined)[] = slice.map(() => undefined);
          wanted.forEach(({ k }, j) => (part[k] = got[j]));
          out.push(...part);
        } catch {
          return;
        }
        if (!gone) setExplained([...out]);
      }
    })();
    return () => {
      gone = true;
    };
  }, [frames, lang]);

  if (!trace.length) return <p>{t('review.noTrace')}</p>;
  return (
    <div
      className="vtable trace frames"
      role="table"
      aria-label={t('review.trace')}
      aria-rowcount={frames.length + 1}
      data-testid="trace-table"
      data-frames={frames.length}
      data-entries={trace.length}
    >
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
            const f = frames[item.index]!;
            const x = explained[item.index];
            const n = f.hex.length / 2;
            return (
              <div
                key={item.key}
                ref={virtual.measureElement}
                data-index={item.index}
                className={`vrow auto ${f.dir}`}
                role="row"
                aria-rowindex={item.index + 2}
                style={{ transform: `translateY(${item.start}px)` }}
                data-testid="trace-row"
                data-verdict={x ? (x.ok ? 'ok' : 'bad') : ''}
              >
                <span role="cell" className="mono">
                  {formatClock(f.t, locale)}
                </span>
                <span role="cell">
                  <span aria-hidden="true">{ARROWS[f.dir]} </span>
                  {t(`trace.${f.dir}`)}
                </span>
                <span role="cell" className="mono hex" title={f.hex}>
                  {f.hex ? (
                    <>
                      <span className="muted">{t('trace.bytes', { n: formatCount(n, locale) })} </span>
                      {f.hex.length > HEX_SHOWN ? `${f.hex.slice(0, HEX_SHOWN)}…` : f.hex}
                    </>
                  ) : null}
                </span>
                <span role="cell" className="explained">
                  {x ? (
                    <details>
                      <summary>
                        <span className={`verdict ${x.ok ? 'ok' : 'bad'}`}>{x.ok ? '✓' : '✗'}</span> <span className="mono">{x.summary}</span>
                        {x.problem ? <span className="problem"> — {x.problem}</span> : null}
                      </summary>
                      <pre className="explain-text">{x.text}</pre>
                    </details>
                  ) : (
                    <span className="mono">{f.summary}</span>
                  )}
                  {f.incomplete && f.dir === 'rx' ? <span className="muted"> ({t('trace.incomplete')})</span> : null}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
