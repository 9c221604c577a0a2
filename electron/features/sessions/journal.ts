/**
 * Sessions are written to disk as they happen: one JSON Lines file per session, append-only.
 * Each record is appended with one write call as soon as it exists, so a killed app, a pulled
 * cable or a closed laptop loses nothing already read. A crash can only leave a last line cut
 * off mid-write: the next writer cuts that torn tail off first (keeping its bytes in a side file
 * `<id>.jsonl.torn`), so its own record starts on a line of its own.
 *
 * Files are created 0600 and folders 0700 (readings and meter identities are the customer's).
 */
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OmrError } from '../../../shared/errors';
import type { SessionData } from '../../../shared/session';
import type { SessionSummary } from '../../../shared/types';
import { parseRecord, replay, type JournalRecord } from './records';
import { readLines, SessionIndex } from './session-index';

export { replay, summarise, type JournalRecord } from './records';

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export function newSessionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** A private folder (0700 on POSIX), created when missing. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (process.platform !== 'win32') {
    try {
      chmodSync(dir, DIR_MODE);
    } catch {
      // Not ours to change (a shared mount): the files in it are still 0600.
    }
  }
}

/**
 * Cut a last line that has no newline (a write cut off by a crash) and keep its bytes in
 * `<file>.torn`. Returns the size of the file afterwards.
 */
export function repairTornTail(file: string): number {
  if (!existsSync(file)) return 0;
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return size;
    // Find the last newline, reading backwards.
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    let cut = 0;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const i = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (i >= 0) {
        cut = start + i + 1;
        break;
      }
      end = start;
    }
    const torn = Buffer.alloc(size - cut);
    readSync(fd, torn, 0, torn.length, cut);
    appendFileSync(`${file}.torn`, Buffer.concat([torn, Buffer.from('\n')]), { mode: FILE_MODE });
    ftruncateSync(fd, cut);
    return cut;
  } finally {
    closeSync(fd);
  }
}

export interface JournalHooks {
  /** A record went to the file: it spans [before, after) bytes. */
  onAppend?: (id: string, record: JournalRecord, before: number, after: number) => void;
}

/** An open session journal: append records as they happen. */
export class SessionJournal {
  private fd: number | undefined;
  private size = 0;
  constructor(
    readonly id: string,
    readonly file: string,
    private readonly hooks: JournalHooks = {},
  ) {}

  append(record: JournalRecord): void {
    try {
      if (this.fd === undefined) {
        this.size = repairTornTail(this.file);
        this.fd = openSync(this.file, 'a', FILE_MODE);
      }
      const line = Buffer.from(`${JSON.stringify(record)}\n`);
      appendFileSync(this.fd, line);
      const before = this.size;
      this.size += line.length;
      this.hooks.onAppend?.(this.id, record, before, this.size);
    } catch (e) {
      throw new OmrError('STORAGE_ERROR', (e as Error).message, { cause: e });
    }
  }

  /** Force what was appended onto the disk (at the end of a step; not per reading). */
  sync(): void {
    if (this.fd !== undefined) {
      try {
        fsyncSync(this.fd);
      } catch {
        // Best effort: the data is already in the OS's hands.
      }
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      this.sync();
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** The folder of sessions. Listing goes through the session index (one summary per session). */
export class SessionStore {
  private open = new Map<string, SessionJournal>();
  private readonly index: SessionIndex;
  private readonly hooks: JournalHooks;
  constructor(readonly dir: string) {
    this.index = new SessionIndex(dir, (id) => this.open.has(id));
    this.hooks = { onAppend: (id, record, before, after) => this.index.appended(id, record, before, after) };
  }

  private file(id: string): string {
    if (!ID_RE.test(id)) throw new OmrError('INVALID_REQUEST', 'bad session id');
    return join(this.dir, `${id}.jsonl`);
  }

  create(name: string, target?: string, now = new Date()): SessionJournal {
    privateDir(this.dir);
    const id = newSessionId(now);
    const journal = new SessionJournal(id, this.file(id), this.hooks);
    this.index.created(id);
    journal.append({ k: 'meta', t: now.toISOString(), id, name, ...(target ? { target } : {}) });
    this.open.set(id, journal);
    return journal;
  }

  /** Mark the end of a session and close its file. */
  finish(journal: SessionJournal, state: SessionSummary['state']): void {
    journal.append({ k: 'state', t: new Date().toISOString(), state });
    journal.close();
    this.open.delete(journal.id);
    this.index.save();
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  /** The whole session, read at once (small sessions, tools). {@link read} streams. */
  load(id: string): SessionData {
    const file = this.file(id);
    if (!existsSync(file)) throw new OmrError('NOT_FOUND', `session ${id}`);
    const s = replay(id, readFileSync(file, 'utf8').split('\n'));
    // A session being read right now is open, not interrupted.
    if (this.open.has(id) && s.state === 'interrupted') s.state = 'open';
    return s;
  }

  /** The whole session, read in chunks without holding the event loop. */
  async read(id: string): Promise<SessionData> {
    const file = this.file(id);
    if (!existsSync(file)) throw new OmrError('NOT_FOUND', `session ${id}`);
    const s = await this.index.readSession(id, file);
    if (this.open.has(id) && s.state === 'interrupted') s.state = 'open';
    return s;
  }

  /** Each record of a session in order, read in chunks (a pass over a large session without holding it). */
  async scan(id: string, onRecord: (r: JournalRecord) => void): Promise<void> {
    const file = this.file(id);
    if (!existsSync(file)) throw new OmrError('NOT_FOUND', `session ${id}`);
    await readLines(file, 0, (line) => {
      const r = parseRecord(line);
      if (r) onRecord(r);
    });
  }

  /**
   * Every session's summary, newest first: O(sessions) once the index is warm; journals not yet
   * indexed are read in chunks that give the event loop back. Concurrent calls share one refresh.
   */
  listAsync(): Promise<SessionSummary[]> {
    return this.index.list();
  }

  /** {@link listAsync} in one go (tools, tests). */
  list(): SessionSummary[] {
    return this.index.listSync();
  }

  /** One session's summary (through the index). */
  async summary(id: string): Promise<SessionSummary> {
    this.file(id);
    const s = (await this.index.list()).find((x) => x.id === id);
    if (!s) throw new OmrError('NOT_FOUND', `session ${id}`);
    return s;
  }

  /** One session's summary from the index as it is now (the sessions this process writes are current). */
  summaryNow(id: string): SessionSummary | undefined {
    this.file(id);
    return this.index.known(id) ?? this.list().find((x) => x.id === id);
  }

  rename(id: string, patch: { name?: string; location?: string; note?: string }): SessionSummary {
    const file = this.file(id);
    if (!existsSync(file)) throw new OmrError('NOT_FOUND', `session ${id}`);
    this.appendTo(id, { k: 'rename', t: new Date().toISOString(), ...patch });
    const s = this.list().find((x) => x.id === id);
    if (!s) throw new OmrError('NOT_FOUND', `session ${id}`);
    return s;
  }

  /** Add a record to a session, open or finished (e.g. a doctor report saved with it). */
  appendTo(id: string, record: JournalRecord): void {
    const file = this.file(id);
    if (!existsSync(file)) throw new OmrError('NOT_FOUND', `session ${id}`);
    const journal = this.open.get(id) ?? new SessionJournal(id, file, this.hooks);
    journal.append(record);
    if (!this.open.has(id)) journal.close();
  }

  delete(id: string): boolean {
    const file = this.file(id);
    if (this.open.has(id)) throw new OmrError('INVALID_REQUEST', 'the session is still being read');
    if (!existsSync(file)) return false;
    rmSync(file);
    rmSync(`${file}.torn`, { force: true });
    this.index.removed(id);
    return true;
  }
}
