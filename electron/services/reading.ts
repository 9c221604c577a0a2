/**
 * Identify and read: one visit = one session journal. Every identity, reading, warning, error and
 * frame is journaled as it happens and pushed to the UI; a cancel, an error or a pulled cable
 * ends the session with what was read kept.
 */
import { OmrError, toErrorInfo, type Lang } from '../../shared/errors';
import type { IdentifyResult, ReadRequest, ReadStarted, SimFault } from '../../shared/session';
import type { TraceEntry } from '../../shared/types';
import type { EventBus } from './events';
import { iecOptions, runIec } from './iec';
import type { SessionJournal, SessionStore } from './journal';
import type { Operations } from './operations';
import type { SettingsService } from './settings';
import type { Targets } from './targets';

export interface ReadingDeps {
  targets: Targets;
  settings: SettingsService;
  events: EventBus;
  operations: Operations;
  sessions: SessionStore;
  lang: () => Lang;
}

type ParsedRead = Omit<ReadRequest, 'plan' | 'protocol'> & { plan: NonNullable<ReadRequest['plan']>; protocol: NonNullable<ReadRequest['protocol']> };

const MAKERS: Record<string, string> = { LGZ: 'Landis+Gyr', ISK: 'Iskraemeco', ITF: 'Itron', EMH: 'EMH metering', ELS: 'Elster', KFM: 'Kaifa', SAG: 'Siemens', ABB: 'ABB', EBZ: 'eBZ', HAG: 'Hager', ESY: 'EasyMeter' };
export function makerName(flag: string): string | undefined {
  return MAKERS[flag.toUpperCase()];
}

/** Trace entries go to the journal in small batches (and at the end), and live to the UI. */
class TraceSink {
  private batch: TraceEntry[] = [];
  constructor(
    private readonly journal: SessionJournal,
    private readonly events: EventBus,
  ) {}
  push = (e: TraceEntry): void => {
    this.batch.push(e);
    this.events.emit('trace', { ...e, sessionId: this.journal.id });
    if (this.batch.length >= 32) this.flush();
  };
  flush(): void {
    if (!this.batch.length) return;
    this.journal.append({ k: 'trace', t: new Date().toISOString(), entries: this.batch });
    this.batch = [];
  }
}

export class ReadingService {
  constructor(private readonly deps: ReadingDeps) {}

  async identify(req: { target: string; address?: string; simFaults?: SimFault[] }): Promise<IdentifyResult> {
    const opened = await this.deps.targets.open(req.target, req.simFaults ? { simFaults: req.simFaults } : {});
    try {
      const run = await runIec(opened.link, iecOptions(this.deps.settings.get(), { purpose: 'identify', ...(req.address ? { address: req.address } : {}) }));
      if (!run.identity) throw new OmrError(run.error?.code ?? 'NO_ECHO_NO_ANSWER', run.error?.detail);
      const id = run.identity;
      return {
        identity: id,
        // Every IEC 62056-21 meter that identifies offers a data readout (mode A/B/C); mode E is announced.
        modes: { readout: true, modeE: id.modeE, reducedReactionTime: id.reducedReactionTime },
        warnings: run.warnings.map((w) => `${w.code}: ${w.detail}`),
      };
    } finally {
      await opened.close();
    }
  }

  async start(req: ParsedRead): Promise<ReadStarted> {
    const { targets, settings, events, operations, sessions } = this.deps;
    if (req.protocol === 'dlms' || req.plan !== 'readout') {
      throw new OmrError('UNAVAILABLE', `the ${req.plan} plan needs DLMS/COSEM, which is not built yet: use the quick readout`);
    }
    const opened = await targets.open(req.target, req.simFaults ? { simFaults: req.simFaults } : {});
    const journal = sessions.create(req.name ?? `${req.target} ${new Date().toLocaleString('sv-SE')}`, req.target);
    const op = operations.start('read', journal.id);
    const trace = new TraceSink(journal, events);
    const now = () => new Date().toISOString();

    void (async () => {
      let failure: unknown;
      try {
        const run = await runIec(
          opened.link,
          iecOptions(settings.get(), {
            purpose: req.password ? 'programming' : 'readout',
            ...(req.address ? { address: req.address } : {}),
            ...(req.password ? { password: req.password } : {}),
          }),
          {
            onIdentity: (identity) => journal.append({ k: 'identity', t: now(), identity }),
            onReadings: (readings) => {
              journal.append({ k: 'readings', t: now(), readings });
              events.emit('session:readings', { sessionId: journal.id, readings });
            },
            onProgress: (bytes) => events.emit('operation:progress', { operationId: op.id, label: 'readout', done: bytes, bytes }),
            onWarning: (w) => journal.append({ k: 'warning', t: now(), text: `${w.code}: ${w.detail}` }),
            onTrace: trace.push,
          },
          op.controller.signal,
        );
        if (run.error) throw new OmrError(run.error.code, run.error.detail);
      } catch (e) {
        failure = e;
        const info = toErrorInfo(e, this.deps.lang());
        if (info.code !== 'CANCELLED' || !op.controller.signal.aborted) journal.append({ k: 'error', t: now(), error: info });
      } finally {
        trace.flush();
        await opened.close().catch(() => undefined);
        const cancelled = op.controller.signal.aborted;
        // The journal is complete before anyone hears that the operation ended.
        sessions.finish(journal, cancelled ? 'cancelled' : failure === undefined ? 'done' : 'failed');
        operations.end(op, cancelled ? new OmrError('CANCELLED') : failure);
      }
    })();
    return { operationId: op.id, sessionId: journal.id };
  }
}
