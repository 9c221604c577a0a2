import { useTranslation } from 'react-i18next';
import type { AlignUpdate } from '../../../shared/session';

type Look = 'pass' | 'fail' | 'idle';

/** The big pass/fail light, with a symbol and words so that it never relies on colour alone. */
export function AlignIndicator({ update, starting }: { update?: AlignUpdate; starting: boolean }) {
  const { t } = useTranslation();
  let look: Look = 'idle';
  let symbol = '…';
  let text = starting ? t('align.opening') : t('align.waiting');
  if (update && update.state === 'steady') {
    look = 'pass';
    symbol = '✓';
    text = t('align.steadyBig');
  } else if (update && update.tries > 0) {
    look = update.lastOk ? 'pass' : 'fail';
    symbol = update.lastOk ? '✓' : '✗';
    text = update.lastOk ? t('align.pass') : t('align.fail');
  } else if (update && !update.running) {
    text = t(`align.state.${update.state}`);
  }
  return (
    <div className={`align-light ${look}`} data-testid="align-light" data-look={look} role="status" aria-live="polite">
      <span className="symbol" aria-hidden="true">
        {symbol}
      </span>
      <span className="text">{text}</span>
    </div>
  );
}

/** The last tries as a row of marks, newest last. */
export function RecentTries({ recent }: { recent: boolean[] }) {
  const { t } = useTranslation();
  return (
    <ol className="recent" aria-label={t('align.recent')}>
      {recent.map((ok, i) => (
        <li key={i} className={ok ? 'ok' : 'bad'} title={ok ? t('align.pass') : t('align.fail')}>
          <span aria-hidden="true">{ok ? '✓' : '✗'}</span>
          <span className="sr-only">{ok ? t('align.pass') : t('align.fail')}</span>
        </li>
      ))}
    </ol>
  );
}
