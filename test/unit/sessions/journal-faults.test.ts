/**
 * The journal under faults: a writer killed mid-line (SIGKILL) leaves a torn tail that the next
 * append cuts off and keeps aside; files are private; the session index agrees with a full replay
 * and follows appends made by another process.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionJournal, SessionStore, summarise } from '../../../electron/features/sessions/journal';
import type { Reading } from '../../../shared/types';

const reading = (obis: string, value: string): Reading => ({ obis, address: obis, value, unit: 'kWh', readAt: '2026-11-23T10:00:00.000Z', source: 'readout' });
const store = () => new SessionStore(mkdtempSync(join(tmpdir(), 'omr-journal-')));

describe('a torn journal tail', () => {
  it('is cut off and kept aside by the next append, which is then read back (writer killed with SIGKILL mid-line)', async () => {
    const s = store();
    const j = s.create('visit');
    j.append({ k: 'readings', t: '2026-11-23T10:00:02.000Z', readings: [reading('1-0:1.8.0*255', '1.5')] });
    j.close();
    const file = join(s.dir, `${j.id}.jsonl`);
    // A child writes half a record (no newline) and is killed while it would write the rest.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require('fs').appendFileSync(${JSON.stringify(file)}, '{"k":"readings","t":"2026-11-23T10:00:03.000Z","readings":[{"obis":"1-0:2.8'); process.stdout.write('half'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((ok) => child.stdout.once('data', () => ok()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(false);

    // The next process renames the session: the API's change is kept, not glued to the torn line.
    const fresh = new SessionStore(s.dir);
    const renamed = fresh.rename(j.id, { name: 'Cellar 3' });
    expect(renamed.name).toBe('Cellar 3');
    const back = new SessionStore(s.dir).load(j.id);
    expect(back.name).toBe('Cellar 3');
    expect(back.readings.map((r) => r.value)).toEqual(['1.5']);
    expect(readFileSync(`${file}.torn`, 'utf8')).toContain('"obis":"1-0:2.8');
    // Every line of the journal is whole JSON again.
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('is repaired by a journal opened on a file with no newline at all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-journal-'));
    const file = join(dir, 'x.jsonl');
    writeFileSync(file, '{"k":"meta","t":"2026');
    const j = new SessionJournal('x', file);
    j.append({ k: 'warning', t: '2026-11-23T10:00:00.000Z', text: 'after the crash' });
    j.close();
    expect(readFileSync(file, 'utf8')).toBe('{"k":"warning","t":"2026-11-23T10:00:00.000Z","text":"after the crash"}\n');
    expect(readFileSync(`${file}.torn`, 'utf8')).toBe('{"k":"meta","t":"2026\n');
  });
});

describe.skipIf(process.platform === 'win32')('file modes', () => {
  it('creates journals 0600 in a 0700 folder, and the index 0600', () => {
    const root = mkdtempSync(join(tmpdir(), 'omr-modes-'));
    const s = new SessionStore(join(root, 'sessions'));
    const j = s.create('visit');
    s.finish(j, 'done');
    expect(statSync(s.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(s.dir, `${j.id}.jsonl`)).mode & 0o777).toBe(0o600);
    expect(statSync(join(s.dir, 'index.json')).mode & 0o777).toBe(0o600);
  });
});

describe('the session index', () => {
  it('lists what a full replay says, follows appends by another writer, and survives a damaged index file', async () => {
    const s = store();
    const a = s.create('first', undefined, new Date('2026-11-21T08:00:00Z'));
    a.append({ k: 'readings', t: '2026-11-21T08:00:01.000Z', readings: [reading('1-0:1.8.0*255', '1'), reading('1-0:2.8.0*255', '2')] });
    a.append({ k: 'error', t: '2026-11-21T08:00:02.000Z', error: { code: 'TIMEOUT_REACTION', message: 'x' } as never });
    a.append({ k: 'poll', t: '2026-11-21T08:00:03.000Z', ok: true } as never);
    s.finish(a, 'failed');
    const b = s.create('second', undefined, new Date('2026-11-21T09:00:00Z'));
    b.append({ k: 'identity', t: '2026-11-21T09:00:01.000Z', identity: { manufacturer: 'LGZ', raw: '/LGZ5E450' } as never });
    const expected = () => [b.id, a.id].map((id) => summarise(s.load(id)));
    expect(await s.listAsync()).toEqual(expected());
    expect(s.list()).toEqual(expected());

    // Another process appends to b's file: the next listing reads only what was added.
    appendFileSync(
      join(s.dir, `${b.id}.jsonl`),
      `${JSON.stringify({ k: 'readings', t: '2026-11-21T09:00:02.000Z', readings: [reading('1-0:1.8.0*255', '3')] })}\n`,
    );
    const listed = await s.listAsync();
    expect(listed.find((x) => x.id === b.id)).toMatchObject({ readingCount: 1, state: 'open' });

    // A new store starts from the saved index; a damaged index is rebuilt from the journals.
    expect((await new SessionStore(s.dir).listAsync()).map((x) => x.readingCount)).toEqual([1, 2]);
    writeFileSync(join(s.dir, 'index.json'), '{"v":1,"entries":');
    const again = await new SessionStore(s.dir).listAsync();
    expect(again.map((x) => [x.name, x.readingCount, x.errorCount, x.pollCount, x.state])).toEqual([
      ['second', 1, 0, undefined, 'interrupted'],
      ['first', 2, 1, 1, 'failed'],
    ]);
    // A deleted session leaves the index.
    s.finish(b, 'done');
    expect(s.delete(a.id)).toBe(true);
    expect((await s.listAsync()).map((x) => x.id)).toEqual([b.id]);
    expect(existsSync(join(s.dir, `${a.id}.jsonl`))).toBe(false);
  });
});
