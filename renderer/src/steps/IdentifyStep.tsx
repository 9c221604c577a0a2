import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBox } from '../components/ErrorBox';
import { ReadChoice } from '../components/ReadChoice';
import { formatCount, formatDateTime, intlLocale } from '../format';
import { makerName } from '../../../shared/makers';
import { useApp } from '../store';
import { useIdentify } from '../stores/identify';
import { warningText } from '../warnings';
import { NoPort } from '../components/NoPort';

function Mode({ on, label }: { on: boolean; label: string }) {
  const { t } = useTranslation();
  return (
    <li className={on ? 'yes' : 'no'}>
      <span aria-hidden="true">{on ? '✓' : '✗'}</span> {label}
      <span className="sr-only"> : {on ? t('common.yes') : t('common.no')}</span>
    </li>
  );
}

function Drift({ seconds }: { seconds: number }) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const abs = formatCount(Math.abs(seconds), locale, { maximumFractionDigits: 0 });
  const text = Math.abs(seconds) < 1 ? t('identify.driftNone') : seconds > 0 ? t('identify.driftAhead', { s: abs }) : t('identify.driftBehind', { s: abs });
  return <span className={Math.abs(seconds) > 60 ? 'warn' : ''}>{text}</span>;
}

export function IdentifyStep() {
  const { t } = useTranslation();
  const selectedPort = useApp((s) => s.selectedPort);
  const goTo = useApp((s) => s.goTo);
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const { target, result, loading, error, identify } = useIdentify();

  // Ask the meter once per port; "Identify again" asks anew.
  useEffect(() => {
    const s = useIdentify.getState();
    if (selectedPort && (s.target !== selectedPort || (!s.result && !s.loading && !s.error))) void s.identify(selectedPort);
  }, [selectedPort]);

  if (!selectedPort) return <NoPort id="identify" title={t('identify.title')} onChoose={() => goTo('port')} />;
  const shown = target === selectedPort ? result : undefined;
  const id = shown?.identity;
  const maker = id ? makerName(id.manufacturer) : undefined;
  return (
    <section aria-labelledby="identify-title">
      <h2 id="identify-title" tabIndex={-1}>
        {t('identify.title')}
      </h2>
      <p className="intro">{t('identify.intro')}</p>
      <div className="toolbar">
        <button type="button" onClick={() => void identify(selectedPort)} disabled={loading}>
          ↻ {t('identify.again')}
        </button>
        {loading ? (
          <span role="status" aria-live="polite" className="busy" data-testid="identify-busy">
            <span className="spinner" aria-hidden="true" />
            {t('identify.asking')}
          </span>
        ) : null}
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {id ? (
        <div className="card identity" data-testid="identity">
          <dl className="facts">
            <dt>{t('identify.manufacturer')}</dt>
            <dd data-testid="identity-maker">{maker ? `${maker} (${id.manufacturer})` : `${id.manufacturer} — ${t('identify.unknownMaker')}`}</dd>
            <dt>{t('identify.type')}</dt>
            <dd data-testid="identity-type" className="mono">
              {id.ident}
            </dd>
            <dt>{t('identify.line')}</dt>
            <dd className="mono">{id.raw}</dd>
            <dt>{t('identify.maxBaud')}</dt>
            <dd>
              {formatCount(id.maxBaud, locale)} {t('identify.baud')} · {t('identify.mode', { mode: id.modeE ? 'E' : id.mode })}
            </dd>
            {shown.dlms?.logicalDeviceName ? (
              <>
                <dt>{t('identify.ldn')}</dt>
                <dd className="mono">{shown.dlms.logicalDeviceName}</dd>
              </>
            ) : null}
            {shown.dlms?.serialNumber ? (
              <>
                <dt>{t('identify.serial')}</dt>
                <dd className="mono" data-testid="identity-serial">
                  {shown.dlms.serialNumber}
                </dd>
              </>
            ) : null}
            {shown.dlms?.firmware ? (
              <>
                <dt>{t('identify.firmware')}</dt>
                <dd className="mono">{shown.dlms.firmware}</dd>
              </>
            ) : null}
            {shown.dlms?.clock ? (
              <>
                <dt>{t('identify.clock')}</dt>
                <dd data-testid="identity-clock">
                  {formatDateTime(shown.dlms.clock, locale)}
                  {shown.dlms.driftSeconds !== undefined ? (
                    <>
                      {' · '}
                      <Drift seconds={shown.dlms.driftSeconds} />
                    </>
                  ) : null}
                </dd>
              </>
            ) : null}
          </dl>
          <h3>{t('identify.modes')}</h3>
          <ul className="modes">
            <Mode on={shown.modes.readout} label={t('identify.modeReadout')} />
            <Mode on={shown.modes.modeE} label={t('identify.modeE')} />
            <Mode on={shown.modes.reducedReactionTime} label={t('identify.modeFast')} />
          </ul>
          {shown.warnings.length ? (
            <ul className="warnings">
              {shown.warnings.map((w) => (
                <li key={w}>⚠ {warningText(w, lang)}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <ReadChoice modeE={shown?.modes.modeE ?? false} identified={!!shown} loading={loading} />
    </section>
  );
}
