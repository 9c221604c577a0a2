/**
 * The session index: one summary per session journal and the byte size it covers, kept in memory,
 * updated on every append, and saved to `index.json` in the sessions folder. A listing stats each
 * journal and reads only what was appended since the summary was made (another process, a crash),
 * so it is O(sessions); a journal it has never seen is read in chunks that give the event loop
 * back between them. Concurrent listings share one refresh.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionData } from '../../../shared/session';
import type { SessionSummary } from '../../../shared/types';
import { foldRecord, foldSummary, newFold, parseRecord, SessionCollector, type JournalRecord, type SummaryFold } from './records';

interface Entry {
  /** Bytes of the journal folded into `fold` (always the end of a complete line). */
  size: number;
  fold: SummaryFold;
}

const INDEX_FILE = 'index.json';
const INDEX_VERSION = 1;
const CHUNK = 256 * 1024;

/** Read complete lines of `file` from `from`; returns the offset after the last complete line. */
export async function readLines(file: string, from: number, onLine: (line: string) => void): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = from;
    let consumed = from;
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (!bytesRead) break;
      pos += bytesRead;
      const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const last = chunk.lastIndexOf(0x0a);
      if (last < 0) {
        carry = Buffer.from(chunk);
        continue;
      }
      for (const line of chunk.subarray(0, last).toString('utf8').split('\n')) onLine(line);
      consumed += last + 1;
      carry = Buffer.from(chunk.subarray(last + 1));
    }
    return consumed;
  } finally {
    await fh.close();
  }
}

/** {@link readLines} without giving the event loop back (tools, tests, small folders). */
export function readLinesSync(file: string, from: number, onLine: (line: string) => void): number {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = from;
    let consumed = from;
    let carry: Buffer = Buffer.alloc(0);
    for (;;) {
      const bytesRead = readSync(fd, buf, 0, CHUNK, pos);
      if (!bytesRead) break;
      pos += bytesRead;
      const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const last = chunk.lastIndexOf(0x0a);
      if (last < 0) {
        carry = Buffer.from(chunk);
        continue;
      }
      for (const line of chunk.subarray(0, last).toString('utf8').split('\n')) onLine(line);
      consumed += last + 1;
      carry = Buffer.from(chunk.subarray(last + 1));
    }
    return consumed;
  } finally {
    closeSync(fd);
  }
}

export class SessionIndex {
  private entries = new Map<string, Entry>();
  private loaded = false;
  private refreshing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly dir: string,
    private readonly isOpen: (id: string) => boolean,
  ) {}

  private loadSaved(): void {
    if (this.loaded) return;
    this.loaded = true;
    const file = join(this.dir, INDEX_FILE);
    if (!existsSync(file)) return;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { v?: number; entries?: Record<string, Entry> };
      if (saved.v !== INDEX_VERSION || !saved.entries || typeof saved.entries !== 'object') return;
      for (const [id, e] of Object.entries(saved.entries)) {
        if (e && typeof e.size === 'number' && e.fold?.summary && !this.entries.has(id)) this.entries.set(id, e);
      }
    } catch {
      // A damaged index is only a cache: the journals are read again.
    }
  }

  /** Save the index (atomically: a temporary file renamed over it). Best effort. */
  save(): void {
    if (!this.dirty || !existsSync(this.dir)) return;
    const file = join(this.dir, INDEX_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ v: INDEX_VERSION, entries: Object.fromEntries(this.entries) }), { mode: 0o600 });
      renameSync(tmp, file);
      this.dirty = false;
    } catch {
      // The index is a cache; the journals are the truth.
    }
  }

  created(id: string): void {
    this.entries.set(id, { size: 0, fold: newFold(id) });
    this.dirty = true;
  }

  removed(id: string): void {
    this.entries.delete(id);
    this.dirty = true;
    this.save();
  }

  /** A record appended by this process: folded at once when the entry is up to date. */
  appended(id: string, record: JournalRecord, before: number, after: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (e.size === before) {
      foldRecord(e.fold, record);
      e.size = after;
      this.dirty = true;
    } else if (e.size > before) {
      // The file was cut (a torn tail repaired): read it again.
      this.entries.delete(id);
    }
    // e.size < before: appends by someone else came first; the next listing reads them.
  }

  /** The summary of a session this index already holds. */
  known(id: string): SessionSummary | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    const s = foldSummary(e.fold);
    if (this.isOpen(id) && s.state === 'interrupted') s.state = 'open';
    return s;
  }

  async list(): Promise<SessionSummary[]> {
    await (this.refreshing ??= this.refresh(false).finally(() => {
      this.refreshing = undefined;
    }));
    return this.summaries();
  }

  /** {@link list} without giving the event loop back. */
  listSync(): SessionSummary[] {
    // With `sync` the refresh has run to its end when the call returns; a folder that cannot be
    // read shows the summaries known so far.
    this.refresh(true).catch(() => undefined);
    return this.summaries();
  }

  private summaries(): SessionSummary[] {
    const out: SessionSummary[] = [];
    for (const e of this.entries.values()) {
      const s = foldSummary(e.fold);
      if (this.isOpen(s.id) && s.state === 'interrupted') s.state = 'open';
      out.push(s);
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** With `sync`, every step runs before the returned promise is made (no await reached). */
  private async refresh(sync: boolean): Promise<void> {
    this.loadSaved();
    if (!existsSync(this.dir)) {
      this.entries.clear();
      return;
    }
    const ids = new Set(
      readdirSync(this.dir)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => f.slice(0, -'.jsonl'.length)),
    );
    for (const id of this.entries.keys()) {
      if (!ids.has(id)) {
        this.entries.delete(id);
        this.dirty = true;
      }
    }
    for (const id of ids) {
      const file = join(this.dir, `${id}.jsonl`);
      let size: number;
      try {
        size = sync ? statSync(file).size : (await stat(file)).size;
      } catch {
        continue; // deleted meanwhile
      }
      const known = this.entries.get(id);
      if (known && known.size === size) continue;
      // Appended since (read the rest), or cut / never seen (read it all).
      const base: Entry = known && known.size < size ? { size: known.size, fold: structuredClone(known.fold) } : { size: 0, fold: newFold(id) };
      const fold = (line: string) => {
        const r = parseRecord(line);
        if (r) foldRecord(base.fold, r);
      };
      try {
        base.size = sync ? readLinesSync(file, base.size, fold) : await readLines(file, base.size, fold);
      } catch {
        continue;
      }
      const now = this.entries.get(id);
      // Appends folded by this process while the file was read may already be further on.
      if (!now || now.size <= base.size) {
        this.entries.set(id, base);
        this.dirty = true;
      }
    }
    this.save();
  }

  /** A whole session, read in chunks. */
  async readSession(id: string, file: string): Promise<SessionData> {
    const c = new SessionCollector(id);
    await readLines(file, 0, (line) => c.line(line));
    return c.result();
  }
}
