import { useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBox } from '../components/ErrorBox';
import { EventList } from '../components/EventList';
import { ExportPanel } from '../components/ExportPanel';
import { ProfileChart } from '../components/ProfileChart';
import { ReadingsTable } from '../components/ReadingsTable';
import { SessionHeader } from '../components/SessionHeader';
import { TraceTable } from '../components/TraceTable';
import { ListenSessionFrames } from '../components/ListenFrames';
import { SessionMonitorView } from '../components/SessionMonitorView';
import { formatCount, intlLocale } from '../format';
import { useApp } from '../store';
import { useReview, type ReviewTab } from '../stores/review';

/** The tabs of a session: a monitoring session shows its polls first, as the live view did. */
function tabsOf(s: { polls?: unknown[]; monitor?: unknown }): readonly ReviewTab[] {
  return s.polls || s.monitor ? ['monitor', 'readings', 'trace'] : ['readings', 'profile', 'events', 'trace'];
}

export function ReviewStep() {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const openDialog = useApp((s) => s.openDialog);
  const { session, loading, error, tab, setTab } = useReview();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  const TABS = session ? tabsOf(session) : [];
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    e.stopPropagation();
    const i = (TABS.indexOf(tab) + delta + TABS.length) % TABS.length;
    setTab(TABS[i]!);
    tabs.current[i]?.focus();
  };

  if (!session) {
    return (
      <section aria-labelledby="review-title">
        <h2 id="review-title">{t('review.title')}</h2>
        <p className="intro">{t('review.intro')}</p>
        {loading ? <p role="status">{t('common.loading')}</p> : <p>{t('review.empty')}</p>}
        {error ? <ErrorBox error={error} /> : null}
        <button type="button" onClick={() => openDialog('sessions')}>
          {t('sessions.open')}
        </button>
      </section>
    );
  }
  const counts: Record<ReviewTab, number> = {
    readings: session.readings.length,
    profile: session.profile?.rows.length ?? 0,
    events: session.events.length,
    trace: session.trace.length,
    monitor: session.polls?.length ?? 0,
  };
  return (
    <section aria-labelledby="review-title">
      <h2 id="review-title">{t('review.title')}</h2>
      {error ? <ErrorBox error={error} /> : null}
      <SessionHeader session={session} />
      {session.pushes ? <ListenSessionFrames session={session} /> : null}
      <div className="subtabs" role="tablist" aria-label={t('review.title')}>
        {TABS.map((k, i) => (
          <button
            key={k}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`rtab-${k}`}
            aria-selected={tab === k}
            aria-controls="review-panel"
            tabIndex={tab === k ? 0 : -1}
            className={`subtab ${tab === k ? 'current' : ''}`}
            onClick={() => setTab(k)}
            onKeyDown={onTabKey}
          >
            {t(`review.${k}`)} <span className="count">{formatCount(counts[k], locale)}</span>
          </button>
        ))}
      </div>
      <div id="review-panel" role="tabpanel" aria-labelledby={`rtab-${tab}`} className="review-panel">
        {tab === 'monitor' ? <SessionMonitorView session={session} /> : null}
        {tab === 'readings' ? session.readings.length ? <ReadingsTable readings={session.readings} /> : <p>{t('review.noReadings')}</p> : null}
        {tab === 'profile' ? session.profile ? <ProfileChart profile={session.profile} /> : <p>{t('review.noProfile')}</p> : null}
        {tab === 'events' ? <EventList events={session.events} /> : null}
        {tab === 'trace' ? <TraceTable trace={session.trace} /> : null}
      </div>
      <ExportPanel session={session} />
    </section>
  );
}
