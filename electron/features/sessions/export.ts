/**
 * Session → CSV files: readings, load profile, events. Column headers follow the UI language;
 * numbers stay exact (see csv.ts). Secrets never reach a session, so none can reach an export.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Lang } from '../../../shared/errors';
import { obisName } from '../../../shared/obis';
import type { SessionData } from '../../../shared/session';
import type { Reading } from '../../../shared/types';
import { QUANTITIES, QUANTITY_IDS } from '../../../shared/monitor';
import type { CsvDialect } from '../../../shared/settings';
import { resolveDialect, writeCsv, type Cell, type Column } from './csv';
import { pushesTable } from './pushes-csv';
import { meterTimeCell, pcTimeCell, sessionMeterTime } from './csv-time';

export type ExportKind = 'readings' | 'profile' | 'events' | 'polls' | 'anomalies' | 'pushes';

const HEADERS: Record<Lang, Record<string, string>> = {
  en: {
    obis: 'OBIS',
    name: 'Name',
    address: 'Meter address',
    value: 'Value',
    unit: 'Unit',
    scaler: 'Scaler',
    captureTime: 'Meter time',
    readAt: 'PC time',
    source: 'Source',
    extra: 'Other values',
    verified: 'Verified',
    yes: 'yes',
    no: 'no',
    log: 'Log',
    time: 'Time',
    code: 'Code',
    text: 'Event',
    ok: 'OK',
    reactionMs: 'Reaction (ms)',
    durationMs: 'Poll time (ms)',
    error: 'Error',
    rule: 'Rule',
    channel: 'Channel',
    measured: 'Measured value',
    threshold: 'Threshold',
    side: 'Side',
    drift: 'Clock drift',
    deviation: 'Deviation from UTC',
    clockStatus: 'Clock status',
  },
  fr: {
    obis: 'OBIS',
    name: 'Libellé',
    address: 'Adresse compteur',
    value: 'Valeur',
    unit: 'Unité',
    scaler: 'Facteur d’échelle',
    captureTime: 'Heure compteur',
    readAt: 'Heure PC',
    source: 'Source',
    extra: 'Autres valeurs',
    verified: 'Vérifié',
    yes: 'oui',
    no: 'non',
    log: 'Journal',
    time: 'Heure',
    code: 'Code',
    text: 'Événement',
    ok: 'OK',
    reactionMs: 'Temps de réaction (ms)',
    durationMs: 'Durée de l’interrogation (ms)',
    error: 'Erreur',
    rule: 'Règle',
    channel: 'Voie',
    measured: 'Valeur mesurée',
    threshold: 'Seuil',
    side: 'Sens',
    drift: 'Dérive de l’horloge',
    deviation: 'Écart à UTC',
    clockStatus: 'État de l’horloge',
  },
};

export interface CsvTable {
  columns: Column[];
  rows: Iterable<Cell[]>;
}

/**
 * The readings as a table: the one column spec of every readings CSV (the app's export and
 * `omr read --csv` alike). `Verified` is `no` for a value whose message failed its check or was
 * cut short (Reading.verified === false).
 */
export function readingsTable(readings: Iterable<Reading>, lang: Lang, o: { meterTime?: string } = {}): CsvTable {
  const h = HEADERS[lang];
  return {
    columns: [
      { header: h.obis! },
      { header: h.name! },
      { header: h.address! },
      { header: h.value!, numeric: true },
      { header: h.unit! },
      { header: h.scaler! },
      { header: h.captureTime! },
      { header: h.readAt! },
      { header: h.source! },
      { header: h.extra! },
      { header: h.verified! },
    ],
    rows: (function* () {
      for (const r of readings) {
        // Meter time: the value's own capture time, else the meter's clock as the session read it.
        yield [
          r.obis,
          obisName(r.obis, lang) ?? '',
          r.address,
          r.value,
          r.unit,
          r.scaler,
          meterTimeCell(r.captureTime) ?? o.meterTime,
          pcTimeCell(r.readAt),
          r.source,
          (r.extra ?? []).join(' | '),
          r.verified === false ? h.no : h.yes,
        ];
      }
    })(),
  };
}

export function sessionTable(s: SessionData, kind: ExportKind, lang: Lang): CsvTable {
  const h = HEADERS[lang];
  if (kind === 'pushes') return pushesTable(s.pushes ?? [], lang);
  if (kind === 'readings') {
    const meterTime = sessionMeterTime(s.readings);
    return readingsTable(s.readings, lang, meterTime ? { meterTime } : {});
  }
  if (kind === 'polls') {
    // One column per quantity, with its unit; numbers exact as polled.
    const qs = QUANTITY_IDS.filter((q) => (s.polls ?? []).some((p) => p.values?.[q] !== undefined));
    const label = (q: (typeof qs)[number]) => {
      const name = q === 'drift' ? h.drift! : (obisName(QUANTITIES[q].obis, lang) ?? q);
      const unit = QUANTITIES[q].unit;
      return `${name}${unit ? ` (${unit})` : ''}`;
    };
    return {
      columns: [
        { header: h.readAt! },
        { header: h.ok! },
        { header: h.reactionMs!, numeric: true },
        { header: h.durationMs!, numeric: true },
        ...qs.map((q) => ({ header: label(q), numeric: true })),
        { header: h.error! },
      ],
      rows: (function* () {
        for (const p of s.polls ?? []) {
          yield [
            pcTimeCell(p.t),
            p.ok ? '1' : '0',
            p.reactionMs,
            p.durationMs,
            ...qs.map((q) => p.values?.[q]),
            p.error ? `${p.error.code}: ${p.error.detail ?? p.error.message}` : '',
          ];
        }
      })(),
    };
  }
  if (kind === 'anomalies') {
    return {
      columns: [
        { header: h.time! },
        { header: h.rule! },
        { header: h.channel! },
        { header: h.measured!, numeric: true },
        { header: h.threshold!, numeric: true },
        { header: h.side! },
        { header: h.unit! },
      ],
      rows: (s.anomalies ?? []).map((a) => [pcTimeCell(a.t), a.rule, a.channel, a.value, a.threshold, a.side, a.unit]),
    };
  }
  if (kind === 'profile') {
    const p = s.profile;
    if (!p) return { columns: [{ header: h.time! }], rows: [] };
    return {
      columns: p.columns.map((c, i) => ({ header: `${c.name ?? obisName(c.obis, lang) ?? c.obis}${c.unit ? ` (${c.unit})` : ''}`, numeric: i > 0 })),
      // Time columns (meter wall time) as spreadsheets read them; values exact.
      rows: (function* () {
        for (const row of p.rows) yield row.map((c) => meterTimeCell(c));
      })(),
    };
  }
  // The time cell is the meter's wall time; its deviation and clock status keep columns of their own.
  const part = (v: number | null | undefined, hex: boolean): string =>
    v === undefined ? '' : v === null ? (hex ? '' : 'unspecified') : hex ? `0x${v.toString(16).padStart(2, '0')}` : String(v);
  return {
    columns: [
      { header: h.log! },
      { header: h.time! },
      { header: h.code!, numeric: true },
      { header: h.text! },
      { header: `${h.deviation!} (min)`, numeric: true },
      { header: h.clockStatus! },
    ],
    rows: s.events.map((e) => [e.log, meterTimeCell(e.time), String(e.code), e.text, part(e.deviation, false), part(e.clockStatus, true)]),
  };
}

export async function exportSession(
  s: SessionData,
  kind: ExportKind,
  options: { dir: string; dialect: CsvDialect; lang: Lang; onProgress?: (rows: number) => void },
): Promise<{ path: string; rows: number; bytes: number }> {
  // A folder made here is private (0700); a folder the user chose keeps its mode.
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const path = join(options.dir, `${s.id}-${kind}.csv`);
  const table = sessionTable(s, kind, options.lang);
  const r = await writeCsv(path, {
    columns: table.columns,
    rows: table.rows,
    dialect: resolveDialect(options.dialect, options.lang),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { path, ...r };
}
