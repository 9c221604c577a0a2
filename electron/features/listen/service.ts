/**
 * The customer-port listener as a service of the app and the station: `listen:start` opens the
 * port with the chosen line settings, creates a session and runs {@link listen} until
 * `listen:stop`, a cancel or the end of the link. One listener per port (a second start on the
 * same port is PORT_BUSY). Each frame's result is appended to the session journal as it arrives
 * (a crash keeps every frame already heard) and pushed as a `listen:frame` event.
 *
 * Keys are used for the run only: they reach neither the journal, nor an event, nor a log; the
 * setup journaled says only whether a key was given.
 */
import { OmrError, toErrorInfo, type Lang } from '../../../shared/errors';
import {
  LISTEN_LINES,
  ListenStartSchema,
  type ListenCounts,
  type ListenFrame,
  type ListenSetup,
  type ListenStarted,
  type ListenStopped,
  type ListenValue,
} from '../../../shared/listen';
import type { z } from 'zod';
import type { FrameResult } from '../../engine/customer-port/decoder';
import type { Layout } from '../../engine/customer-port/layouts';
import { verdict } from '../../engine/customer-port/verdict';
import type { Keys } from '../../engine/dlms/security';
import { HDLC_LINE, type LineSettings } from '../../link/types';
import type { EventBus } from '../../runtime/events';
import type { Operation, Operations } from '../../runtime/operations';
import type { Targets } from '../ports/targets';
import type { SessionJournal, SessionStore } from '../sessions/journal';
import { listen } from './listener';

export type ListenStartParsed = z.output<typeof ListenStartSchema>;

export interface ListenServiceDeps {
  targets: Pick<Targets, 'open'>;
  events: EventBus;
  operations: Operations;
  sessions: Pick<SessionStore, 'create' | 'finish'>;
  lang: () => Lang;
  /** The push list layouts (shipped and the user's), read at each start. */
  layouts?: () => Layout[];
}

interface Run {
  op: Operation;
  target: string;
  journal: SessionJournal;
  counts: ListenCounts;
  done: Promise<void>;
}

export function lineSettings(line: ListenSetup['line']): LineSettings {
  const l = LISTEN_LINES[line];
  return l.format === '7E1' ? { baudRate: l.baudRate, dataBits: 7, parity: 'even', stopBits: 1 } : HDLC_LINE(l.baudRate);
}

const hexBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

const valueOf = (r: FrameResult['readings'][number]): ListenValue => ({
  obis: r.obis,
  value: r.value,
  unit: r.unit,
  ...(r.captureTime ? { captureTime: r.captureTime } : {}),
  ...(r.type ? { type: r.type } : {}),
  ...(r.type && r.raw !== undefined ? { raw: r.raw } : {}),
});

/**
 * A decoder result as plain data, the verdict in `lang`. A message that failed its checks carries
 * no values: only how many it seemed to hold.
 */
export function frameOf(r: FrameResult, n: number, t: string, lang: Lang): ListenFrame {
  const v = verdict(r.verdict.layer, r.verdict.detail, lang);
  const bad = r.verdict.status === 'bad';
  const unchecked = (r.unchecked?.length ?? 0) + (bad ? r.readings.length : 0);
  const list = r.list
    ? { id: r.list.id, name: r.list.layout?.name ?? r.list.id, ...(r.list.layout ? { operator: r.list.layout.operator } : {}) }
    : r.kind === 'p1'
      ? { id: `p1:${r.identity ?? ''}`, name: r.identity ? `P1 ${r.identity}` : 'P1' }
      : undefined;
  return {
    t,
    n,
    kind: r.kind,
    verdict: {
      status: r.verdict.status,
      layer: v.layer,
      ...(v.code ? { code: v.code } : {}),
      message: v.message,
      remedy: v.remedy,
      ...(v.detail ? { detail: v.detail } : {}),
    },
    ...(list ? { list } : {}),
    ...(r.identity !== undefined ? { identity: r.identity } : {}),
    ...(r.crc ? { crc: r.crc } : {}),
    ...(r.meterTime ? { meterTime: r.meterTime } : {}),
    values: bad ? [] : r.readings.map(valueOf),
    ...(unchecked > 0 ? { uncheckedCount: unchecked } : {}),
    notes: r.notes,
    bytes: r.bytes,
  };
}

export class ListenService {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly deps: ListenServiceDeps) {}

  /** Whether a listener runs on this port. */
  isListening(target: string): boolean {
    return [...this.runs.values()].some((r) => r.target === target);
  }

  async start(req: ListenStartParsed): Promise<ListenStarted> {
    const { targets, events, operations, sessions, lang } = this.deps;
    if (this.isListening(req.target)) throw new OmrError('PORT_BUSY', `${req.target}: a listener already runs on this port`);
    // Layouts first: a bad layout file is reported before the port is taken.
    const layouts = this.deps.layouts?.() ?? [];
    const keys: Keys | undefined = req.keys
      ? { encryptionKey: hexBytes(req.keys.encryptionKey), ...(req.keys.authenticationKey ? { authenticationKey: hexBytes(req.keys.authenticationKey) } : {}) }
      : undefined;
    const opened = await targets.open(req.target);
    const line = LISTEN_LINES[req.line];
    try {
      await opened.link.setLine(lineSettings(req.line));
    } catch (e) {
      await opened.close().catch(() => undefined);
      throw e;
    }
    let journal: SessionJournal;
    try {
      journal = sessions.create(req.name?.trim() || `Customer port ${req.target}`, req.target);
      const setup: ListenSetup = {
        target: req.target,
        line: req.line,
        baudRate: line.baudRate,
        format: line.format,
        keyed: !!keys,
        allowPlain: req.allowPlain,
      };
      journal.append({ k: 'listen', t: new Date().toISOString(), setup });
    } catch (e) {
      await opened.close().catch(() => undefined);
      throw e;
    }
    const op = operations.start('listen', journal.id);
    const counts: ListenCounts = { messages: 0, good: 0, warnings: 0, bad: 0 };
    let storageError: unknown;
    const done = listen(opened.link, {
      ...(keys ? { keys } : {}),
      allowPlain: req.allowPlain,
      layouts,
      ...(req.silenceMs !== undefined ? { silenceMs: req.silenceMs } : {}),
      // Only garbage at the DSMR 4/5 default: a DSMR 2.2/3 meter (9600 7E1) is tried once.
      ...(req.line === 'p1' ? { fallbackLine: lineSettings('p1-legacy') } : {}),
      signal: op.controller.signal,
      onResult: (r) => {
        if (storageError) return;
        const frame = frameOf(r, counts.messages + 1, new Date().toISOString(), req.lang ?? lang());
        try {
          journal.append({ k: 'push', t: frame.t, frame });
        } catch (e) {
          // The disk refused the frame: stop here rather than show what is not kept.
          storageError = e;
          op.controller.abort(e);
          return;
        }
        counts.messages++;
        if (frame.verdict.status === 'good') counts.good++;
        else if (frame.verdict.status === 'warning') counts.warnings++;
        else counts.bad++;
        events.emit('listen:frame', { operationId: op.id, sessionId: journal.id, target: req.target, frame, counts: { ...counts } });
      },
    }).then(
      async (summary) => {
        await opened.close().catch(() => undefined);
        const error = storageError ?? (summary.linkError && !op.controller.signal.aborted ? new OmrError('LINK_LOST', summary.linkError) : undefined);
        this.finish(journal, op, error);
      },
      async (e: unknown) => {
        await opened.close().catch(() => undefined);
        this.finish(journal, op, e);
      },
    );
    this.runs.set(op.id, { op, target: req.target, journal, counts, done });
    void done.finally(() => this.runs.delete(op.id));
    return { operationId: op.id, sessionId: journal.id };
  }

  private finish(journal: SessionJournal, op: Operation, error: unknown): void {
    try {
      if (error !== undefined) journal.append({ k: 'error', t: new Date().toISOString(), error: toErrorInfo(error, this.deps.lang()) });
      this.deps.sessions.finish(journal, error === undefined ? 'done' : 'failed');
    } catch {
      // The journal holds every frame appended so far; its end mark is what was lost.
      journal.close();
    }
    // A stopped listener's session is `done`; its operation ends as cancelled (it was aborted).
    if (error === undefined) this.deps.operations.end(op);
    else this.deps.operations.end(op, error);
  }

  /** Stop one listener; resolves when its session is complete. */
  async stop(operationId: string): Promise<ListenStopped | null> {
    const run = this.runs.get(operationId);
    if (!run) return null;
    run.op.controller.abort(new OmrError('CANCELLED'));
    await run.done;
    return { sessionId: run.journal.id, counts: { ...run.counts } };
  }

  /** Stop every listener (window closed, station stopping). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((id) => this.stop(id)));
  }

  get size(): number {
    return this.runs.size;
  }
}
