/**
 * OBIS display helpers both sides use: names in English and French for the codes a technician
 * meets, and the parts of a logical name. The table is data; the engine's OBIS module and the
 * renderer read it from here.
 */
export interface ObisName {
  en: string;
  fr: string;
}

/** Normalised `A-B:C.D.E*F` → names. Extended by the engine's table (see obis-table.ts). */
import { OBIS_TABLE } from './obis-table';

const WILDCARD_F = /\*\d+$/;

/** Name of a logical name; history entries (F ≠ 255) fall back to the F = 255 name. */
export function obisName(obis: string, lang: 'en' | 'fr'): string | undefined {
  const exact = OBIS_TABLE[obis];
  if (exact) return exact[lang];
  const base = OBIS_TABLE[obis.replace(WILDCARD_F, '*255')];
  return base?.[lang];
}
