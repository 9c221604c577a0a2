/**
 * OBIS display helpers both sides use. The names table is shared/obis-names.ts (one table, English
 * and French); history entries (F ≠ 255) fall back to the F = 255 name.
 */
import { lookupObis } from './obis-names';

export type { ObisName } from './obis-names';

export function obisName(obis: string, lang: 'en' | 'fr'): string | undefined {
  const exact = lookupObis(obis);
  if (exact) return exact[lang];
  return /\*\d+$/.test(obis) ? lookupObis(obis.replace(/\*\d+$/, '*255'))?.[lang] : undefined;
}
