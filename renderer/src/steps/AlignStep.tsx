import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { AlignIndicator, alignView, RecentTries } from '../components/AlignIndicator';
import { ErrorBox } from '../components/ErrorBox';
import { formatCount, formatPercent, intlLocale } from '../format';
import { useApp } from '../store';
import { useAlign } from '../stores/align';
import { NoPort } from '../components/NoPort';

export function AlignStep() {
  const { t } = useTranslation();
  const selectedPort = useApp((s) => s.selectedPort);
  const locale = intlLocale(useApp((s) => s.lang));
  const goTo = useApp((s) => s.goTo);
  const { update, starting, error, start, stop } = useAlign();

  // Diagnostics run while this step is shown: leaving it (Next, Back, a tab, closing the
  // window) stops them and frees the port.
  useEffect(() => {
    if (!selectedPort) return;
    void useAlign.getState().start(selectedPort);
    const onHide = () => useAlign.getState().stop();
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      useAlign.getState().stop();
    };
  }, [selectedPort]);

  if (!selectedPort) return <NoPort id="align" title={t('align.title')} onChoose={() => goTo('port')} />;

  const running = starting || !!update?.running;
  const steady = update?.state === 'steady';
  const windowSize = update?.recent.length ?? 0;
  // The port could not be opened: no answer to wait for, the message below says why.
  const hint = error && !update ? 'failed' : alignView(update).hint;
  return (
    <section aria-labelledby="align-title">
      <h2 id="align-title" tabIndex={-1}>
        {t('align.title')}
      </h2>
      <p className="intro">{t('align.intro')}</p>
      <div className="align-grid">
        <AlignIndicator update={update} starting={starting} />
        <div className="align-facts">
          <p className={`hint state-${hint}`} data-testid="align-hint" data-state={update?.state ?? ''} data-hint={hint}>
            {t(`align.hint.${hint}`)}
          </p>
          <dl className="facts">
            <dt>{t('align.successRate')}</dt>
            <dd data-testid="align-rate">
              {update && windowSize
                ? t('align.rateOf', {
                    ok: formatCount(update.recent.filter(Boolean).length, locale),
                    n: formatCount(windowSize, locale),
                    pct: formatPercent(update.successRate, locale),
                  })
                : '—'}
            </dd>
            <dt>{t('align.tries')}</dt>
            <dd>{formatCount(update?.tries ?? 0, locale)}</dd>
            <dt>{t('align.reaction')}</dt>
            <dd>{update?.lastReactionMs !== undefined ? `${formatCount(update.lastReactionMs, locale)} ms` : '—'}</dd>
            <dt>{t('align.echo')}</dt>
            <dd className={update?.echo ? 'warn' : ''}>{update?.echo ? `⚠ ${t('align.echoYes')}` : t('common.no')}</dd>
            <dt>{t('align.noise')}</dt>
            <dd className={update?.noise || update?.parityErrors ? 'warn' : ''}>
              {update?.noise ? `⚠ ${t('align.noiseYes')}` : t('common.no')} · {t('align.parity', { n: formatCount(update?.parityErrors ?? 0, locale) })}
            </dd>
            {update?.identLine ? (
              <>
                <dt>{t('align.identLine')}</dt>
                <dd className="mono">{update.identLine}</dd>
              </>
            ) : null}
          </dl>
          {update && update.recent.length ? <RecentTries recent={update.recent} /> : null}
        </div>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {!error && update?.lastError && !update.lastOk && !steady ? <ErrorBox error={update.lastError} /> : null}
      <div className="toolbar">
        {running ? (
          <button type="button" onClick={stop}>
            ■ {t('align.stop')}
          </button>
        ) : (
          <button type="button" onClick={() => void start(selectedPort)}>
            ↻ {t('align.restart')}
          </button>
        )}
      </div>
    </section>
  );
}
