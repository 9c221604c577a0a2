import { useTranslation } from 'react-i18next';
import type { ListenFrame, ListenValue } from '../../../shared/listen';
import type { SessionData } from '../../../shared/session';
import { obisName } from '../../../shared/obis';
import { displayExact, formatCount, formatDateTime, intlLocale } from '../format';
import { useApp } from '../store';
import type { ListenList } from '../stores/listen';

const BADGE = { good: 'badge head', warning: 'badge unverified', bad: 'badge first' } as const;

export function Verdict({ f }: { f: ListenFrame }) {
  const { t } = useTranslation();
  const v = f.verdict;
  return (
    <div data-testid="listen-verdict" data-status={v.status} data-layer={v.layer}>
      <span className={BADGE[v.status]}>{t(`listen.status.${v.status}`)}</span>
      {v.layer !== 'ok' ? <> {t('listen.layer', { layer: v.layer })}</> : null}
      {v.status !== 'good' ? (
        <>
          <br />
          {v.message}
          {v.detail ? <span className="mono"> ({v.detail})</span> : null}
          {v.remedy ? (
            <>
              <br />→ {v.remedy}
            </>
          ) : null}
        </>
      ) : null}
      {f.uncheckedCount ? (
        <>
          <br />
          <em data-testid="listen-unchecked">{t('listen.unchecked', { count: f.uncheckedCount })}</em>
        </>
      ) : null}
    </div>
  );
}

export function Values({ values, locale }: { values: readonly ListenValue[]; locale: string }) {
  const { t } = useTranslation();
  const lang = useApp((s) => s.lang);
  return (
    <table className="readings" data-testid="listen-values">
      <thead>
        <tr>
          <th>{t('listen.col.obis')}</th>
          <th />
          <th>{t('listen.col.value')}</th>
          <th>{t('listen.col.unit')}</th>
        </tr>
      </thead>
      <tbody>
        {values.map((v) => (
          <tr key={v.obis} data-obis={v.obis}>
            <td className="mono">{v.obis}</td>
            <td>{v.obis.startsWith('#') ? (v.type ?? '') : (obisName(v.obis, lang) ?? '')}</td>
            <td className="mono num">
              {displayExact(v.value, locale)}
              {v.raw !== undefined && v.raw !== v.value ? <span className="muted"> ({v.raw})</span> : null}
            </td>
            <td>{v.unit}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ListCard({ l, index, locale }: { l: ListenList; index: number; locale: string }) {
  const { t } = useTranslation();
  return (
    <section className="card" data-testid={`listen-list-${index}`} data-list-id={l.id} data-heard={l.heard}>
      <h3>
        {l.name}
        {l.operator ? <span className="muted"> · {l.operator}</span> : null} <span className="muted">· {formatCount(l.heard, locale)}</span>
      </h3>
      {l.last.verdict.status === 'bad' ? (
        <p className="notice" role="status" data-testid="listen-list-bad">
          {t('listen.lastBad', { message: l.last.verdict.message })}
        </p>
      ) : null}
      {l.lastGood ? (
        <>
          <p className="muted">
            {formatDateTime(l.lastGood.t, locale)}
            {l.lastGood.meterTime ? ` · ${l.lastGood.meterTime}` : ''}
          </p>
          <Values values={l.lastGood.values} locale={locale} />
        </>
      ) : (
        <p>{t('listen.noValues')}</p>
      )}
    </section>
  );
}

/** Frames heard, newest first, each with its verdict. */
export function FramesTable({ frames, locale }: { frames: readonly ListenFrame[]; locale: string }) {
  const { t } = useTranslation();
  return frames.length > 0 ? (
    <>
      <h3>{t('listen.frames')}</h3>
      <table className="readings" data-testid="listen-frames">
        <thead>
          <tr>
            <th>{t('listen.col.n')}</th>
            <th>{t('listen.col.time')}</th>
            <th>{t('listen.col.kind')}</th>
            <th>{t('listen.col.list')}</th>
            <th>{t('listen.col.verdict')}</th>
          </tr>
        </thead>
        <tbody>
          {frames.map((f) => (
            <tr key={f.n} data-testid="listen-frame" data-n={f.n} data-status={f.verdict.status} data-layer={f.verdict.layer} data-values={f.values.length}>
              <td className="num">{f.n}</td>
              <td>{formatDateTime(f.t, locale)}</td>
              <td>{t(`listen.kind.${f.kind}`)}</td>
              <td>{f.list?.name ?? ''}</td>
              <td>
                <Verdict f={f} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  ) : null;
}

/** The lists of a session's frames, in order of first appearance (as the live view builds them). */
export function listsOf(frames: readonly ListenFrame[]): ListenList[] {
  const lists = new Map<string, ListenList>();
  for (const f of frames) {
    if (!f.list) continue;
    const prev = lists.get(f.list.id);
    lists.set(f.list.id, {
      id: f.list.id,
      name: f.list.name,
      ...(f.list.operator ? { operator: f.list.operator } : {}),
      last: f,
      heard: (prev?.heard ?? 0) + 1,
      ...(f.verdict.status !== 'bad' ? { lastGood: f } : prev?.lastGood ? { lastGood: prev.lastGood } : {}),
    });
  }
  return [...lists.values()];
}

const SESSION_FRAMES_SHOWN = 500;

/** A reopened customer-port session: its lists and every frame heard. */
export function ListenSessionFrames({ session }: { session: SessionData }) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const frames = session.pushes ?? [];
  const good = frames.filter((f) => f.verdict.status === 'good').length;
  const warnings = frames.filter((f) => f.verdict.status === 'warning').length;
  return (
    <div data-testid="listen-session" data-frames={frames.length}>
      <p>
        {t('listen.counts', {
          messages: formatCount(frames.length, locale),
          good: formatCount(good, locale),
          warnings: formatCount(warnings, locale),
          bad: formatCount(frames.length - good - warnings, locale),
        })}
      </p>
      {listsOf(frames).map((l, i) => (
        <ListCard key={l.id} l={l} index={i} locale={locale} />
      ))}
      {/* The newest frames; the CSV export has them all. */}
      <FramesTable frames={frames.slice(-SESSION_FRAMES_SHOWN).reverse()} locale={locale} />
    </div>
  );
}
