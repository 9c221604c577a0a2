import { useTranslation } from 'react-i18next';
import { DEFAULT_MONITOR_RULES, type MonitorRules } from '../../../shared/monitor';
import { formatCount, formatDateTime, intlLocale } from '../format';
import { useApp } from '../store';
import { DURATIONS, INTERVALS, useMonitor } from '../stores/monitor';
import { useReview } from '../stores/review';
import { ErrorBox } from './ErrorBox';
import { ExportPanel } from './ExportPanel';
import { AnomalyTable, MonitorCharts } from './MonitorParts';

/** The active rules in one line each, with their thresholds. */
function rulesSummary(r: MonitorRules, t: (k: string, o?: Record<string, unknown>) => string): string[] {
  const out: string[] = [];
  if (r.voltage.enabled) out.push(t('monitor.rules.voltage', { nominal: r.voltage.nominalV, pct: r.voltage.tolerancePct }));
  if (r.phaseMissing.enabled) out.push(t('monitor.rules.phaseMissing', { v: r.phaseMissing.belowV }));
  if (r.current.enabled) out.push(t('monitor.rules.current', { a: r.current.maxA }));
  if (r.frequency.enabled) out.push(t('monitor.rules.frequency', { min: r.frequency.minHz, max: r.frequency.maxHz }));
  if (r.powerFactor.enabled) out.push(t('monitor.rules.powerFactor', { min: r.powerFactor.min }));
  if (r.export.enabled && !r.export.expected) out.push(t('monitor.rules.export'));
  if (r.energyBackwards.enabled) out.push(t('monitor.rules.energyBackwards'));
  if (r.clockDrift.enabled) out.push(t('monitor.rules.clockDrift', { s: r.clockDrift.maxS }));
  return out;
}

/** Monitoring: settings, Start / Stop / Read now, live statistics, charts, anomalies, export. */
export function MonitorPanel({ target }: { target: string }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const rules = useApp((s) => s.settings?.monitor ?? DEFAULT_MONITOR_RULES);
  const m = useMonitor();
  const session = useReview((s) => (s.session && s.session.id === m.sessionId ? s.session : undefined));
  const busy = m.status === 'starting' || m.status === 'running' || m.status === 'stopping';
  const st = m.stats;
  const health = st?.health ?? (busy ? 'connecting' : 'stopped');
  const reaction =
    st?.meanReactionMs !== undefined
      ? t('monitor.reactionValue', { mean: formatCount(st.meanReactionMs, locale), worst: formatCount(st.worstReactionMs ?? 0, locale) })
      : '—';

  return (
    <div className="monitor" data-testid="monitor-panel">
      <form
        className="card monitor-form"
        onSubmit={(e) => {
          e.preventDefault();
          void m.start(target);
        }}
      >
        <fieldset disabled={busy} className="toolbar wrap">
          <label>
            {t('monitor.interval')}
            <select value={m.intervalS} onChange={(e) => m.setInterval(Number(e.target.value))} data-testid="monitor-interval">
              {INTERVALS.map((s) => (
                <option key={s} value={s}>
                  {s < 60 ? t('monitor.seconds', { n: s }) : t('monitor.minutes', { n: s / 60 })}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('monitor.duration')}
            <select value={m.durationS} onChange={(e) => m.setDuration(Number(e.target.value))} data-testid="monitor-duration">
              {DURATIONS.map((s) => (
                <option key={s} value={s}>
                  {s === 0 ? t('monitor.untilStopped') : s < 3600 ? t('monitor.minutes', { n: s / 60 }) : t('monitor.hours', { n: s / 3600 })}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('monitor.plan')}
            <select value={m.plan} onChange={(e) => m.setPlan(e.target.value as 'instantaneous' | 'registers')} data-testid="monitor-plan">
              <option value="instantaneous">{t('monitor.plans.instantaneous')}</option>
              <option value="registers">{t('monitor.plans.registers')}</option>
            </select>
          </label>
        </fieldset>
        <details className="rules">
          <summary>{t('monitor.rulesTitle')}</summary>
          <ul>
            {rulesSummary(rules, t).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </details>
        <div className="toolbar">
          <button type="submit" className="primary big" disabled={busy} data-testid="monitor-start">
            ▶ {t('monitor.start')}
          </button>
          <button type="button" className="big" disabled={m.status !== 'running'} onClick={() => void m.readNow()} data-testid="monitor-read-now">
            ↻ {t('monitor.readNow')}
          </button>
          <button type="button" className="big" disabled={m.status !== 'running'} onClick={() => void m.stop()} data-testid="monitor-stop">
            ■ {m.status === 'stopping' ? t('monitor.stopping') : t('monitor.stop')}
          </button>
        </div>
      </form>
      {m.error ? <ErrorBox error={m.error} /> : null}
      {m.status !== 'idle' ? (
        <div className="card monitor-stats" data-testid="monitor-stats" data-health={health}>
          <div className={`health ${health}`} role="status" aria-live="polite" data-testid="monitor-health">
            <span className="dot" aria-hidden="true" /> {t(`monitor.health.${health}`)}
          </div>
          <dl className="facts">
            <dt>{t('monitor.polls')}</dt>
            <dd data-testid="monitor-polls">{formatCount(st?.polls ?? 0, locale)}</dd>
            <dt>{t('monitor.succeeded')}</dt>
            <dd data-testid="monitor-succeeded">{formatCount(st?.succeeded ?? 0, locale)}</dd>
            <dt>{t('monitor.failed')}</dt>
            <dd data-testid="monitor-failed">{formatCount(st?.failed ?? 0, locale)}</dd>
            <dt>{t('monitor.reaction')}</dt>
            <dd>{reaction}</dd>
            <dt>{t('monitor.lastSuccess')}</dt>
            <dd>{st?.lastSuccessAt ? formatDateTime(st.lastSuccessAt, locale) : '—'}</dd>
            <dt>{t('monitor.lastError')}</dt>
            <dd>{st?.lastError ? `${formatDateTime(st.lastErrorAt, locale)} · ${st.lastError.message}` : '—'}</dd>
            <dt>{t('monitor.anomalies')}</dt>
            <dd data-testid="monitor-anomaly-count">{formatCount(st?.anomalies ?? m.anomalies.length, locale)}</dd>
          </dl>
        </div>
      ) : null}
      {m.status !== 'idle' ? <MonitorCharts testId="monitor" /> : null}
      <AnomalyTable anomalies={m.anomalies.slice(-50).reverse()} locale={locale} testId="monitor-anomalies" />
      {m.status === 'ended' && session ? <ExportPanel session={session} /> : null}
    </div>
  );
}
