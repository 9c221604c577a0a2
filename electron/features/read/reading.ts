/**
 * Identify and read: one visit = one session journal. Every identity, reading, warning, error and
 * frame is journaled as it happens and pushed to the UI; a cancel, an error or a pulled cable
 * ends the session with what was read kept.
 */
import { OmrError, toErrorInfo, type Lang } from '../../../shared/errors';
import type { IdentifyResult, ReadPlan, ReadRequest, ReadStarted } from '../../../shared/session';
import type { SimFault } from '../../../shared/target';
import type { Settings } from '../../../shared/settings';
import type { MeterIdentity, Reading, TraceEntry } from '../../../shared/types';
import type { Link } from '../../link/types';
import { openAssociation, PUBLIC_CLIENT_SAP, type DlmsAddress, type DlmsKeys, type InvocationCounterStore } from './dlms-session';
import { defaultClientSap, runDlmsRead } from './dlms-read';
import type { EventBus } from '../../runtime/events';
import { iecOptions, runIec } from './iec';
import { defaultSessionName } from './session-name';
import { TraceBatch } from './recorder';
import type { SessionJournal, SessionStore } from '../sessions/journal';
import type { Operation, Operations } from '../../runtime/operations';
import { LOAD_PROFILE_OBIS, PlanRun, type ProfileResume } from './plan-run';
import { identifyPlan, type PlanSpec } from './plans';
import { formatObis, parseObis } from '../../engine/dlms/obis-code';
import type { SettingsService } from '../settings/settings';
import type { Targets } from '../ports/targets';

export interface ReadingDeps {
  targets: Pick<Targets, 'open'>;
  settings: SettingsService;
  events: EventBus;
  operations: Operations;
  sessions: SessionStore;
  lang: () => Lang;
  /** Invocation counters of ciphered DLMS associations, per meter. */
  counters?: InvocationCounterStore;
  /** DLMS reaction timeout (ms) and HDLC retries; tests shorten them. */
  dlmsTimeouts?: { responseTimeoutMs?: number; maxRetries?: number; identifyResponseTimeoutMs?: number };
  /** Passwords kept through the system keychain, per meter profile (see secrets.ts). */
  secrets?: { get(profileId: string): string | undefined };
  /** A read reached a meter on this target (its identification came): the app remembers the port. */
  onMeterReached?: (target: string) => void;
}

/** Sessions looked at, newest first, for an earlier read of the same profile range to continue. */
const RESUME_LOOKBACK = 20;

/** Does this request read through DLMS/COSEM? */
export function usesDlms(req: Pick<ReadRequest, 'plan' | 'protocol' | 'dlms'>): boolean {
  const plan = req.plan ?? 'readout';
  const protocol = req.protocol ?? 'auto';
  if (protocol === 'readout') {
    if (plan !== 'readout' || req.dlms?.plans?.some((p) => p !== 'readout'))
      throw new OmrError('INVALID_REQUEST', `the ${plan} plan needs DLMS/COSEM (protocol dlms or auto)`);
    return false;
  }
  return protocol === 'dlms' || plan !== 'readout' || !!req.dlms?.plans?.length || !!req.dlms?.hdlcDirect || !!req.dlms?.wrapper;
}

export interface ResolvedDlms {
  address: DlmsAddress;
  auth: 'none' | 'lls' | 'hls-gmac';
  keys?: DlmsKeys;
  direct: boolean;
  plans: PlanSpec[];
  /** HLS-GMAC: the invocation counter object of the meter profile. */
  counterObis?: string;
}

/** Client, address and plans from the request, the saved meter profile, then the defaults. */
export function resolveDlms(req: Pick<ReadRequest, 'plan' | 'dlms' | 'profileId' | 'password' | 'from' | 'to'>, settings: Settings): ResolvedDlms {
  const d = req.dlms ?? {};
  const profile = req.profileId ? settings.profiles.find((p) => p.id === req.profileId) : undefined;
  if (req.profileId && !profile) throw new OmrError('NOT_FOUND', `meter profile ${req.profileId}`);
  const auth = d.auth ?? profile?.auth ?? (req.password ? 'lls' : 'none');
  const physical = d.serverPhysical ?? profile?.serverPhysical ?? 17;
  const address: DlmsAddress = {
    clientSap: d.clientSap ?? profile?.clientSap ?? defaultClientSap(auth),
    serverLogical: d.serverLogical ?? profile?.serverLogical ?? 1,
    ...(physical > 0 ? { serverPhysical: physical } : {}),
    framing: d.wrapper ? 'wrapper' : 'hdlc',
  };
  const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
  const keys = d.keys
    ? { systemTitle: hex(d.keys.systemTitle), encryptionKey: hex(d.keys.encryptionKey), authenticationKey: hex(d.keys.authenticationKey) }
    : undefined;
  const names: ReadPlan[] = d.plans?.length ? d.plans : req.plan && req.plan !== 'readout' ? [req.plan] : ['billing', 'instantaneous'];
  const plans: PlanSpec[] = names
    .filter((p): p is Exclude<ReadPlan, 'readout'> => p !== 'readout')
    .map((plan) => ({
      plan,
      ...(d.obis?.length && (plan === 'billing' || plan === 'instantaneous') ? { obis: d.obis } : {}),
      ...(plan === 'profile' && d.profileObis ? { profileObis: d.profileObis } : {}),
      ...(req.from ? { from: req.from } : {}),
      ...(req.to ? { to: req.to } : {}),
    }));
  return {
    address,
    auth,
    ...(keys ? { keys } : {}),
    direct: !!(d.hdlcDirect || d.wrapper),
    plans,
    ...(profile?.counterObis ? { counterObis: profile.counterObis } : {}),
  };
}

type ParsedRead = Omit<ReadRequest, 'plan' | 'protocol'> & { plan: NonNullable<ReadRequest['plan']>; protocol: NonNullable<ReadRequest['protocol']> };

/** Trace entries go to the journal in small batches (and at the end), and live to the UI. */
interface SessionRun {
  link: Link;
  journal: SessionJournal;
  op: Operation;
  trace: TraceSink;
  now: () => string;
  /** Identity and readings: journaled and pushed the same way by every kind of read. */
  common: { onIdentity: (identity: MeterIdentity) => void; onReadings: (readings: Reading[]) => void };
}

class TraceSink {
  private readonly batch: TraceBatch;
  constructor(
    private readonly journal: SessionJournal,
    private readonly events: EventBus,
  ) {
    this.batch = new TraceBatch(journal);
  }
  push = (e: TraceEntry): void => {
    this.events.emit('trace', { ...e, sessionId: this.journal.id });
    this.batch.push(e);
  };
  flush(): void {
    this.batch.flush();
  }
}

export class ReadingService {
  constructor(private readonly deps: ReadingDeps) {}

  async identify(req: { target: string; address?: string; simFaults?: SimFault[] }): Promise<IdentifyResult> {
    const opened = await this.deps.targets.open(req.target, req.simFaults ? { simFaults: req.simFaults } : {});
    try {
      // Mode E purpose: the identification comes first; a meter that announces mode E is then
      // switched to HDLC and asked its DLMS facts with the public client (no password).
      const run = await runIec(opened.link, iecOptions(this.deps.settings.get(), { purpose: 'modeE', ...(req.address ? { address: req.address } : {}) }));
      if (!run.identity) throw new OmrError(run.error?.code ?? 'NO_ECHO_NO_ANSWER', run.error?.detail);
      const id = run.identity;
      const result: IdentifyResult = {
        identity: id,
        // Every IEC 62056-21 meter that identifies offers a data readout (mode A/B/C); mode E is announced.
        modes: { readout: true, modeE: id.modeE, reducedReactionTime: id.reducedReactionTime },
        warnings: run.warnings.map((w) => `${w.code}: ${w.detail}`),
      };
      if (id.modeE) {
        if (!run.handover) result.warnings.push(`DLMS: ${run.error ? `${run.error.code}: ${run.error.detail ?? run.error.message}` : 'no mode E switch'}`);
        else {
          try {
            result.dlms = await this.identifyDlms(opened.link);
          } catch (e) {
            const info = toErrorInfo(e, this.deps.lang());
            result.warnings.push(`DLMS: ${info.code}: ${info.detail ?? info.message}`);
          }
        }
      }
      return result;
    } finally {
      await opened.close();
    }
  }

  /** The public client's view after a mode E switch: identify plan, then release. */
  private async identifyDlms(link: Parameters<typeof openAssociation>[0]['link']): Promise<NonNullable<IdentifyResult['dlms']>> {
    const t = this.deps.dlmsTimeouts;
    const settings = this.deps.settings.get();
    const profile = settings.profiles.find((p) => p.protocol === 'dlms');
    const physical = profile?.serverPhysical ?? 17;
    const { session } = await openAssociation({
      link,
      address: {
        clientSap: PUBLIC_CLIENT_SAP,
        serverLogical: profile?.serverLogical ?? 1,
        ...(physical > 0 ? { serverPhysical: physical } : {}),
        // Identify must stay quick when the DLMS side does not answer.
        responseTimeoutMs: t?.identifyResponseTimeoutMs ?? 1000,
        maxRetries: 1,
      },
      auth: 'none',
    });
    const run = new PlanRun();
    try {
      return await identifyPlan({ session, run, lang: this.deps.lang() });
    } finally {
      await session.release();
    }
  }

  async start(req: ParsedRead): Promise<ReadStarted> {
    // A saved profile without a typed password: its stored password, if the keychain keeps one.
    const stored = req.profileId && !req.password ? this.deps.secrets?.get(req.profileId) : undefined;
    if (stored) req = { ...req, password: stored };
    if (usesDlms(req)) return this.startDlms(req);
    const { settings, events } = this.deps;
    return this.inSession(req, async ({ link, journal, op, trace, now, common }) => {
      const run = await runIec(
        link,
        iecOptions(settings.get(), {
          purpose: req.password ? 'programming' : 'readout',
          ...(req.address ? { address: req.address } : {}),
          ...(req.password ? { password: req.password } : {}),
        }),
        {
          ...common,
          onProgress: (bytes) => events.emit('operation:progress', { operationId: op.id, label: 'readout', done: bytes, bytes }),
          onWarning: (w) => journal.append({ k: 'warning', t: now(), text: `${w.code}: ${w.detail}` }),
          // Each data line as it arrives, unverified: a read cut off by a kill keeps them.
          onPartialReadings: (from, readings) => journal.append({ k: 'provisional', t: now(), from, readings }),
          onTrace: trace.push,
        },
        op.controller.signal,
      );
      if (run.error) throw new OmrError(run.error.code, run.error.detail);
    });
  }

  /**
   * One read as one session: open the target, journal everything as it happens, and in the end
   * (done, failed, cancelled or a pulled cable) close the port, complete the journal, and only
   * then say that the operation ended. `body` throws the error that ended the read.
   */
  private async inSession(req: ParsedRead, body: (s: SessionRun) => Promise<void>): Promise<ReadStarted> {
    const { targets, events, operations, sessions } = this.deps;
    const opened = await targets.open(req.target, req.simFaults ? { simFaults: req.simFaults } : {});
    const journal = sessions.create(req.name ?? defaultSessionName(req.target, this.deps.lang()), req.target);
    const op = operations.start('read', journal.id);
    const trace = new TraceSink(journal, events);
    const now = () => new Date().toISOString();
    let reached = false;
    const common = {
      onIdentity: (identity: MeterIdentity) => {
        journal.append({ k: 'identity', t: now(), identity });
        if (!reached) {
          reached = true;
          this.deps.onMeterReached?.(req.target);
        }
      },
      onReadings: (readings: Reading[]) => {
        journal.append({ k: 'readings', t: now(), readings });
        events.emit('session:readings', { sessionId: journal.id, readings });
      },
    };
    void (async () => {
      let failure: unknown;
      try {
        await body({ link: opened.link, journal, op, trace, now, common });
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

  /**
   * The newest earlier read of the same load profile range on the same target that was cut short
   * (cancelled, failed, interrupted) and kept rows: the plan continues after its last row.
   */
  private earlierProfile(req: ParsedRead, plans: PlanSpec[]): (ProfileResume & { identity?: MeterIdentity }) | undefined {
    const spec = plans.find((p) => p.plan === 'profile');
    if (!spec?.from) return undefined;
    let obis: string;
    try {
      obis = formatObis(parseObis(spec.profileObis ?? LOAD_PROFILE_OBIS));
    } catch {
      return undefined;
    }
    const candidates = this.deps.sessions
      .list()
      .filter((s) => s.target === req.target && (s.profileRowCount ?? 0) > 0 && (s.state === 'cancelled' || s.state === 'failed' || s.state === 'interrupted'))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, RESUME_LOOKBACK);
    for (const c of candidates) {
      let profile;
      try {
        profile = this.deps.sessions.load(c.id).profile;
      } catch {
        continue;
      }
      if (profile && profile.obis === obis && profile.from === spec.from && profile.rows.length)
        return { sessionId: c.id, profile, ...(c.identity ? { identity: c.identity } : {}) };
    }
    return undefined;
  }

  /** A DLMS read: mode E (or direct HDLC / wrapper), association, identify, plans, release. */
  private async startDlms(req: ParsedRead): Promise<ReadStarted> {
    const { settings, events } = this.deps;
    const resolved = resolveDlms(req, settings.get());
    if (resolved.auth === 'lls' && !req.password) throw new OmrError('INVALID_REQUEST', 'the LLS client needs a password');
    if (resolved.auth === 'hls-gmac' && !resolved.keys) throw new OmrError('INVALID_REQUEST', 'HLS-GMAC needs the keys and the client system title');
    const lang = this.deps.lang();
    const t = this.deps.dlmsTimeouts;
    const earlier = this.earlierProfile(req, resolved.plans);
    return this.inSession(req, async ({ link, journal, op, trace, now, common }) => {
      // Another meter on the same port: its rows are not continued.
      let resume: (ProfileResume & { identity?: MeterIdentity }) | undefined = earlier;
      const onIdentity = (identity: MeterIdentity) => {
        if (resume?.identity && resume.identity.raw !== identity.raw) resume = undefined;
        common.onIdentity(identity);
      };
      const result = await runDlmsRead(
        {
          link,
          settings: settings.get(),
          address: {
            ...resolved.address,
            ...(t?.responseTimeoutMs ? { responseTimeoutMs: t.responseTimeoutMs } : {}),
            ...(t?.maxRetries !== undefined ? { maxRetries: t.maxRetries } : {}),
          },
          auth: resolved.auth,
          ...(req.password !== undefined ? { password: req.password } : {}),
          ...(resolved.keys ? { keys: resolved.keys } : {}),
          ...(this.deps.counters ? { counters: this.deps.counters } : {}),
          ...(resolved.counterObis ? { counterObis: resolved.counterObis } : {}),
          ...(req.address ? { iecAddress: req.address } : {}),
          direct: resolved.direct,
          plans: resolved.plans,
          resume: () => resume,
          lang,
          signal: op.controller.signal,
        },
        {
          ...common,
          onIdentity,
          onProgress: (p) => {
            events.emit('operation:progress', {
              operationId: op.id,
              label: p.label,
              done: p.done,
              ...(p.total !== undefined ? { total: p.total } : {}),
              ...(p.bytes !== undefined ? { bytes: p.bytes } : {}),
              ...(p.rows !== undefined ? { rows: p.rows } : {}),
              ...(p.rowsExpected !== undefined ? { rowsExpected: p.rowsExpected } : {}),
            });
          },
          onWarning: (text) => {
            journal.append({ k: 'warning', t: now(), text });
            // A continued profile read says so in the trace too.
            if (text.includes(' rows kept from session ')) trace.push({ t: now(), dir: 'info', hex: '', summary: text });
          },
          onError: (error) => journal.append({ k: 'error', t: now(), error }),
          // Columns first, then rows as they are decoded: a read cut off keeps every complete row.
          onProfileStart: (profile) => journal.append({ k: 'profile', t: now(), profile }),
          onProfileRows: (obis, rows) => journal.append({ k: 'profileRows', t: now(), obis, rows }),
          onEvents: (list) => journal.append({ k: 'events', t: now(), events: list }),
          onTrace: trace.push,
        },
      );
      if (result.error) throw new OmrError(result.error.code, result.error.detail);
    });
  }
}
