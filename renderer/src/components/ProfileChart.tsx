import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { obisName } from '../../../shared/obis';
import type { ProfileData } from '../../../shared/session';
import { displayExact, formatCount, intlLocale } from '../format';
import { profileView, type ProfileFlag } from '../profile-view';
import { useApp } from '../store';

const COLOURS = ['#0b63c5', '#c62828', '#1a7f37', '#b26a00', '#6a1b9a', '#00838f'];
const FLAG_COLOURS: Record<ProfileFlag, string> = {
  powerDown: '#c62828',
  clockAdjusted: '#b26a00',
  dataInvalid: '#6a1b9a',
  clockInvalid: '#b26a00',
  criticalError: '#c62828',
  daylightSaving: '#555',
};
const HEIGHT = 300;
/** Tick steps of the time axis (s): whole quarter hours to weeks. */
const TIME_STEPS = [900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400];

type Mode = 'interval' | 'total';

/**
 * A load profile as a technician reads it: the consumption of each interval (bars), or the
 * register totals; other quantities as measured; status flags (power failure, clock set…) as marks
 * above the plot; and the table of the intervals beside it.
 */
export function ProfileChart({ profile }: { profile: ProfileData }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  const locale = intlLocale(lang);
  const box = useRef<HTMLDivElement>(null);
  const view = useMemo(() => profileView(profile), [profile]);
  const [mode, setMode] = useState<Mode>('interval');
  const energy = view.energyCols.length > 0;
  const flagged = view.intervals.filter((i) => i.flags.length).length;
  const colName = (i: number) => {
    const c = profile.columns[i]!;
    return c.name ?? obisName(c.obis, lang) ?? c.obis;
  };

  useEffect(() => {
    const el = box.current;
    if (!el || !view.intervals.length) return;
    // Meter wall time, drawn as written: formatted in UTC (see profile-view seconds()).
    const day = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', timeZone: 'UTC' });
    const hm = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
    const full = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' });
    const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
    const drawn = energy ? view.energyCols : view.otherCols;
    const perInterval = energy && mode === 'interval';
    const unitOf = (i: number) => profile.columns[i]!.unit || '—';
    const units = [...new Set(drawn.map(unitOf))].slice(0, 2);
    const x = view.intervals.map((iv) => iv.t);
    const ys = drawn.map((col) =>
      view.intervals.map((iv) => (perInterval ? iv.deltas[view.energyCols.indexOf(col)]! : Number.isFinite(Number(iv.row[col])) ? Number(iv.row[col]) : null)),
    );
    const bars = uPlot.paths.bars!({ size: [0.8, 40] });
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      // Room on the right for the second axis' labels; on top for the flag marks.
      padding: [18, units.length > 1 ? 8 : 24, 0, 8],
      series: [
        { label: t('profile.time'), value: (_u, v) => (v == null ? '—' : full.format(v * 1000)) },
        ...drawn.map((col, k) => ({
          label: `${colName(col)}${perInterval ? ` · ${t('profile.perInterval')}` : ''} (${unitOf(col)})`,
          scale: unitOf(col),
          stroke: COLOURS[k % COLOURS.length]!,
          ...(perInterval ? { fill: `${COLOURS[k % COLOURS.length]!}66`, paths: bars } : {}),
          width: perInterval ? 1 : 2,
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : num.format(v)),
        })),
      ],
      axes: [
        {
          space: 100,
          incrs: TIME_STEPS,
          // Two lines: the time, and the date where the day changes (labels never overlap).
          values: (_u, splits) =>
            splits.map((s, k) =>
              k === 0 || day.format(s * 1000) !== day.format(splits[k - 1]! * 1000) ? `${hm.format(s * 1000)}\n${day.format(s * 1000)}` : hm.format(s * 1000),
            ),
          size: 48,
        },
        ...units.map((unit, k) => ({
          scale: unit,
          label: unit,
          side: k === 0 ? 3 : 1,
          size: 64,
          ...(k === 1 ? { grid: { show: false } } : {}),
          values: (_u: uPlot, splits: number[]) => splits.map((s) => num.format(s)),
        })),
      ],
      scales: Object.fromEntries(
        units.map((u) => [u, perInterval ? { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.1 : 1] as uPlot.Range.MinMax } : {}]),
      ),
      hooks: {
        draw: [
          (u) => {
            // Flags as marks in a strip above the plot: one tick per flagged interval.
            const ctx = u.ctx;
            const { top } = u.bbox;
            ctx.save();
            for (const iv of view.intervals) {
              if (!iv.flags.length) continue;
              const px = u.valToPos(iv.t, 'x', true);
              ctx.fillStyle = FLAG_COLOURS[iv.flags[0]!];
              ctx.beginPath();
              const r = 5 * devicePixelRatio;
              ctx.moveTo(px, top - 2 * devicePixelRatio);
              ctx.lineTo(px - r, top - 2 * devicePixelRatio - 2 * r);
              ctx.lineTo(px + r, top - 2 * devicePixelRatio - 2 * r);
              ctx.closePath();
              ctx.fill();
            }
            ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(opts, [x, ...ys] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [view, mode, energy, profile, locale, lang, t]);

  return (
    <div className="profile-view">
      {energy ? (
        <div className="toolbar" role="radiogroup" aria-label={t('profile.show')}>
          {(['interval', 'total'] as const).map((m) => (
            <label key={m} className="radio">
              <input type="radio" name="profile-mode" checked={mode === m} onChange={() => setMode(m)} data-testid={`profile-mode-${m}`} />{' '}
              {t(`profile.mode.${m}`)}
            </label>
          ))}
        </div>
      ) : null}
      <figure className="chart" data-testid="profile-chart" data-mode={energy ? mode : 'measured'} data-flags={flagged}>
        <div ref={box} className="chart-box" role="img" aria-label={t('profile.chartLabel', { n: formatCount(profile.rows.length, locale) })} />
        <figcaption>
          {t('profile.caption', { n: formatCount(profile.rows.length, locale), obis: profile.obis })}
          {profile.capturePeriodS ? ` · ${t('profile.period', { min: formatCount(profile.capturePeriodS / 60, locale) })}` : ''}
          {flagged ? ` · ${t('profile.flagged', { n: formatCount(flagged, locale) })}` : ''}
          {profile.continued ? ` · ${t('profile.continued', { n: formatCount(profile.continued.rows, locale) })}` : ''}
        </figcaption>
      </figure>
      <IntervalTable profile={profile} view={view} colName={colName} />
    </div>
  );
}

function IntervalTable({ profile, view, colName }: { profile: ProfileData; view: ReturnType<typeof profileView>; colName: (i: number) => string }) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const scroller = useRef<HTMLDivElement>(null);
  const rows = view.intervals;
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 30, overscan: 10 });
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' });
  const headers = [
    t('profile.time'),
    ...view.energyCols.map((i) => `${colName(i)} · ${t('profile.perInterval')} (${profile.columns[i]!.unit})`),
    ...view.energyCols.map((i) => `${colName(i)} · ${t('profile.total')} (${profile.columns[i]!.unit})`),
    ...view.otherCols.map((i) => `${colName(i)}${profile.columns[i]!.unit ? ` (${profile.columns[i]!.unit})` : ''}`),
    t('profile.flags'),
  ];
  const template = `minmax(9rem, 1.2fr) repeat(${headers.length - 2}, minmax(7rem, 1fr)) minmax(8rem, 1.2fr)`;
  return (
    <div
      className="vtable intervals"
      role="table"
      aria-label={t('profile.table')}
      aria-rowcount={rows.length + 1}
      data-testid="profile-table"
      style={{ ['--cols' as string]: template }}
    >
      <div className="vhead" role="rowgroup">
        <div className="vrow head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          {headers.map((h, k) => (
            <span key={k} role="columnheader" className={k > 0 && k < headers.length - 1 ? 'num' : ''}>
              {h}
            </span>
          ))}
        </div>
      </div>
      <div className="vbody" ref={scroller} tabIndex={0} role="rowgroup" aria-label={t('table.scroll')} style={{ maxHeight: 260 }}>
        <div className="vspace" style={{ height: virtual.getTotalSize() }}>
          {virtual.getVirtualItems().map((item) => {
            const iv = rows[item.index]!;
            return (
              <div
                key={item.key}
                className={`vrow ${iv.flags.length ? 'flagged' : ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                data-testid="profile-row"
                style={{ transform: `translateY(${item.start}px)`, height: item.size, gridTemplateColumns: template }}
              >
                <span role="cell" className="mono">
                  {when.format(iv.t * 1000)}
                </span>
                {iv.deltas.map((d, k) => (
                  <span key={`d${k}`} role="cell" className="num mono">
                    {d === null ? '—' : displayExact(String(d), locale)}
                  </span>
                ))}
                {view.energyCols.map((i) => (
                  <span key={`t${i}`} role="cell" className="num mono muted">
                    {displayExact(iv.row[i] ?? '', locale)}
                  </span>
                ))}
                {view.otherCols.map((i) => (
                  <span key={`o${i}`} role="cell" className="num mono">
                    {displayExact(iv.row[i] ?? '', locale)}
                  </span>
                ))}
                <span role="cell" data-testid="profile-flags">
                  {iv.flags.map((f) => t(`profile.flag.${f}`)).join(', ')}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
