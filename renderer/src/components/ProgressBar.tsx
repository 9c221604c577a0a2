import { useTranslation } from 'react-i18next';
import type { Progress } from '../../../shared/types';
import { formatBytes, formatCount, intlLocale } from '../format';
import { useApp } from '../store';

/** Determinate when the total is known; otherwise an indeterminate bar with what came so far. */
export function ProgressBar({ progress }: { progress?: Progress }) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const total = progress?.total;
  const known = total !== undefined && total > 0;
  return (
    <div className="progress" data-testid="read-progress">
      {known ? (
        <progress max={total} value={Math.min(progress!.done, total)} aria-label={t('read.progress')} />
      ) : (
        <progress aria-label={t('read.progress')} />
      )}
      <span className="progress-text" aria-live="polite">
        {progress?.label ? `${progress.label} · ` : ''}
        {known
          ? t('read.progressOf', { done: formatCount(progress!.done, locale), total: formatCount(total, locale) })
          : progress?.bytes !== undefined
            ? t('read.received', { size: formatBytes(progress.bytes, locale) })
            : t('read.waiting')}
      </span>
    </div>
  );
}
