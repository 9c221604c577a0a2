/**
 * Event logs: profile generics whose columns are the clock and an event code (Data object
 * 0-0:96.11.x). The code numbers are the IDIS / DSMR standard, fraud and disconnector event codes,
 * as published e.g. in the EnergyICT (Connexo) AS220 protocol's EventNumber table
 * (https://github.com/chandangeek/Connexo_Code, package com.energyict.protocolimpl.dlms.as220)
 * and used by IDIS meters such as the Landis+Gyr E450. Meter-specific codes that are not in this
 * table show as "event N": check them against the meter's own manual.
 */
import { integerText } from '../dlms/axdr';
import { formatDateTime, toIsoOffset } from '../dlms/datetime';
import { asDateTime, type Profile } from './classes';

export const EVENT_CODES: Readonly<Record<number, { en: string; fr: string }>> = {
  1: { en: 'Power down', fr: 'Coupure d’alimentation' },
  2: { en: 'Power up', fr: 'Retour d’alimentation' },
  3: { en: 'Daylight saving time enabled or disabled', fr: 'Heure d’été activée ou désactivée' },
  4: { en: 'Clock adjusted (old date/time)', fr: 'Horloge réglée (ancienne date/heure)' },
  5: { en: 'Clock adjusted (new date/time)', fr: 'Horloge réglée (nouvelle date/heure)' },
  6: { en: 'Clock invalid', fr: 'Horloge invalide' },
  7: { en: 'Replace battery', fr: 'Remplacer la pile' },
  8: { en: 'Battery voltage low', fr: 'Tension de pile faible' },
  9: { en: 'TOU activated', fr: 'Calendrier tarifaire activé' },
  10: { en: 'Error register cleared', fr: 'Registre d’erreurs effacé' },
  11: { en: 'Alarm register cleared', fr: 'Registre d’alarmes effacé' },
  12: { en: 'Program memory error', fr: 'Erreur de mémoire programme' },
  13: { en: 'RAM error', fr: 'Erreur de mémoire vive' },
  14: { en: 'NV memory error', fr: 'Erreur de mémoire non volatile' },
  15: { en: 'Watchdog error', fr: 'Erreur du chien de garde' },
  16: { en: 'Measurement system error', fr: 'Erreur du système de mesure' },
  17: { en: 'Firmware ready for activation', fr: 'Micrologiciel prêt à être activé' },
  18: { en: 'Firmware activated', fr: 'Micrologiciel activé' },
  40: { en: 'Terminal cover removed', fr: 'Cache-bornes retiré' },
  41: { en: 'Terminal cover closed', fr: 'Cache-bornes remis' },
  42: { en: 'Strong DC field detected', fr: 'Champ magnétique continu fort détecté' },
  43: { en: 'No strong DC field anymore', fr: 'Fin du champ magnétique continu fort' },
  44: { en: 'Meter cover removed', fr: 'Capot du compteur retiré' },
  45: { en: 'Meter cover closed', fr: 'Capot du compteur remis' },
  46: { en: 'Wrong password entered n times', fr: 'Mot de passe erroné saisi n fois' },
  60: { en: 'Manual disconnection', fr: 'Coupure manuelle' },
  61: { en: 'Manual connection', fr: 'Remise en service manuelle' },
  62: { en: 'Remote disconnection', fr: 'Coupure à distance' },
  63: { en: 'Remote connection', fr: 'Remise en service à distance' },
  64: { en: 'Local disconnection', fr: 'Coupure locale' },
  65: { en: 'Limiter threshold exceeded', fr: 'Seuil du limiteur dépassé' },
  66: { en: 'Limiter threshold ok', fr: 'Seuil du limiteur respecté' },
  67: { en: 'Limiter threshold changed', fr: 'Seuil du limiteur modifié' },
  255: { en: 'Event log cleared', fr: 'Journal d’événements effacé' },
};

export function eventName(code: number): { en: string; fr: string } {
  return EVENT_CODES[code] ?? { en: `event ${code}`, fr: `événement ${code}` };
}

export interface EventEntry {
  /** Readable meter time (wildcards kept). */
  time: string;
  /** ISO time when complete, with the meter's UTC offset when it gave one. */
  iso?: string;
  /** Minutes to add to the meter's wall time to get UTC, as sent (null: not specified). */
  deviation?: number | null;
  /** The clock status byte sent with the time (null: not specified). */
  clockStatus?: number | null;
  code: number;
  name: { en: string; fr: string };
  /** Other columns of the row as text (some logs add a counter or a value). */
  extra: string[];
}

/**
 * Rows of an event log profile: the first date-time column is the time, the first integer
 * column the event code. Rows without a code are skipped.
 */
export function decodeEventLog(p: Profile): EventEntry[] {
  const out: EventEntry[] = [];
  for (const row of p.rows) {
    let timeIdx = -1;
    let codeIdx = -1;
    row.cells.forEach((c, i) => {
      if (timeIdx < 0 && asDateTime(c.raw)) timeIdx = i;
      else if (codeIdx < 0 && integerText(c.raw) !== undefined) codeIdx = i;
    });
    if (codeIdx < 0) continue;
    const code = Number(integerText(row.cells[codeIdx]!.raw));
    const dt = timeIdx >= 0 ? asDateTime(row.cells[timeIdx]!.raw) : undefined;
    const entry: EventEntry = {
      time: dt ? formatDateTime(dt) : '',
      code,
      name: eventName(code),
      extra: row.cells.filter((_, i) => i !== timeIdx && i !== codeIdx).map((c) => c.text.value),
    };
    const iso = dt ? toIsoOffset(dt) : undefined;
    if (iso) entry.iso = iso;
    if (dt) {
      entry.deviation = dt.deviation;
      entry.clockStatus = dt.clockStatus;
    }
    out.push(entry);
  }
  return out;
}
