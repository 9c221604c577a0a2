/**
 * What the live monitor and a reopened monitoring session show alike: the three charts (voltages,
 * currents, power) and the table of anomalies.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { MonitorAnomaly, Quantity } from '../../../shared/monitor';
import { displayExact, formatDateTime } from '../format';
import type { MonitorSeries } from '../stores/monitor';
import { MonitorChart } from './MonitorChart';

const VOLTS: readonly Quantity[] = ['U1', 'U2', 'U3'];
const AMPS: readonly Quantity[] = ['I1', 'I2', 'I3'];
const POWER: readonly Quantity[] = ['P', 'Pexp'];
const PHASES = ['L1', 'L2', 'L3'] as const;

/**
 * The voltage, current and power charts; `testId` prefixes their test ids (`monitor` →
 * `monitor-chart-voltage`). Without `series` a chart follows the live monitor.
 */
export function MonitorCharts({ testId, series }: { testId: string; series?: MonitorSeries }) {
  const { t } = useTranslation();
  // Stable labels: a chart is built once and then only fed points.
  const volts = useMemo(() => PHASES.map((p) => `${t('monitor.voltage')} ${p}`), [t]);
  const amps = useMemo(() => PHASES.map((p) => `${t('monitor.current')} ${p}`), [t]);
  const power = useMemo(() => [t('monitor.import'), t('monitor.export')], [t]);
  const from = series ? { series } : {};
  return (
    <div className="monitor-charts">
      <MonitorChart title={`${t('monitor.voltages')} (V)`} unit="V" quantities={VOLTS} labels={volts} testId={`${testId}-chart-voltage`} {...from} />
      <MonitorChart title={`${t('monitor.currents')} (A)`} unit="A" quantities={AMPS} labels={amps} testId={`${testId}-chart-current`} {...from} />
      <MonitorChart title={`${t('monitor.power')} (kW)`} unit="kW" quantities={POWER} labels={power} testId={`${testId}-chart-power`} {...from} />
    </div>
  );
}

function AnomalyRow({ a, locale }: { a: MonitorAnomaly; locale: string }) {
  const { t } = useTranslation();
  return (
    <tr>
      <td>{formatDateTime(a.t, locale)}</td>
      <td>
        {t(`monitor.rule.${a.rule}`)}
        {a.channel ? ` ${a.channel}` : ''}
      </td>
      <td className="num">
        {displayExact(a.value, locale)} {a.unit}
      </td>
      <td className="num">
        {t(`monitor.side.${a.side}`)} {displayExact(a.threshold, locale)} {a.unit}
      </td>
    </tr>
  );
}

/** The anomalies in a table, in the order given (nothing when there are none). */
export function AnomalyTable({ anomalies, locale, testId }: { anomalies: readonly MonitorAnomaly[]; locale: string; testId: string }) {
  const { t } = useTranslation();
  if (!anomalies.length) return null;
  return (
    <div className="card">
      <h3>{t('monitor.anomalyList')}</h3>
      <table className="simple" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t('monitor.time')}</th>
            <th scope="col">{t('monitor.ruleCol')}</th>
            <th scope="col" className="num">
              {t('monitor.measured')}
            </th>
            <th scope="col" className="num">
              {t('monitor.threshold')}
            </th>
          </tr>
        </thead>
        <tbody>
          {anomalies.map((a, i) => (
            <AnomalyRow key={`${a.t}-${a.rule}-${a.channel}-${i}`} a={a} locale={locale} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
