/**
 * Monitoring over DLMS/COSEM with the association kept open between polls.
 *
 * - The first poll connects: mode E (or direct HDLC), SNRM/UA, AARQ/AARE, then the scaler_unit of
 *   every polled register (once per association).
 * - Every poll reads the clock and the polled registers' values in one GET (GET-with-list when
 *   the conformance block grants multiple-references; the client cuts the list to the server's
 *   PDU size and falls back to one GET per attribute otherwise).
 * - The association stays open while the poll interval is shorter than the meter's HDLC
 *   inactivity timeout less a margin; otherwise each poll releases it (RLRQ, DISC) as it ends.
 * - When the association dropped between polls (LINK_LOST, DM/FRMR, no answer), the poll
 *   associates once more at once; if that fails too the poll fails and the monitor backs off.
 * - `close()` releases a held association (monitor stopped, link replaced).
 */
import { OmrError, toErrorInfo, type ErrorInfo, type Lang } from '../../../shared/errors';
import type { MonitorStart } from '../../../shared/monitor';
import type { Settings } from '../../../shared/settings';
import type { MeterIdentity, Reading, TraceEntry } from '../../../shared/types';
import { asDateTime, decodeScalerUnit, valueText } from '../../engine/cosem/classes';
import { Clock, Register, VALUE_ATTRIBUTE } from '../../engine/cosem/registry';
import type { AttributeRequest } from '../../engine/dlms/apdu';
import type { ResultItem } from '../../engine/dlms/client';
import { formatObis, parseObis } from '../../engine/dlms/obis-code';
import { IEC_INITIAL_LINE, type Link } from '../../link/types';
import { connectDlms } from '../read/dlms-read';
import { endsSession, type OpenedAssociation } from '../read/dlms-session';
import { clockDriftSeconds, PlanRun } from '../read/plan-run';
import { resolveDlms } from '../read/reading';
import type { PollFn, PollResult } from './poll';

/** The registers a DLMS poll reads (instantaneous: everything monitored; registers: energy). */
export const DLMS_INSTANTANEOUS = ['32.7.0', '52.7.0', '72.7.0', '31.7.0', '51.7.0', '71.7.0', '1.7.0', '2.7.0', '14.7.0', '13.7.0', '1.8.0', '2.8.0'].map(
  (c) => `1-0:${c}`,
);
export const DLMS_REGISTERS = ['1-0:1.8.0', '1-0:2.8.0'];
const CLOCK_OBIS = '0-0:1.0.0*255';

/** The HDLC inactivity timeout of an E450 (and of the simulator) when nothing else is known (s). */
export const DEFAULT_INACTIVITY_TIMEOUT_S = 120;

/**
 * Whether an association may stay open from one poll to the next: the next poll's first frame
 * must reach the meter before its inactivity timeout, with a margin for a slow poll (10 s, or a
 * tenth of the timeout when that is more).
 */
export function keepsAssociation(intervalS: number, inactivityTimeoutS = DEFAULT_INACTIVITY_TIMEOUT_S): boolean {
  const margin = Math.max(10, inactivityTimeoutS / 10);
  return intervalS < inactivityTimeoutS - margin;
}

export interface DlmsPollOptions {
  plan: MonitorStart['plan'];
  /** The poll interval (s): decides whether the association is kept between polls. */
  intervalS: number;
  /** The meter's HDLC inactivity timeout (s, default {@link DEFAULT_INACTIVITY_TIMEOUT_S}). */
  inactivityTimeoutS?: number;
  address?: string;
  /** Talk HDLC at once (no IEC 62056-21 mode E handshake): HDLC over TCP, direct HDLC ports. */
  hdlcDirect?: boolean;
  profileId?: string;
  password?: string;
  responseTimeoutMs?: number;
  maxRetries?: number;
}

interface Held {
  link: Link;
  opened: OpenedAssociation;
}

/** One GET of the clock and the registers; scaler_unit first for the registers not known yet. */
async function readPoll(
  opened: OpenedAssociation,
  registers: string[],
): Promise<{ readings: Reading[]; driftS?: number; error?: ErrorInfo; ended?: ErrorInfo }> {
  const session = opened.session;
  const ended = (results: ResultItem[]) =>
    session.failure?.info() ?? results.find((r): r is Extract<ResultItem, { ok: false }> => !r.ok && endsSession(r.error.code))?.error;
  let error: ErrorInfo | undefined;
  const missing = registers.filter((o) => !session.scalers.has(`${o}/${VALUE_ATTRIBUTE}`));
  if (missing.length) {
    const su = await session.get(missing.map((obis) => ({ classId: Register.id, obis, attribute: Register.attr.scaler_unit })));
    const end = ended(su);
    if (end) return { readings: [], ended: end };
    missing.forEach((obis, k) => {
      const r = su[k]!;
      if (!r.ok) {
        error ??= r.error;
        return;
      }
      try {
        session.scalers.set(`${obis}/${VALUE_ATTRIBUTE}`, decodeScalerUnit(r.value));
      } catch (e) {
        error ??= toErrorInfo(e);
      }
    });
  }
  const requests: AttributeRequest[] = [
    { classId: Clock.id, obis: CLOCK_OBIS, attribute: Clock.attr.time },
    ...registers.map((obis) => ({ classId: Register.id, obis, attribute: VALUE_ATTRIBUTE })),
  ];
  const results = await session.get(requests);
  const readAt = Date.now();
  const end = ended(results);
  const iso = new Date(readAt).toISOString();
  const readings: Reading[] = [];
  let driftS: number | undefined;
  const clock = results[0];
  const dt = clock?.ok ? asDateTime(clock.value) : undefined;
  if (dt) driftS = clockDriftSeconds(dt, readAt);
  registers.forEach((obis, k) => {
    const r = results[k + 1];
    if (!r) return;
    if (!r.ok) {
      if (!endsSession(r.error.code)) error ??= r.error;
      return;
    }
    const su = session.scalers.get(`${obis}/${VALUE_ATTRIBUTE}`);
    // A value without its scaler would be off by powers of ten: not shown (the scaler's error is the poll's).
    if (!su) return;
    try {
      const vt = valueText(r.value, su);
      const reading: Reading = { obis, address: obis, value: vt.value, unit: vt.unit, readAt: iso, source: 'dlms' };
      if (vt.scaler !== undefined) reading.scaler = vt.scaler;
      if (vt.raw !== undefined && vt.scaler !== undefined) reading.raw = vt.raw;
      readings.push(reading);
    } catch (e) {
      error ??= toErrorInfo(e);
    }
  });
  return { readings, ...(driftS !== undefined ? { driftS } : {}), ...(error ? { error } : {}), ...(end ? { ended: end } : {}) };
}

/**
 * A poll over DLMS/COSEM: the client of the saved profile, or the reading client with a password,
 * else the public client; the clock (drift) and the monitored registers each poll, the
 * association kept open between polls when the interval allows (see the module comment).
 */
export function dlmsPoll(settings: () => Settings, o: DlmsPollOptions): PollFn {
  const resolved = resolveDlms(
    {
      plan: 'instantaneous',
      ...(o.hdlcDirect ? { dlms: { hdlcDirect: true } } : {}),
      ...(o.profileId ? { profileId: o.profileId } : {}),
      ...(o.password ? { password: o.password } : {}),
    },
    settings(),
  );
  if (resolved.auth === 'lls' && !o.password) throw new OmrError('INVALID_REQUEST', 'the LLS client needs a password');
  if (resolved.auth === 'hls-gmac') throw new OmrError('INVALID_REQUEST', 'monitoring does not take HLS-GMAC keys yet: use the public or the reading client');
  const registers = (o.plan === 'registers' ? DLMS_REGISTERS : DLMS_INSTANTANEOUS).map((t) => formatObis(parseObis(t)));
  const keep = keepsAssociation(o.intervalS, o.inactivityTimeoutS);
  let held: Held | undefined;
  /** Where the held session's frames go: the poll under way. */
  let traceTo: ((e: TraceEntry) => void) | undefined;

  const drop = async (): Promise<void> => {
    const h = held;
    held = undefined;
    if (!h) return;
    await h.opened.session.release();
    h.opened.finish();
  };

  const connect = async (link: Link, signal: AbortSignal, lang: Lang | undefined): Promise<MeterIdentity | undefined> => {
    // Over the optical port every IEC 62056-21 session starts at 300 baud 7E1.
    const l = link.line;
    if (!resolved.direct && (l.baudRate !== IEC_INITIAL_LINE.baudRate || l.dataBits !== IEC_INITIAL_LINE.dataBits || l.parity !== IEC_INITIAL_LINE.parity))
      await link.setLine(IEC_INITIAL_LINE);
    const result = { run: new PlanRun() } as { run: PlanRun; identity?: MeterIdentity; baudRate?: number };
    const opened = await connectDlms(
      {
        link,
        settings: settings(),
        address: {
          ...resolved.address,
          ...(o.responseTimeoutMs ? { responseTimeoutMs: o.responseTimeoutMs } : {}),
          ...(o.maxRetries !== undefined ? { maxRetries: o.maxRetries } : {}),
        },
        auth: resolved.auth,
        ...(o.password !== undefined && resolved.auth === 'lls' ? { password: o.password } : {}),
        ...(o.address ? { iecAddress: o.address } : {}),
        direct: resolved.direct,
        plans: [],
        ...(lang ? { lang } : {}),
        signal,
      },
      { onTrace: (e) => traceTo?.(e) },
      result,
    );
    held = { link, opened };
    return result.identity;
  };

  const poll: PollFn = async (link, signal, ctx = {}) => {
    let sentAt: number | undefined;
    let reactionMs: number | undefined;
    traceTo = (e) => {
      if (e.dir === 'tx' && sentAt === undefined) sentAt = Date.now();
      else if (e.dir === 'rx' && sentAt !== undefined && reactionMs === undefined) reactionMs = Date.now() - sentAt;
      ctx.onTrace?.(e);
    };
    const done = (r: PollResult): PollResult => ({ ...r, ...(reactionMs !== undefined ? { reactionMs } : {}) });
    try {
      // A held association on a link that was replaced, or that ended by itself, is let go.
      if (held && (held.link !== link || !held.opened.session.isOpen)) await drop();
      let identity: MeterIdentity | undefined;
      let fresh = false;
      if (!held) {
        identity = await connect(link, signal, ctx.lang);
        fresh = true;
      }
      let r = await readPoll(held!.opened, registers);
      if (r.ended && !fresh && !signal.aborted && link.isOpen) {
        // The association dropped since the last poll (inactivity, DM, a meter restart): once more.
        await drop();
        traceTo({ t: new Date().toISOString(), dir: 'info', hex: '', summary: `association lost (${r.ended.code}): associating again` });
        identity = await connect(link, signal, ctx.lang);
        r = await readPoll(held!.opened, registers);
      }
      if (r.ended || !keep || signal.aborted) await drop();
      const error = r.ended ?? r.error;
      return done({
        readings: r.readings,
        ...(r.driftS !== undefined ? { driftS: r.driftS } : {}),
        ...(identity ? { identity } : {}),
        ...(error ? { error } : {}),
      });
    } catch (e) {
      await drop();
      return done({ readings: [], error: toErrorInfo(e, ctx.lang) });
    } finally {
      traceTo = undefined;
    }
  };
  poll.close = drop;
  return poll;
}
