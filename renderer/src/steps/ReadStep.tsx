import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBox } from '../components/ErrorBox';
import { LiveReadings } from '../components/LiveReadings';
import { MonitorPanel } from '../components/MonitorPanel';
import { useMonitor } from '../stores/monitor';
import { ProgressBar } from '../components/ProgressBar';
import { ReadResult } from '../components/ReadResult';
import { ReadOptions } from '../components/ReadChoice';
import { useApp } from '../store';
import { useIdentify } from '../stores/identify';
import { PLANS, rangeProblem, useRead } from '../stores/read';
import { NoPort } from '../components/NoPort';

export function ReadStep() {
  const { t } = useTranslation();
  const selectedPort = useApp((s) => s.selectedPort);
  const goTo = useApp((s) => s.goTo);
  const modeE = useIdentify((s) => (s.target === selectedPort && s.result ? s.result.modes.modeE : undefined));
  const r = useRead();
  const [checked, setChecked] = useState(false);
  const problem = r.plan === 'profile' ? rangeProblem(r.from, r.to) : undefined;
  const busy = r.status === 'starting' || r.status === 'running';
  const mode = useMonitor((s) => s.mode);
  const setMode = useMonitor((s) => s.setMode);
  const monitoring = useMonitor((s) => s.status === 'starting' || s.status === 'running' || s.status === 'stopping');

  if (!selectedPort) return <NoPort id="read" title={t('read.title')} onChoose={() => goTo('port')} />;
  const modes = (
    <div className="mode-switch" role="group" aria-label={t('monitor.modes')}>
      <button
        type="button"
        aria-pressed={mode === 'read'}
        className={mode === 'read' ? 'selected' : ''}
        disabled={monitoring}
        onClick={() => setMode('read')}
        data-testid="mode-read"
      >
        {t('monitor.modeRead')}
      </button>
      <button
        type="button"
        aria-pressed={mode === 'monitor'}
        className={mode === 'monitor' ? 'selected' : ''}
        disabled={busy}
        onClick={() => setMode('monitor')}
        data-testid="mode-monitor"
      >
        {t('monitor.modeMonitor')}
      </button>
    </div>
  );
  if (mode === 'monitor') {
    return (
      <section aria-labelledby="read-title">
        <h2 id="read-title" tabIndex={-1}>
          {t('monitor.title')}
        </h2>
        {modes}
        <p className="intro">{t('monitor.intro')}</p>
        <MonitorPanel target={selectedPort} />
      </section>
    );
  }
  return (
    <section aria-labelledby="read-title">
      <h2 id="read-title" tabIndex={-1}>
        {t('read.title')}
      </h2>
      {modes}
      <p className="intro">{t('read.intro')}</p>
      <form
        className="read-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          // The dates are checked here, in the app's language (not by the browser's bubble).
          setChecked(true);
          if (problem) return;
          void r.start(selectedPort);
        }}
      >
        <fieldset disabled={busy}>
          <legend>{t('read.plan')}</legend>
          <div className="plans">
            {PLANS.map((p) => (
              <label key={p} className={`choice plan ${r.plan === p ? 'selected' : ''}`} data-testid={`plan-${p}`}>
                <input type="radio" name="plan" value={p} checked={r.plan === p} onChange={() => r.setPlan(p)} />
                <span>
                  <strong>{t(`read.plans.${p}.name`)}</strong>
                  <span className="help">{t(`read.plans.${p}.help`)}</span>
                </span>
              </label>
            ))}
          </div>
          {r.plan === 'profile' ? (
            <div className="range">
              <label>
                {t('read.from')}
                <input
                  type="date"
                  value={r.from}
                  required
                  aria-invalid={checked && !!problem}
                  aria-describedby={checked && problem ? 'range-problem' : undefined}
                  onChange={(e) => r.setRange(e.target.value, r.to)}
                  data-testid="range-from"
                />
              </label>
              <label>
                {t('read.to')}
                <input
                  type="date"
                  value={r.to}
                  required
                  aria-invalid={checked && !!problem}
                  aria-describedby={checked && problem ? 'range-problem' : undefined}
                  onChange={(e) => r.setRange(r.from, e.target.value)}
                  data-testid="range-to"
                />
              </label>
              {checked && problem ? (
                <p className="field-error" id="range-problem" role="alert" data-testid="range-problem">
                  {t(problem)}
                </p>
              ) : null}
            </div>
          ) : null}
          <label className="name">
            {t('read.name')}
            <input type="text" value={r.name} maxLength={200} placeholder={t('read.namePlaceholder')} onChange={(e) => r.setName(e.target.value)} />
          </label>
          <ReadOptions modeE={modeE ?? false} identified={modeE !== undefined} />
        </fieldset>
        <div className="toolbar">
          <button type="submit" className="primary big" disabled={busy} data-testid="read-start">
            ▶ {t('read.start')}
          </button>
          {r.status === 'running' ? (
            <button type="button" className="big" onClick={() => void r.cancel()} disabled={r.cancelling} data-testid="read-cancel">
              ■ {r.cancelling ? t('read.cancelling') : t('read.cancel')}
            </button>
          ) : null}
        </div>
      </form>
      {busy ? <ProgressBar progress={r.progress} /> : null}
      {r.status === 'done' ? (
        <div className="success" role="status" data-testid="read-ended" data-state="done">
          ✓ <ReadResult status="done" sessionId={r.sessionId} liveReadings={r.readings.length} />
        </div>
      ) : null}
      {r.status === 'cancelled' ? (
        <div className="notice" role="status" data-testid="read-ended" data-state="cancelled">
          ■ <ReadResult status="cancelled" sessionId={r.sessionId} liveReadings={r.readings.length} />
        </div>
      ) : null}
      {r.status === 'failed' ? (
        <div data-testid="read-ended" data-state="failed">
          {r.error ? <ErrorBox error={r.error} /> : null}
          {r.sessionId ? (
            <p data-testid="read-kept">
              <ReadResult status="failed" sessionId={r.sessionId} liveReadings={r.readings.length} />
            </p>
          ) : null}
        </div>
      ) : null}
      {r.status !== 'idle' && r.status !== 'starting' ? <LiveReadings readings={r.readings} /> : null}
    </section>
  );
}
