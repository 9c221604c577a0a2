/**
 * What the station's status route tells a script, gathered from the event bus: the monitor's
 * statistics, the latest value of every register, the last error. Plain data, no I/O.
 */
import type { ErrorInfo } from '../../../shared/errors';
import { QUANTITIES, type MonitorPoll, type MonitorStats, type Quantity } from '../../../shared/monitor';
import type { Reading } from '../../../shared/types';
import type { EventBus } from '../../runtime/events';
import type { SessionStore } from '../sessions/journal';

export interface LatestReading extends Reading {
  sessionId: string;
}

export interface StationStatus {
  monitor: MonitorStats | null;
  lastPoll: (MonitorPoll & { sessionId: string }) | null;
  lastReading: LatestReading | null;
  lastError: { at: string; error: ErrorInfo; sessionId?: string } | null;
}

/** A poll's quantities as readings (the units of the monitor's table; `drift` has no OBIS). */
export function pollReadings(poll: MonitorPoll): Reading[] {
  const out: Reading[] = [];
  for (const [q, value] of Object.entries(poll.values ?? {}) as [Quantity, string][]) {
    if (value === undefined) continue;
    const def = QUANTITIES[q];
    const obis = def.obis || `omr:${q}`;
    out.push({
      obis,
      address: def.obis ? def.obis.replace(/^\d+-\d+:/, '').replace(/\*255$/, '') : q,
      value,
      unit: def.unit,
      readAt: poll.t,
      source: 'readout',
    });
  }
  return out;
}

export class StationState {
  private latest = new Map<string, LatestReading>();
  private status: StationStatus = { monitor: null, lastPoll: null, lastReading: null, lastError: null };
  private readonly off: () => void;

  constructor(events: EventBus, sessions?: SessionStore) {
    if (sessions) void this.seed(sessions);
    this.off = events.subscribe((channel, payload) => {
      if (channel === 'session:readings') {
        const p = payload as { sessionId: string; readings: Reading[] };
        this.remember(p.sessionId, p.readings);
      } else if (channel === 'monitor:update') {
        const u = payload as { stats: MonitorStats; poll?: MonitorPoll };
        this.status.monitor = u.stats;
        if (u.poll) {
          this.status.lastPoll = { ...u.poll, sessionId: u.stats.sessionId };
          if (u.poll.ok) this.remember(u.stats.sessionId, pollReadings(u.poll));
          if (u.poll.error) this.status.lastError = { at: u.poll.t, error: u.poll.error, sessionId: u.stats.sessionId };
        }
      } else if (channel === 'operation:ended') {
        const e = payload as { state: string; error?: ErrorInfo; sessionId?: string };
        if (e.state === 'failed' && e.error)
          this.status.lastError = { at: new Date().toISOString(), error: e.error, ...(e.sessionId ? { sessionId: e.sessionId } : {}) };
      }
    });
  }

  /** After a restart: the newest session's readings are the latest known values. */
  private async seed(sessions: SessionStore): Promise<void> {
    try {
      const newest = (await sessions.listAsync())
        .filter((s) => s.readingCount > 0 || (s.pollCount ?? 0) > 0)
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
      if (!newest) return;
      // One pass over the journal keeping the last value per OBIS (a session may be large).
      const last = new Map<string, Reading>();
      let lastOk: MonitorPoll | undefined;
      await sessions.scan(newest.id, (r) => {
        if (r.k === 'readings' && Array.isArray(r.readings)) for (const x of r.readings) last.set(x.obis, x);
        else if (r.k === 'poll' && r.ok === true) {
          const { k: _k, ...poll } = r;
          lastOk = poll;
        }
      });
      // Readings that came while the newest session was being read are newer: keep them.
      if (this.latest.size) return;
      this.remember(newest.id, [...last.values()]);
      if (lastOk) this.remember(newest.id, pollReadings(lastOk));
    } catch {
      // A damaged data folder must not stop the station.
    }
  }

  private remember(sessionId: string, readings: readonly Reading[]): void {
    for (const r of readings) {
      this.latest.set(r.obis, { ...r, sessionId });
      this.status.lastReading = { ...r, sessionId };
    }
  }

  snapshot(): StationStatus {
    return structuredClone(this.status);
  }

  latestReadings(): LatestReading[] {
    return [...this.latest.values()].sort((a, b) => a.obis.localeCompare(b.obis, 'en', { numeric: true }));
  }

  /** The monitor that runs now, if any. */
  runningMonitor(): MonitorStats | undefined {
    return this.status.monitor?.running ? this.status.monitor : undefined;
  }

  close(): void {
    this.off();
  }
}
