import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Progress } from '../../../shared/types';
import { formatBytes, formatCount, intlLocale } from '../format';
import { RateMeter } from '../progress-rate';
import { useApp } from '../store';

function duration(s: number, locale: string): string {
  const n = (x: number, unit: 'second' | 'minute' | 'hour') =>
    new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 0 }).format(x);
  if (s < 90) return n(Math.max(1, Math.round(s)), 'second');
  if (s < 5400) return n(Math.round(s / 60), 'minute');
  return n(s / 3600, 'hour');
}

/**
 * Determinate when the total is known (or the rows a profile range should hold); otherwise an
 * indeterminate bar. Says what came so far (rows, bytes), the rate and the time left.
 */
export function ProgressBar({ progress }: { progress?: Progress }) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const meter = useMemo(() => new RateMeter(), []);
  const rate = progress ? meter.rate(progress, Date.now()) : {};
  const total = progress?.rowsExpected ?? progress?.total;
  const done = progress?.rows ?? progress?.done ?? 0;
  const known = total !== undefined && total > 0;
  const parts: string[] = [];
  if (progress?.rows !== undefined) parts.push(t('read.rowsReceived', { count: progress.rows, n: formatCount(progress.rows, locale) }));
  else if (progress?.total !== undefined && progress.total > 0)
    parts.push(t('read.progressOf', { done: formatCount(progress.done, locale), total: formatCount(progress.total, locale) }));
  if (progress?.bytes !== undefined && progress.bytes > 0) parts.push(t('read.received', { size: formatBytes(progress.bytes, locale) }));
  if (rate.perSecond !== undefined && progress?.rows !== undefined)
    parts.push(t('read.rowRate', { n: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(rate.perSecond) }));
  else if (rate.bytesPerSecond !== undefined) parts.push(t('read.byteRate', { size: formatBytes(Math.round(rate.bytesPerSecond), locale) }));
  if (rate.secondsLeft !== undefined) parts.push(t('read.timeLeft', { time: duration(rate.secondsLeft, locale) }));
  return (
    <div className="progress" data-testid="read-progress" data-rows={progress?.rows ?? ''} data-bytes={progress?.bytes ?? ''}>
      {known ? <progress max={total} value={Math.min(done, total)} aria-label={t('read.progress')} /> : <progress aria-label={t('read.progress')} />}
      <span className="progress-text" aria-live="polite">
        {progress?.label ? `${progress.label} · ` : ''}
        {parts.length ? parts.join(' · ') : t('read.waiting')}
      </span>
    </div>
  );
}
