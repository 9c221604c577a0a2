/**
 * The pushes and P1 telegrams of a customer-port session as a table: one row per value, with
 * the time it was heard, its list, the frame's verdict, OBIS (or `#n`), value and unit. A frame
 * that failed its checks is one row with its verdict and no value: values of a damaged telegram
 * or of a refused frame are never exported as if they were read.
 */
import type { Lang } from '../../../shared/errors';
import type { ListenFrame } from '../../../shared/listen';
import type { Cell, Column } from './csv';

const HEAD: Record<
  Lang,
  { time: string; list: string; verdict: string; obis: string; value: string; unit: string; good: string; warning: string; bad: string }
> = {
  en: { time: 'Time', list: 'List', verdict: 'Verdict', obis: 'OBIS', value: 'Value', unit: 'Unit', good: 'good', warning: 'warning', bad: 'bad' },
  fr: { time: 'Heure', list: 'Liste', verdict: 'Verdict', obis: 'OBIS', value: 'Valeur', unit: 'Unité', good: 'bon', warning: 'avertissement', bad: 'mauvais' },
};

/** `good`, or the status and the layer that failed: `bad (crc-bad)`. */
export function verdictCell(f: ListenFrame, lang: Lang): string {
  const h = HEAD[lang];
  return f.verdict.layer === 'ok' ? h[f.verdict.status] : `${h[f.verdict.status]} (${f.verdict.layer})`;
}

export function pushesTable(frames: readonly ListenFrame[], lang: Lang): { columns: Column[]; rows: Iterable<Cell[]> } {
  const h = HEAD[lang];
  return {
    columns: [{ header: h.time }, { header: h.list }, { header: h.verdict }, { header: h.obis }, { header: h.value, numeric: true }, { header: h.unit }],
    rows: (function* () {
      for (const f of frames) {
        const list = f.list?.name ?? f.kind;
        const verdict = verdictCell(f, lang);
        if (f.verdict.status === 'bad' || f.values.length === 0) {
          yield [f.t, list, verdict, '', '', ''];
          continue;
        }
        for (const v of f.values) yield [f.t, list, verdict, v.obis, v.value, v.unit];
      }
    })(),
  };
}
