import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { obisName } from '../../../shared/obis';
import type { ProfileData } from '../../../shared/session';
import { formatCount, intlLocale } from '../format';
import { useApp } from '../store';

const COLOURS = ['#0b63c5', '#c62828', '#1a7f37', '#b26a00', '#6a1b9a', '#00838f'];
const HEIGHT = 320;

/** The time column of a profile: the first column whose values read as dates. */
function timeColumn(p: ProfileData): number {
  const i = p.columns.findIndex((c, k) => c.obis === '0-0:1.0.0*255' || (p.rows[0] && !Number.isNaN(Date.parse(p.rows[0][k] ?? ''))));
  return i < 0 ? 0 : i;
}

/** Chart data: x in seconds; every other column a series (numbers for drawing only). */
export function profileSeries(p: ProfileData): { x: number; ys: number[]; data: uPlot.AlignedData } {
  const x = timeColumn(p);
  const ys = p.columns.map((_, i) => i).filter((i) => i !== x);
  const rows = p.rows.map((r) => ({ t: Date.parse(r[x] ?? '') / 1000, r })).filter((o) => Number.isFinite(o.t)).sort((a, b) => a.t - b.t);
  const data: uPlot.AlignedData = [
    rows.map((o) => o.t),
    ...ys.map((i) =>
      rows.map((o) => {
        const v = Number(o.r[i]);
        return Number.isFinite(v) ? v : null;
      }),
    ),
  ];
  return { x, ys, data };
}

export function ProfileChart({ profile }: { profile: ProfileData }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const box = useRef<HTMLDivElement>(null);
  const { ys, data } = useMemo(() => profileSeries(profile), [profile]);

  useEffect(() => {
    const el = box.current;
    if (!el || !data[0].length) return;
    const short = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });
    const full = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' });
    const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
    // One scale per unit (kWh and V do not share an axis): the first unit left, the second right.
    const unitOf = (i: number) => profile.columns[i]!.unit || '—';
    const units = [...new Set(ys.map(unitOf))];
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      series: [
        { label: t('profile.time'), value: (_u, v) => (v == null ? '—' : full.format(v * 1000)) },
        ...ys.map((i, k) => {
          const c = profile.columns[i]!;
          return {
            label: `${c.name ?? obisName(c.obis, lang) ?? c.obis}${c.unit ? ` (${c.unit})` : ''}`,
            scale: unitOf(i),
            stroke: COLOURS[k % COLOURS.length]!,
            width: 2,
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : num.format(v)),
          };
        }),
      ],
      axes: [
        { values: (_u, splits) => splits.map((s) => short.format(s * 1000)) },
        ...units.slice(0, 2).map((unit, k) => ({
          scale: unit,
          label: unit,
          side: k === 0 ? 3 : 1,
          ...(k === 1 ? { grid: { show: false } } : {}),
          values: (_u: uPlot, splits: number[]) => splits.map((s) => num.format(s)),
        })),
      ],
    };
    const plot = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [data, ys, profile, locale, lang, t]);

  return (
    <figure className="chart" data-testid="profile-chart">
      <div ref={box} className="chart-box" role="img" aria-label={t('profile.chartLabel', { n: formatCount(profile.rows.length, locale) })} />
      <figcaption>
        {t('profile.caption', { n: formatCount(profile.rows.length, locale), obis: profile.obis })}
        {profile.capturePeriodS ? ` · ${t('profile.period', { min: formatCount(profile.capturePeriodS / 60, locale) })}` : ''}
      </figcaption>
    </figure>
  );
}
