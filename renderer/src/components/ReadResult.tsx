import { useTranslation } from 'react-i18next';
import type { ReadStatus } from '../stores/read';
import { formatCount, intlLocale } from '../format';
import { savedKinds } from '../saved';
import { useApp } from '../store';
import { useReview } from '../stores/review';

/**
 * The end of a read in one line, kind by kind (`✓ Done: 4 readings, 3,082 profile rows saved.`),
 * from the session as journaled; until it is loaded, the readings that came live.
 */
export function ReadResult({
  status,
  sessionId,
  liveReadings,
}: {
  status: Extract<ReadStatus, 'done' | 'cancelled' | 'failed'>;
  sessionId?: string;
  liveReadings: number;
}) {
  const { t } = useTranslation();
  const locale = intlLocale(useApp((s) => s.lang));
  const session = useReview((s) => (s.session && s.session.id === sessionId ? s.session : undefined));
  const kinds = session ? savedKinds(session) : liveReadings ? [{ kind: 'readings' as const, count: liveReadings }] : [];
  const list = kinds.map(({ kind, count }) => t(`read.saved.${kind}`, { count, n: formatCount(count, locale) }));
  const text = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(list);
  const key =
    status === 'done'
      ? list.length
        ? 'read.doneKinds'
        : 'read.doneNothing'
      : status === 'cancelled'
        ? list.length
          ? 'read.cancelledKinds'
          : 'read.cancelledNothing'
        : list.length
          ? 'read.keptKinds'
          : 'read.keptNothing';
  return (
    <span className="read-result" data-testid="read-result" data-kinds={kinds.map((k) => `${k.kind}=${k.count}`).join(' ')}>
      {t(key, { list: text })}
    </span>
  );
}
