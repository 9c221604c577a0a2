import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Quantity } from '../../../shared/monitor';
import { intlLocale } from '../format';
import { useApp } from '../store';
import { monitorSeries, type MonitorSeries } from '../stores/monitor';

const COLOURS = ['#0b63c5', '#c62828', '#1a7f37'];
const HEIGHT = 200;
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * One quantity group over time (voltages, currents or power per phase), drawn from the shared
 * growing arrays: a new poll calls setData once per animation frame, React does not re-render.
 * Anomalies of these quantities are marked with a red vertical line.
 */
export function MonitorChart({
  title,
  unit,
  quantities,
  labels,
  testId,
  series = monitorSeries,
}: {
  title: string;
  unit: string;
  quantities: readonly Quantity[];
  labels: readonly string[];
  testId: string;
  series?: MonitorSeries;
}) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const box = useRef<HTMLDivElement>(null);
  const fig = useRef<HTMLElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const full = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' });
    const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
    const data = (): uPlot.AlignedData => [series.x, ...quantities.map((q) => series.y[q]!)] as uPlot.AlignedData;
    const marksOf = () => series.marks.filter((m) => quantities.includes(m.quantity));
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      // Gaps (failed polls) stay gaps.
      series: [
        { label: t('monitor.time'), value: (_u, v) => (v == null ? '—' : full.format(v * 1000)) },
        ...quantities.map((_q, k) => ({
          label: labels[k]!,
          stroke: COLOURS[k % COLOURS.length]!,
          width: 1.5,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : `${num.format(v)} ${unit}`),
        })),
      ],
      axes: [
        // Ticks on whole seconds, minutes or hours, far enough apart to read.
        { space: 90, incrs: TIME_STEPS, values: (_u, splits) => splits.map((s) => time.format(s * 1000)) },
        { label: unit, values: (_u, splits) => splits.map((s) => num.format(s)) },
      ],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const { top, height } = u.bbox;
            ctx.save();
            ctx.strokeStyle = '#c62828';
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            for (const m of marksOf()) {
              const x = u.valToPos(m.x, 'x', true);
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x, top + height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(opts, data(), el);
    let frame = 0;
    const update = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        plot.setData(data());
        fig.current?.setAttribute('data-points', String(series.x.length));
        fig.current?.setAttribute('data-marks', String(marksOf().length));
      });
    };
    update();
    const off = series.subscribe(update);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT }));
    ro.observe(el);
    return () => {
      off();
      if (frame) cancelAnimationFrame(frame);
      ro.disconnect();
      plot.destroy();
    };
  }, [quantities, labels, unit, locale, t, series]);

  return (
    <figure className="chart monitor-chart" data-testid={testId} ref={fig} data-points="0" data-marks="0">
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={title} />
    </figure>
  );
}
