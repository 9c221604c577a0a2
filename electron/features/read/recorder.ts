/**
 * What a read hands over, journaled as it comes: identity, readings (a readout's lines as they
 * arrive, unverified, then the checked message), warnings, per-object errors, profile columns and
 * rows, events, and frames (in batches of at most 32 frames and 250 ms). Used by `omr read`, so a
 * read from the command line is a session like one from the app or the station.
 */
import type { ErrorInfo } from '../../../shared/errors';
import type { MeterEvent, ProfileData } from '../../../shared/session';
import type { MeterIdentity, Reading, SessionSummary, TraceEntry } from '../../../shared/types';
import type { SessionJournal, SessionStore } from '../sessions/journal';

/** Frames per trace record at most. */
export const TRACE_BATCH_FRAMES = 32;
/** A frame waits this long at most before its trace record is written (a kill loses no more). */
export const TRACE_BATCH_MS = 250;

/**
 * Frames written to a journal in batches: when 32 are held, or 250 ms after the first of a batch
 * (one timer, unref'd: it never keeps a process alive), or at flush. Appending each frame on its
 * own costs about 3x the time (measured 5.0 against 1.6 µs a frame) and a record's overhead for
 * each frame. A write that fails from the timer is thrown by the next push or flush.
 */
export class TraceBatch {
  private batch: TraceEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failure: unknown;
  constructor(
    private readonly journal: SessionJournal,
    private readonly now: () => string = () => new Date().toISOString(),
    private readonly o: { frames: number; ms: number } = { frames: TRACE_BATCH_FRAMES, ms: TRACE_BATCH_MS },
  ) {}

  push(entry: TraceEntry): void {
    this.rethrow();
    this.batch.push(entry);
    if (this.batch.length >= this.o.frames) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        try {
          this.write();
        } catch (e) {
          this.failure = e;
        }
      }, this.o.ms);
      this.timer.unref?.();
    }
  }

  /** Write what is held now (and stop the timer). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.rethrow();
    this.write();
  }

  private write(): void {
    if (!this.batch.length) return;
    const entries = this.batch;
    this.batch = [];
    this.journal.append({ k: 'trace', t: this.now(), entries });
  }

  private rethrow(): void {
    if (this.failure === undefined) return;
    const e = this.failure;
    this.failure = undefined;
    throw e;
  }
}

export class SessionRecorder {
  private readonly traceBatch: TraceBatch;
  private finished = false;
  constructor(
    private readonly store: SessionStore,
    readonly journal: SessionJournal,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    this.traceBatch = new TraceBatch(journal, now);
  }

  get id(): string {
    return this.journal.id;
  }

  identity = (identity: MeterIdentity): void => this.journal.append({ k: 'identity', t: this.now(), identity });
  readings = (readings: Reading[]): void => {
    if (readings.length) this.journal.append({ k: 'readings', t: this.now(), readings });
  };
  /** A readout's lines as they arrive, unverified (the next `readings` supersedes them). */
  partialReadings = (from: number, readings: Reading[]): void => this.journal.append({ k: 'provisional', t: this.now(), from, readings });
  warning = (text: string): void => this.journal.append({ k: 'warning', t: this.now(), text });
  error = (error: ErrorInfo): void => this.journal.append({ k: 'error', t: this.now(), error });
  profileStart = (profile: ProfileData): void => this.journal.append({ k: 'profile', t: this.now(), profile });
  profileRows = (obis: string, rows: string[][]): void => {
    if (rows.length) this.journal.append({ k: 'profileRows', t: this.now(), obis, rows });
  };
  events = (events: MeterEvent[]): void => this.journal.append({ k: 'events', t: this.now(), events });
  trace = (entry: TraceEntry): void => this.traceBatch.push(entry);

  flush(): void {
    this.traceBatch.flush();
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
