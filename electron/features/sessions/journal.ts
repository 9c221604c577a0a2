/**
 * Sessions are written to disk as they happen: one JSON Lines file per session, append-only.
 * Each record is appended with one write call as soon as it exists, so a killed app, a pulled
 * cable or a closed laptop loses nothing already read. Loading tolerates a last line cut off
 * mid-write (the only damage an append-only file can take from a crash).
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { OmrError, type ErrorInfo } from '../../../shared/errors';
import type { MeterEvent, ProfileData, SessionData } from '../../../shared/session';
import type { MeterIdentity, Reading, SessionSummary, TraceEntry } from '../../../shared/types';
import type { MonitorAnomaly, MonitorPoll, MonitorSetup } from '../../../shared/monitor';

export type JournalRecord =
  | { k: 'meta'; t: string; id: string; name: string; target?: string }
  | { k: 'identity'; t: string; identity: MeterIdentity }
  | { k: 'readings'; t: string; readings: Reading[] }
  | { k: 'error'; t: string; error: ErrorInfo }
  | { k: 'warning'; t: string; text: string }
  | { k: 'trace'; t: string; entries: TraceEntry[] }
  | { k: 'profile'; t: string; profile: ProfileData }
  | { k: 'events'; t: string; events: MeterEvent[] }
  | { k: 'doctor'; t: string; report: string }
  | { k: 'rename'; t: string; name?: string; location?: string; note?: string }
  | { k: 'state'; t: string; state: SessionSummary['state'] }
  | { k: 'monitor'; t: string; setup: MonitorSetup }
  | ({ k: 'poll' } & MonitorPoll)
  | { k: 'anomaly'; t: string; anomaly: MonitorAnomaly };

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function newSessionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** An open session journal: append records as they happen. */
export class SessionJournal {
  private fd: number | undefined;
  constructor(
    readonly id: string,
    readonly file: string,
  ) {}

  append(record: JournalRecord): void {
    try {
      this.fd ??= openSync(this.file, 'a');
      appendFileSync(this.fd, `${JSON.stringify(record)}\n`);
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

/** Replay journal records into a session. Unknown or damaged records are skipped. */
export function replay(id: string, lines: Iterable<string>): SessionData {
  const s: SessionData = {
    id,
    createdAt: '',
    updatedAt: '',
    name: id,
    readingCount: 0,
    errorCount: 0,
    state: 'interrupted',
    readings: [],
    errors: [],
    trace: [],
    events: [],
    warnings: [],
    doctorReports: [],
  };
  let sawState = false;
  for (const line of lines) {
    if (!line.trim()) continue;
    let r: JournalRecord;
    try {
      r = JSON.parse(line) as JournalRecord;
    } catch {
      continue; // a line cut off by a crash
    }
    if (!r || typeof r !== 'object' || typeof r.k !== 'string') continue;
    if (typeof r.t === 'string') {
      if (!s.createdAt) s.createdAt = r.t;
      s.updatedAt = r.t;
    }
    switch (r.k) {
      case 'meta':
        s.name = r.name;
        s.state = 'open';
        break;
      case 'identity':
        s.identity = r.identity;
        break;
      case 'readings':
        if (Array.isArray(r.readings)) s.readings.push(...r.readings);
        break;
      case 'error':
        s.errors.push(r.error);
        break;
      case 'warning':
        s.warnings.push(r.text);
        break;
      case 'trace':
        if (Array.isArray(r.entries)) s.trace.push(...r.entries);
        break;
      case 'profile':
        s.profile = r.profile;
        break;
      case 'events':
        if (Array.isArray(r.events)) s.events.push(...r.events);
        break;
      case 'doctor':
        s.doctorReports.push(r.report);
        break;
      case 'rename':
        if (r.name !== undefined) s.name = r.name;
        if (r.location !== undefined) s.location = r.location;
        if (r.note !== undefined) s.note = r.note;
        break;
      case 'state':
        s.state = r.state;
        sawState = true;
        break;
      case 'monitor':
        if (r.setup && typeof r.setup === 'object') s.monitor = r.setup;
        break;
      case 'poll': {
        const { k: _k, ...poll } = r;
        if (typeof poll.ok === 'boolean' && typeof poll.t === 'string') (s.polls ??= []).push(poll);
        break;
      }
      case 'anomaly':
        if (r.anomaly && typeof r.anomaly === 'object') (s.anomalies ??= []).push(r.anomaly);
        break;
    }
  }
  // A session that was still open when the journal stopped was interrupted (crash, kill).
  if (!sawState || s.state === 'open') s.state = 'interrupted';
  s.readingCount = s.readings.length;
  s.errorCount = s.errors.length;
  if (s.polls) s.pollCount = s.polls.length;
  if (s.anomalies || s.polls) s.anomalyCount = s.anomalies?.length ?? 0;
  return s;
}

export function summarise(s: SessionData): SessionSummary {
  const { readings: _r, errors: _e, trace: _t, profile: _p, events: _ev, warnings: _w, doctorReports: _d, monitor: _m, polls: _pl, anomalies: _an, ...summary } = s;
  return summary;
}

/** The folder of sessions. */
export class SessionStore {
  private open = new Map<string, SessionJournal>();
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ID_RE.test(id)) throw new OmrError('INVALID_REQUEST', 'bad session id');
    return join(this.dir, `${id}.jsonl`);
  }

  create(name: string, target?: string, now = new Date()): SessionJournal {
    mkdirSync(this.dir, { recursive: true });
    const id = newSessionId(now);
    const journal = new SessionJournal(id, this.file(id));
    journal.append({ k: 'meta', t: now.toISOString(), id, name, ...(target ? { target } : {}) });
    this.open.set(id, journal);
    return journal;
  }

  /** Mark the end of a session and close its file. */
  finish(journal: SessionJournal, state: SessionSummary['state']): void {
    journal.append({ k: 'state', t: new Date().toISOString(), state });
    journal.close();
    this.open.delete(journal.id);
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  load(id: string): SessionData {
    const file = this.file(id);
    if (!existsSync(file)) throw new OmrError('NOT_FOUND', `session ${id}`);
    const s = replay(id, readFileSync(file, 'utf8').split('\n'));
    // A session being read right now is open, not interrupted.
    if (this.open.has(id) && s.state === 'interrupted') s.state = 'open';
    return s;
  }

  list(): SessionSummary[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => summarise(this.load(f.slice(0, -'.jsonl'.length))))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  rename(id: string, patch: { name?: string; location?: string; note?: string }): SessionSummary {
    const file = this.file(id);
    if (!existsSync(file)) throw new OmrError('NOT_FOUND', `session ${id}`);
    this.appendTo(id, { k: 'rename', t: new Date().toISOString(), ...patch });
    return summarise(this.load(id));
  }

  /** Add a record to a session, open or finished (e.g. a doctor report saved with it). */
  appendTo(id: string, record: JournalRecord): void {
    const file = this.file(id);
    if (!existsSync(file)) throw new OmrError('NOT_FOUND', `session ${id}`);
    const journal = this.open.get(id) ?? new SessionJournal(id, file);
    journal.append(record);
    if (!this.open.has(id)) journal.close();
  }

  delete(id: string): boolean {
    const file = this.file(id);
    if (this.open.has(id)) throw new OmrError('INVALID_REQUEST', 'the session is still being read');
    if (!existsSync(file)) return false;
    rmSync(file);
    return true;
  }
}
