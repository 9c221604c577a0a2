/**
 * What a session journal holds, and how its lines fold into a session: the whole session
 * ({@link replay}) or only its summary ({@link SummaryFold}, what a listing needs). Both use the
 * same rules, so a listing and an opened session never disagree.
 */
import type { ErrorInfo } from '../../../shared/errors';
import type { MeterEvent, ProfileData, SessionData } from '../../../shared/session';
import type { MeterIdentity, Reading, SessionSummary, TraceEntry } from '../../../shared/types';
import type { MonitorAnomaly, MonitorPoll, MonitorSetup } from '../../../shared/monitor';
import type { ListenFrame, ListenSetup } from '../../../shared/listen';

export type JournalRecord =
  | { k: 'meta'; t: string; id: string; name: string; target?: string }
  | { k: 'identity'; t: string; identity: MeterIdentity }
  | { k: 'readings'; t: string; readings: Reading[] }
  /**
   * A readout's data lines as they arrive, before the message's checksum (`verified: false`):
   * they replace the provisional readings from index `from` on. The next `readings` record (the
   * checked message, or what was kept of a cut-off one) supersedes them; with none after them
   * (a killed process), they are the session's last readings, unverified.
   */
  | { k: 'provisional'; t: string; from: number; readings: Reading[] }
  | { k: 'error'; t: string; error: ErrorInfo }
  | { k: 'warning'; t: string; text: string }
  | { k: 'trace'; t: string; entries: TraceEntry[] }
  /** A profile's columns (and any rows already decoded); `profileRows` records add rows to it. */
  | { k: 'profile'; t: string; profile: ProfileData }
  | { k: 'profileRows'; t: string; obis: string; rows: string[][] }
  | { k: 'events'; t: string; events: MeterEvent[] }
  | { k: 'doctor'; t: string; report: string }
  | { k: 'rename'; t: string; name?: string; location?: string; note?: string }
  | { k: 'state'; t: string; state: SessionSummary['state'] }
  | { k: 'monitor'; t: string; setup: MonitorSetup }
  | ({ k: 'poll' } & MonitorPoll)
  | { k: 'anomaly'; t: string; anomaly: MonitorAnomaly }
  /** Customer-port listening: its setup (no key), then one record per frame or telegram heard. */
  | { k: 'listen'; t: string; setup: ListenSetup }
  | { k: 'push'; t: string; frame: ListenFrame };

/** One journal line as a record, or undefined (a line cut off by a crash, an unknown shape). */
export function parseRecord(line: string): JournalRecord | undefined {
  if (!line.trim()) return undefined;
  let r: JournalRecord;
  try {
    r = JSON.parse(line) as JournalRecord;
  } catch {
    return undefined;
  }
  return r && typeof r === 'object' && typeof r.k === 'string' ? r : undefined;
}

/** The summary of a session as its records come; serialisable (the session index keeps it). */
export interface SummaryFold {
  summary: SessionSummary;
  /** A `state` record was seen (else the session was interrupted). */
  sawState: boolean;
  /** The profile the `profileRows` records add to (as {@link replay} does). */
  profileObis?: string;
  /** Provisional readings not yet superseded by a `readings` record. */
  provisional?: number;
}

export function newFold(id: string): SummaryFold {
  return { summary: { id, createdAt: '', updatedAt: '', name: id, readingCount: 0, errorCount: 0, state: 'interrupted' }, sawState: false };
}

const validFrom = (from: unknown): from is number => typeof from === 'number' && Number.isInteger(from) && from >= 0;
const validPoll = (r: { ok?: unknown; t?: unknown }) => typeof r.ok === 'boolean' && typeof r.t === 'string';
const validPush = (r: { frame?: unknown }) => !!r.frame && typeof r.frame === 'object' && Array.isArray((r.frame as { values?: unknown }).values);

/** Fold one record into a summary (what {@link replay} does to the same fields). */
export function foldRecord(f: SummaryFold, r: JournalRecord): void {
  const s = f.summary;
  if (typeof r.t === 'string') {
    if (!s.createdAt) s.createdAt = r.t;
    s.updatedAt = r.t;
  }
  switch (r.k) {
    case 'meta':
      s.name = r.name;
      if (typeof r.target === 'string') s.target = r.target;
      s.state = 'open';
      break;
    case 'identity':
      s.identity = r.identity;
      break;
    case 'readings':
      if (Array.isArray(r.readings)) s.readingCount += r.readings.length;
      f.provisional = 0;
      break;
    case 'provisional':
      if (Array.isArray(r.readings) && validFrom(r.from)) f.provisional = Math.min(f.provisional ?? 0, r.from) + r.readings.length;
      break;
    case 'error':
      s.errorCount++;
      break;
    case 'profile':
      if (r.profile && typeof r.profile === 'object') {
        f.profileObis = r.profile.obis;
        s.profileRowCount = Array.isArray(r.profile.rows) ? r.profile.rows.length : 0;
      }
      break;
    case 'profileRows':
      if (f.profileObis !== undefined && f.profileObis === r.obis && Array.isArray(r.rows)) s.profileRowCount = (s.profileRowCount ?? 0) + r.rows.length;
      break;
    case 'events':
      if (Array.isArray(r.events)) s.eventCount = (s.eventCount ?? 0) + r.events.length;
      break;
    case 'rename':
      if (r.name !== undefined) s.name = r.name;
      if (r.location !== undefined) s.location = r.location;
      if (r.note !== undefined) s.note = r.note;
      break;
    case 'state':
      s.state = r.state;
      f.sawState = true;
      break;
    case 'poll':
      if (validPoll(r)) {
        s.pollCount = (s.pollCount ?? 0) + 1;
        s.anomalyCount ??= 0;
      }
      break;
    case 'anomaly':
      if (r.anomaly && typeof r.anomaly === 'object') s.anomalyCount = (s.anomalyCount ?? 0) + 1;
      break;
    case 'push':
      if (validPush(r)) s.pushCount = (s.pushCount ?? 0) + 1;
      break;
  }
}

/** The summary as listed: a session still open when its journal stopped was interrupted. */
export function foldSummary(f: SummaryFold): SessionSummary {
  const s = { ...f.summary };
  if (!f.sawState || s.state === 'open') s.state = 'interrupted';
  s.readingCount += f.provisional ?? 0;
  return s;
}

/** Replay journal records into a session. Unknown or damaged records are skipped. */
export function replay(id: string, lines: Iterable<string>): SessionData {
  const c = new SessionCollector(id);
  for (const line of lines) c.line(line);
  return c.result();
}

/** A session built record by record (whole-file replay or a streamed read). */
export class SessionCollector {
  private readonly fold: SummaryFold;
  private readonly s: Omit<SessionData, keyof SessionSummary> = { readings: [], errors: [], trace: [], events: [], warnings: [], doctorReports: [] };
  /** A readout's unverified lines not yet superseded (see the `provisional` record). */
  private provisional: Reading[] = [];
  constructor(id: string) {
    this.fold = newFold(id);
  }

  line(line: string): void {
    const r = parseRecord(line);
    if (r) this.record(r);
  }

  record(r: JournalRecord): void {
    foldRecord(this.fold, r);
    const s = this.s;
    switch (r.k) {
      case 'readings':
        if (Array.isArray(r.readings)) for (const x of r.readings) s.readings.push(x);
        this.provisional = [];
        break;
      case 'provisional':
        if (Array.isArray(r.readings) && validFrom(r.from)) {
          this.provisional.length = Math.min(this.provisional.length, r.from);
          for (const x of r.readings) this.provisional.push({ ...x, verified: false });
        }
        break;
      case 'error':
        s.errors.push(r.error);
        break;
      case 'warning':
        s.warnings.push(r.text);
        break;
      case 'trace':
        if (Array.isArray(r.entries)) for (const x of r.entries) s.trace.push(x);
        break;
      case 'profile':
        if (r.profile && typeof r.profile === 'object') s.profile = { ...r.profile, rows: Array.isArray(r.profile.rows) ? [...r.profile.rows] : [] };
        break;
      case 'profileRows':
        if (s.profile && s.profile.obis === r.obis && Array.isArray(r.rows)) for (const row of r.rows) s.profile.rows.push(row);
        break;
      case 'events':
        if (Array.isArray(r.events)) for (const x of r.events) s.events.push(x);
        break;
      case 'doctor':
        s.doctorReports.push(r.report);
        break;
      case 'monitor':
        if (r.setup && typeof r.setup === 'object') s.monitor = r.setup;
        break;
      case 'poll': {
        const { k: _k, ...poll } = r;
        if (validPoll(poll)) (s.polls ??= []).push(poll);
        break;
      }
      case 'anomaly':
        if (r.anomaly && typeof r.anomaly === 'object') (s.anomalies ??= []).push(r.anomaly);
        break;
      case 'listen':
        if (r.setup && typeof r.setup === 'object') s.listen = r.setup;
        break;
      case 'push':
        if (validPush(r)) (s.pushes ??= []).push(r.frame);
        break;
    }
  }

  result(): SessionData {
    const readings = this.provisional.length ? [...this.s.readings, ...this.provisional] : this.s.readings;
    return { ...foldSummary(this.fold), ...this.s, readings };
  }
}

export function summarise(s: SessionData): SessionSummary {
  const {
    readings: _r,
    errors: _e,
    trace: _t,
    profile: _p,
    events: _ev,
    warnings: _w,
    doctorReports: _d,
    monitor: _m,
    polls: _pl,
    anomalies: _an,
    listen: _li,
    pushes: _pu,
    ...summary
  } = s;
  return summary;
}
