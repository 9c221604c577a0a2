/**
 * CSV export: csv-stringify does the RFC 4180 quoting (CRLF records, quotes doubled); this module
 * adds what spreadsheets need: the dialect (comma + dot, or semicolon + decimal comma for French
 * Excel), a UTF-8 BOM, exact numbers (decimal text, never through a float), and cells that would
 * start a formula neutralised. Large exports are streamed with progress.
 */
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Lang } from '../../../shared/errors';
import { OmrError } from '../../../shared/errors';
import type { CsvDialect } from '../../../shared/settings';

export interface ResolvedDialect {
  delimiter: ',' | ';';
  decimal: '.' | ',';
}

/** `auto` follows the UI language: French gets semicolon + decimal comma (French Excel). */
export function resolveDialect(dialect: CsvDialect, lang: Lang): ResolvedDialect {
  const d = dialect === 'auto' ? (lang === 'fr' ? 'semicolon-comma' : 'comma-dot') : dialect;
  return d === 'semicolon-comma' ? { delimiter: ';', decimal: ',' } : { delimiter: ',', decimal: '.' };
}

const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** A number cell: exact decimal text with the dialect's decimal mark. */
export function numberCell(text: string, d: ResolvedDialect): string {
  return d.decimal === ',' ? text.replace('.', ',') : text;
}

/**
 * Neutralise cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start),
 * by prefixing an apostrophe (OWASP "CSV injection"). Plain numbers such as `-12.5` stay numbers.
 */
export function neutralise(cell: string): string {
  if (cell === '' || PLAIN_NUMBER.test(cell)) return cell;
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export type Cell = string | number | undefined | null;
/** A column: its header and whether its values are numbers (then the decimal mark applies). */
export interface Column {
  header: string;
  numeric?: boolean;
}

export function formatRow(row: Cell[], columns: Column[], d: ResolvedDialect): string[] {
  return row.map((c, i) => {
    const text = c === undefined || c === null ? '' : String(c);
    if (columns[i]?.numeric && PLAIN_NUMBER.test(text)) return numberCell(text, d);
    return neutralise(text);
  });
}

export interface WriteCsvOptions {
  columns: Column[];
  rows: Iterable<Cell[]> | AsyncIterable<Cell[]>;
  dialect: ResolvedDialect;
  onProgress?: (rowsWritten: number) => void;
  /** Progress is reported every this many rows. */
  progressEvery?: number;
}

/** Stream the rows into `file`: BOM, header, rows. Resolves with what was written. */
export async function writeCsv(file: string, o: WriteCsvOptions): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  const every = o.progressEvery ?? 1000;
  const format = new Transform({
    objectMode: true,
    transform(row: Cell[], _enc, cb) {
      rows++;
      if (o.onProgress && rows % every === 0) o.onProgress(rows);
      cb(null, formatRow(row, o.columns, o.dialect));
    },
  });
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  // Readings are the customer's: only the user may read the file (POSIX).
  const out = createWriteStream(file, { mode: 0o600 });
  out.write('\ufeff');
  bytes += 3;
  try {
    await pipeline(
      Readable.from(o.rows as Iterable<Cell[]>),
      format,
      stringify({
        delimiter: o.dialect.delimiter,
        record_delimiter: 'windows',
        header: true,
        columns: o.columns.map((c) => c.header),
        // A bare LF or CR inside a cell must be quoted too (csv-stringify only quotes the record
        // delimiter, CRLF here); so must leading or trailing spaces, which spreadsheets trim.
        quoted_match: /[\r\n]|^\s|\s$/,
      }),
      count,
      out,
    );
  } catch (e) {
    throw new OmrError('STORAGE_ERROR', (e as Error).message, { cause: e });
  }
  o.onProgress?.(rows);
  return { rows, bytes };
}
