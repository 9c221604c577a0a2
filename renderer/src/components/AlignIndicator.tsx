import { useTranslation } from 'react-i18next';
import type { AlignUpdate } from '../../../shared/session';

type Look = 'pass' | 'fail' | 'idle';

/**
 * The light's look and the hint under it, from the same update, so that they never disagree:
 * a green light (last answer OK) never comes with "answers come and go" unless a recent try
 * really failed, and a red one never with "steady".
 */
export function alignView(update: AlignUpdate | undefined): { look: Look; hint: string } {
  if (!update) return { look: 'idle', hint: 'searching' };
  if (update.state === 'steady') return { look: 'pass', hint: 'steady' };
  if (update.tries === 0) return { look: 'idle', hint: update.state };
  if (update.lastOk) {
    const mixed = update.recent.some((ok) => !ok);
    return { look: 'pass', hint: mixed && update.state === 'unstable' ? 'unstable' : update.running ? 'holding' : update.state };
  }
  return { look: 'fail', hint: update.state };
}

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
