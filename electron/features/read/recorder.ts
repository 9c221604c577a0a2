/**
 * What a read hands over, journaled as it comes: identity, readings, warnings, per-object errors,
 * profile columns and rows, events, and frames (in batches of 32). Used by `omr read`, so a read
 * from the command line is a session like one from the app or the station.
 */
import type { ErrorInfo } from '../../../shared/errors';
import type { MeterEvent, ProfileData } from '../../../shared/session';
import type { MeterIdentity, Reading, SessionSummary, TraceEntry } from '../../../shared/types';
import type { SessionJournal, SessionStore } from '../sessions/journal';

export class SessionRecorder {
  private traceBatch: TraceEntry[] = [];
  private finished = false;
  constructor(
    private readonly store: SessionStore,
    readonly journal: SessionJournal,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  get id(): string {
    return this.journal.id;
  }

  identity = (identity: MeterIdentity): void => this.journal.append({ k: 'identity', t: this.now(), identity });
  readings = (readings: Reading[]): void => {
    if (readings.length) this.journal.append({ k: 'readings', t: this.now(), readings });
  };
  warning = (text: string): void => this.journal.append({ k: 'warning', t: this.now(), text });
  error = (error: ErrorInfo): void => this.journal.append({ k: 'error', t: this.now(), error });
  profileStart = (profile: ProfileData): void => this.journal.append({ k: 'profile', t: this.now(), profile });
  profileRows = (obis: string, rows: string[][]): void => {
    if (rows.length) this.journal.append({ k: 'profileRows', t: this.now(), obis, rows });
  };
  events = (events: MeterEvent[]): void => this.journal.append({ k: 'events', t: this.now(), events });
  trace = (entry: TraceEntry): void => {
    this.traceBatch.push(entry);
    if (this.traceBatch.length >= 32) this.flush();
  };

  flush(): void {
    if (!this.traceBatch.length) return;
    this.journal.append({ k: 'trace', t: this.now(), entries: this.traceBatch });
    this.traceBatch = [];
  }

  /** The last frames, the final error (if any), the state; the file is closed. */
  finish(state: SessionSummary['state'], error?: ErrorInfo): void {
    if (this.finished) return;
    this.finished = true;
    this.flush();
    if (error) this.error(error);
    this.store.finish(this.journal, state);
  }
}
