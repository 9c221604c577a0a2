/** What a session saved, kind by kind (the result line, the sessions list, the review). */
import type { SessionData } from '../../shared/session';
import type { SessionSummary } from '../../shared/types';

export type SavedKind = 'readings' | 'profile' | 'events' | 'polls' | 'anomalies' | 'pushes';

/** Each kind the session holds, with its count; readings first. Kinds with nothing are left out. */
export function savedKinds(s: SessionSummary | SessionData): { kind: SavedKind; count: number }[] {
  const d = s as Partial<SessionData>;
  const counts: [SavedKind, number][] = [
    ['readings', d.readings?.length ?? s.readingCount],
    ['profile', d.profile?.rows.length ?? s.profileRowCount ?? 0],
    ['events', d.events?.length ?? s.eventCount ?? 0],
    ['polls', d.polls?.length ?? s.pollCount ?? 0],
    ['anomalies', d.anomalies?.length ?? s.anomalyCount ?? 0],
    ['pushes', d.pushes?.length ?? s.pushCount ?? 0],
  ];
  return counts.filter(([, n]) => n > 0).map(([kind, count]) => ({ kind, count }));
}
