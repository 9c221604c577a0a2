import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionData } from '../../../shared/session';
import { displayExact, formatCount, formatDateTime, intlLocale } from '../format';
import { useApp } from '../store';
import { MonitorSeries } from '../stores/monitor';
import { AnomalyTable, MonitorCharts } from './MonitorParts';
import '../review.css';

/** Polls shown in the table (newest first); the charts and the export have them all. */
const POLLS_SHOWN = 200;

/**
 * A monitoring session reopened: the same charts as the live view (drawn from the journaled
 * polls, anomalies marked), its figures, the anomalies and the polls.
 */
export function SessionMonitorView({ session }: { session: SessionData }) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const polls = useMemo(() => session.polls ?? [], [session.polls]);
  const anomalies = useMemo(() => session.anomalies ?? [], [session.anomalies]);
  const series = useMemo(() => {
    const s = new MonitorSeries();
    for (const p of polls) if (p.ok) s.add(p);
    for (const a of anomalies) s.mark(a);
    return s;
  }, [polls, anomalies]);
  const ok = polls.filter((p) => p.ok).length;
  const reactions = polls.map((p) => p.reactionMs).filter((x): x is number => typeof x === 'number');
  const mean = reactions.length ? Math.round(reactions.reduce((a, b) => a + b, 0) / reactions.length) : undefined;
  const quantities = useMemo(() => [...new Set(polls.flatMap((p) => Object.keys(p.values ?? {})))], [polls]);
  return (
    <div className="monitor-review" data-testid="monitor-review">
      <div className="card">
        <dl className="facts">
          <dt>{t('monitor.polls')}</dt>
          <dd data-testid="review-polls">{formatCount(polls.length, locale)}</dd>
          <dt>{t('monitor.succeeded')}</dt>
          <dd>{formatCount(ok, locale)}</dd>
          <dt>{t('monitor.failed')}</dt>
          <dd>{formatCount(polls.length - ok, locale)}</dd>
          <dt>{t('monitor.reaction')}</dt>
          <dd>{mean !== undefined ? `${formatCount(mean, locale)} ms` : '—'}</dd>
          <dt>{t('monitor.anomalies')}</dt>
          <dd data-testid="review-anomaly-count">{formatCount(anomalies.length, locale)}</dd>
          {polls.length ? (
            <>
              <dt>{t('monitor.time')}</dt>
              <dd>
                {formatDateTime(polls[0]!.t, locale)} – {formatDateTime(polls[polls.length - 1]!.t, locale)}
              </dd>
            </>
          ) : null}
        </dl>
      </div>
      <MonitorCharts testId="review" series={series} />
      <AnomalyTable anomalies={anomalies} locale={locale} testId="review-anomalies" />
      <div className="card">
        <h3>{t('review.pollList')}</h3>
        <div className="table-scroll">
          <table className="simple" data-testid="review-poll-table">
            <thead>
              <tr>
                <th scope="col">{t('monitor.time')}</th>
                <th scope="col">{t('review.pollOk')}</th>
                {quantities.map((q) => (
                  <th key={q} scope="col" className="num">
                    {q}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {polls
                .slice(-POLLS_SHOWN)
                .reverse()
                .map((p, i) => (
                  <tr key={`${p.t}-${i}`} data-testid="review-poll">
                    <td>{formatDateTime(p.t, locale)}</td>
                    <td>{p.ok ? '✓' : `✗ ${p.error?.message ?? ''}`}</td>
                    {quantities.map((q) => (
                      <td key={q} className="num mono">
                        {p.values?.[q as keyof NonNullable<typeof p.values>] !== undefined
                          ? displayExact(String(p.values[q as keyof NonNullable<typeof p.values>]), locale)
                          : '—'}
                      </td>
                    ))}
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
