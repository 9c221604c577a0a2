import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRow, neutralise, resolveDialect, writeCsv, type Column } from '../../../electron/features/sessions/csv';

const columns: Column[] = [{ header: 'OBIS' }, { header: 'Value', numeric: true }, { header: 'Unit' }, { header: 'Note' }];

function tmp(name: string) {
  return join(mkdtempSync(join(tmpdir(), 'omr-csv-')), name);
}

describe('CSV export', () => {
  it('picks the dialect from the UI language unless told', () => {
    expect(resolveDialect('auto', 'fr')).toEqual({ delimiter: ';', decimal: ',' });
    expect(resolveDialect('auto', 'en')).toEqual({ delimiter: ',', decimal: '.' });
    expect(resolveDialect('comma-dot', 'fr')).toEqual({ delimiter: ',', decimal: '.' });
    expect(resolveDialect('semicolon-comma', 'en')).toEqual({ delimiter: ';', decimal: ',' });
  });

  it('neutralises cells that would start a formula, and leaves numbers alone', () => {
    expect(neutralise('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    expect(neutralise('+33 6 12')).toBe("'+33 6 12");
    expect(neutralise('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralise('-cmd|calc')).toBe("'-cmd|calc");
    expect(neutralise('\t=1')).toBe("'\t=1");
    expect(neutralise('-12.5')).toBe('-12.5');
    expect(neutralise('1-0:1.8.0*255')).toBe('1-0:1.8.0*255');
    expect(neutralise('')).toBe('');
  });

  it('keeps numbers exact and uses the decimal comma in the French dialect', () => {
    const fr = resolveDialect('semicolon-comma', 'fr');
    expect(formatRow(['1-0:1.8.0*255', '012345.678', 'kWh', '=1+1'], columns, fr)).toEqual(['1-0:1.8.0*255', '012345,678', 'kWh', "'=1+1"]);
    // A value that is not a plain number is text: never reformatted.
    expect(formatRow(['x', '2026-11-23 10:00', '', undefined], columns, fr)).toEqual(['x', '2026-11-23 10:00', '', '']);
    expect(formatRow(['x', '0.1000000000000000055511151231257827', '', null], columns, resolveDialect('comma-dot', 'en'))[1]).toBe(
      '0.1000000000000000055511151231257827',
    );
  });

  it('writes UTF-8 with BOM, CRLF records and RFC 4180 quoting', async () => {
    const file = tmp('fr.csv');
    const r = await writeCsv(file, {
      columns,
      rows: [
        ['1-0:1.8.0*255', '12.5', 'kWh', 'Cave; porte "B"'],
        ['0-0:96.1.0*255', '', '', 'ligne\nsuivante'],
        ['C.1.0', '-0.5', 'kvar', '-rm'],
      ],
      dialect: resolveDialect('auto', 'fr'),
    });
    const raw = readFileSync(file);
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = raw.subarray(3).toString('utf8');
    expect(text).toBe(
      'OBIS;Value;Unit;Note\r\n' + '1-0:1.8.0*255;12,5;kWh;"Cave; porte ""B"""\r\n' + '0-0:96.1.0*255;;;"ligne\nsuivante"\r\n' + "C.1.0;-0,5;kvar;'-rm\r\n",
    );
    expect(r).toEqual({ rows: 3, bytes: raw.length });
  });

  it('streams a large export with progress', async () => {
    const file = tmp('big.csv');
    const seen: number[] = [];
    function* rows() {
      for (let i = 0; i < 100_000; i++) yield [`1-0:1.8.0*${i % 100}`, `${i}.5`, 'kWh', ''];
    }
    const r = await writeCsv(file, {
      columns,
      rows: rows(),
      dialect: resolveDialect('comma-dot', 'en'),
      onProgress: (n) => seen.push(n),
      progressEvery: 25_000,
    });
    expect(r.rows).toBe(100_000);
    expect(seen).toEqual([25_000, 50_000, 75_000, 100_000, 100_000]);
    const lines = readFileSync(file, 'utf8').split('\r\n');
    expect(lines[100_000]).toBe('1-0:1.8.0*99,99999.5,kWh,');
  });
});
