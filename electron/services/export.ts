/**
 * Session → CSV files: readings, load profile, events. Column headers follow the UI language;
 * numbers stay exact (see csv.ts). Secrets never reach a session, so none can reach an export.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Lang } from '../../shared/errors';
import { obisName } from '../../shared/obis';
import type { SessionData } from '../../shared/session';
import type { CsvDialect } from '../../shared/settings';
import { resolveDialect, writeCsv, type Cell, type Column } from './csv';

export type ExportKind = 'readings' | 'profile' | 'events';

const HEADERS: Record<Lang, Record<string, string>> = {
  en: { obis: 'OBIS', name: 'Name', address: 'Meter address', value: 'Value', unit: 'Unit', scaler: 'Scaler', captureTime: 'Meter time', readAt: 'PC time', source: 'Source', extra: 'Other values', log: 'Log', time: 'Time', code: 'Code', text: 'Event' },
  fr: { obis: 'OBIS', name: 'Libellé', address: 'Adresse compteur', value: 'Valeur', unit: 'Unité', scaler: 'Facteur d’échelle', captureTime: 'Heure compteur', readAt: 'Heure PC', source: 'Source', extra: 'Autres valeurs', log: 'Journal', time: 'Heure', code: 'Code', text: 'Événement' },
};

export interface CsvTable {
  columns: Column[];
  rows: Iterable<Cell[]>;
}

export function sessionTable(s: SessionData, kind: ExportKind, lang: Lang): CsvTable {
  const h = HEADERS[lang];
  if (kind === 'readings') {
    return {
      columns: [{ header: h.obis! }, { header: h.name! }, { header: h.address! }, { header: h.value!, numeric: true }, { header: h.unit! }, { header: h.scaler! }, { header: h.captureTime! }, { header: h.readAt! }, { header: h.source! }, { header: h.extra! }],
      rows: (function* () {
        for (const r of s.readings) {
          yield [r.obis, obisName(r.obis, lang) ?? '', r.address, r.value, r.unit, r.scaler, r.captureTime, r.readAt, r.source, (r.extra ?? []).join(' | ')];
        }
      })(),
    };
  }
  if (kind === 'profile') {
    const p = s.profile;
    if (!p) return { columns: [{ header: h.time! }], rows: [] };
    return {
      columns: p.columns.map((c, i) => ({ header: `${c.name ?? obisName(c.obis, lang) ?? c.obis}${c.unit ? ` (${c.unit})` : ''}`, numeric: i > 0 })),
      rows: p.rows,
    };
  }
  return {
    columns: [{ header: h.log! }, { header: h.time! }, { header: h.code!, numeric: true }, { header: h.text! }],
    rows: s.events.map((e) => [e.log, e.time, String(e.code), e.text]),
  };
}

export async function exportSession(
  s: SessionData,
  kind: ExportKind,
  options: { dir: string; dialect: CsvDialect; lang: Lang; onProgress?: (rows: number) => void },
): Promise<{ path: string; rows: number; bytes: number }> {
  mkdirSync(options.dir, { recursive: true });
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
