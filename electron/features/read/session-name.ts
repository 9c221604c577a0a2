/**
 * The title of a session nobody named: what was read and when, in words and in the app's
 * language (`Demo meter (virtual E450) — 3 Dec 2026, 02:18`), not the port string and an ISO-ish stamp.
 */
import { t, type Lang } from '../../../shared/i18n';

export function defaultSessionName(target: string, lang: Lang, at: Date = new Date()): string {
  const meter = target.startsWith('virtual:') ? t(lang, 'ui.port.demoName') : target;
  const date = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return t(lang, 'ui.read.sessionName', { meter, date });
}
