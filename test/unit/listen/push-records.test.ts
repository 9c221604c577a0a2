/**
 * Customer-port frames in the session journal and the pushes CSV: `push` records replay into
 * `pushes` and count in the summary (listing and opened session agree), a line torn by a crash
 * is skipped and the next append starts clean, a refused frame exports as its verdict only.
 */
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameOf } from '../../../electron/features/listen/service';
import { SessionStore } from '../../../electron/features/sessions/journal';
import { pushesTable, verdictCell } from '../../../electron/features/sessions/pushes-csv';
import { CustomerPortDecoder } from '../../../electron/engine/customer-port/decoder';
import { newP1State, p1Bytes, p1Telegram } from '../../../electron/simulator/p1/telegram';
import type { ListenFrame } from '../../../shared/listen';

/** Frames as the service makes them, from the virtual P1 meter's telegrams (2nd with a bad CRC). */
function frames(n: number, lang: 'en' | 'fr' = 'en'): ListenFrame[] {
  const d = new CustomerPortDecoder();
  const state = newP1State();
  const out: ListenFrame[] = [];
  const t0 = Date.parse('2025-03-01T10:00:00Z');
  for (let i = 0; i < n; i++) {
    const now = t0 + i * 1000;
    for (const r of [...d.push(p1Bytes(p1Telegram(state, now), i, ['bad-crc']), now), ...d.silence(now + 600)])
      out.push(frameOf(r, out.length + 1, new Date(now).toISOString(), lang));
  }
  return out;
}

describe('push records', () => {
  it('frameOf keeps no value of a refused telegram, only how many it seemed to hold', () => {
    const f = frames(3);
    expect(f.map((x) => x.verdict.status)).toEqual(['good', 'bad', 'good']);
    expect(f[1]!.values).toEqual([]);
    expect(f[1]!.uncheckedCount).toBeGreaterThan(5);
    expect(f[0]!.values.length).toBeGreaterThan(5);
    expect(f[0]!.list).toEqual(f[1]!.list);
    expect(frames(2, 'fr')[1]!.verdict.message).toMatch(/^CRC incorrect/);
  });

  it('replays into the session and the summary, skipping a torn line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-push-'));
    const store = new SessionStore(dir);
    const j = store.create('P1', 'virtual:p1');
    j.append({
      k: 'listen',
      t: new Date().toISOString(),
      setup: { target: 'virtual:p1', line: 'p1', baudRate: 115200, format: '8N1', keyed: false, allowPlain: false },
    });
    const fs = frames(4);
    for (const f of fs.slice(0, 3)) j.append({ k: 'push', t: f.t, frame: f });
    j.close();
    // A crash mid-write: half a record, no newline.
    const file = join(dir, `${j.id}.jsonl`);
    appendFileSync(file, JSON.stringify({ k: 'push', t: fs[3]!.t, frame: fs[3] }).slice(0, 80));
    // The next start of the app reads the folder afresh.
    const after = new SessionStore(dir);
    const s = after.load(j.id);
    expect(s.pushes!.length).toBe(3);
    expect(s.state).toBe('interrupted');
    expect(s.listen?.line).toBe('p1');
    expect(after.list().find((x) => x.id === j.id)?.pushCount).toBe(3);
    // The next writer cuts the torn tail off; its record starts on a line of its own.
    after.appendTo(j.id, { k: 'push', t: fs[3]!.t, frame: fs[3]! });
    expect(after.load(j.id).pushes!.length).toBe(4);
    expect(readFileSync(`${file}.torn`, 'utf8').length).toBeGreaterThan(0);
    // A record of the wrong shape is not counted.
    after.appendTo(j.id, { k: 'push', t: 'x', frame: { n: 1 } } as never);
    expect(after.load(j.id).pushes!.length).toBe(4);
    expect(after.list().find((x) => x.id === j.id)?.pushCount).toBe(4);
  });

  it('exports one row per value, a refused frame as its verdict only', () => {
    const fs = frames(3);
    const table = pushesTable(fs, 'en');
    expect(table.columns.map((c) => c.header)).toEqual(['Time', 'List', 'Verdict', 'OBIS', 'Value', 'Unit']);
    const rows = [...table.rows];
    expect(rows.length).toBe(fs[0]!.values.length + 1 + fs[2]!.values.length);
    const bad = rows.filter((r) => r[2] === 'bad (crc-bad)');
    expect(bad).toEqual([[fs[1]!.t, 'P1 OMR5\\2SIM-P1-1', 'bad (crc-bad)', '', '', '']]);
    expect(rows.find((r) => String(r[3]).startsWith('1-0:1.8.1'))?.slice(2)).toEqual([
      'good',
      expect.stringMatching(/^1-0:1\.8\.1/),
      expect.stringMatching(/^\d+\.\d{3}$/),
      'kWh',
    ]);
    expect(verdictCell(fs[1]!, 'fr')).toBe('mauvais (crc-bad)');
    expect(pushesTable(fs, 'fr').columns.map((c) => c.header)).toEqual(['Heure', 'Liste', 'Verdict', 'OBIS', 'Valeur', 'Unité']);
  });
});
