/**
 * One DLMS visit on an open link: the IEC 62056-21 handshake with the mode E option select
 * (unless the link speaks HDLC or the wrapper directly), the handover to HDLC at the agreed
 * speed in 8N1, the association with the chosen client, identify, the plans, and the release —
 * which also runs after a cancel or an error, as long as the link is there. Used by the reading
 * service (app) and by `omr read`.
 */
import { OmrError, toErrorInfo, type ErrorInfo, type Lang } from '../../../shared/errors';
import type { IdentifyResult, MeterEvent, ProfileData } from '../../../shared/session';
import type { Settings } from '../../../shared/settings';
import type { MeterIdentity, Reading, TraceEntry } from '../../../shared/types';
import type { Link } from '../../link/types';
import { openAssociation, type DlmsAddress, type DlmsKeys, type InvocationCounterStore, type OpenedAssociation } from './dlms-session';
import { iecOptions, runIec } from './iec';
import { PlanRun, type PlanContext } from './plan-run';
import { identifyPlan, runPlan, type PlanSpec } from './plans';
import { readVisibility } from './visibility';

export interface DlmsReadCallbacks {
  onIdentity?: (identity: MeterIdentity) => void;
  onDlmsIdentity?: (id: NonNullable<IdentifyResult['dlms']>) => void;
  onReadings?: (readings: Reading[]) => void;
  onProgress?: (p: { label: string; done: number; total?: number; bytes?: number; rows?: number; rowsExpected?: number }) => void;
  onWarning?: (text: string) => void;
  /** Per-object errors as they happen (the final error is in the result). */
  onError?: (e: ErrorInfo) => void;
  /** A profile's columns, then its rows as they are decoded, then the whole profile. */
  onProfileStart?: (p: ProfileData) => void;
  onProfileRows?: (obis: string, rows: string[][]) => void;
  onProfile?: (p: ProfileData) => void;
  onEvents?: (events: MeterEvent[]) => void;
  onTrace?: (entry: TraceEntry) => void;
}

export interface DlmsReadOptions {
  link: Link;
  settings: Settings;
  address: DlmsAddress;
  auth: 'none' | 'lls' | 'hls-gmac';
  password?: string;
  keys?: DlmsKeys;
  counters?: InvocationCounterStore;
  counterObis?: string;
  /** IEC 62056-21 device address for the handshake. */
  iecAddress?: string;
  /** Talk HDLC (or the wrapper) at once: no IEC handshake. */
  direct?: boolean;
  /** Line speed of a direct HDLC link (default 9600). */
  directBaud?: number;
  plans: PlanSpec[];
  /** An earlier read of the same profile range that was cut short (its rows are kept). */
  resume?: PlanContext['resume'];
  /** Read identify first (default true). */
  identify?: boolean;
  /**
   * Read the association's object list first and ask only for what it shows this client
   * (default: for the public client, whose list is short, when a plan reads registers).
   */
  objectList?: boolean;
  lang?: Lang;
  signal?: AbortSignal;
  releaseGraceMs?: number;
  now?: () => number;
  random?: (n: number) => Uint8Array;
}

export interface DlmsReadResult {
  identity?: MeterIdentity;
  run: PlanRun;
  /** The error that ended the read early (per-object errors are in run.errors). */
  error?: ErrorInfo;
  /** HDLC speed after the mode E switch. */
  baudRate?: number;
  /** The release went through (RLRQ/RLRE, DISC/UA). */
  released: boolean;
}

/**
 * The way in: the IEC 62056-21 handshake with mode E (or the line set to 8N1 for direct HDLC or
 * the wrapper), then the association with the chosen client. Fills `result` (identity, baud
 * rate, warnings in `result.run`); throws the typed error that stopped it.
 */
export async function connectDlms(
  o: DlmsReadOptions,
  cb: DlmsReadCallbacks,
  result: Pick<DlmsReadResult, 'identity' | 'baudRate' | 'run'>,
): Promise<OpenedAssociation> {
  const warn = (text: string) => {
    result.run.warnings.push(text);
    cb.onWarning?.(text);
  };
  const modeE = async (again: boolean): Promise<void> => {
    // Again (after a DISC): the meter is back at 300 baud 7E1.
    if (again) await o.link.setLine({ baudRate: 300, dataBits: 7, parity: 'even', stopBits: 1 });
    const iec = await runIec(
      o.link,
      iecOptions(o.settings, { purpose: 'modeE', ...(o.iecAddress ? { address: o.iecAddress } : {}) }),
      {
        onIdentity: (identity) => {
          if (again) return;
          result.identity = identity;
          cb.onIdentity?.(identity);
        },
        onWarning: (w) => warn(`${w.code}: ${w.detail}`),
        ...(cb.onTrace ? { onTrace: cb.onTrace } : {}),
      },
      o.signal,
    );
    if (iec.error) throw new OmrError(iec.error.code, iec.error.detail);
    if (!iec.handover) throw new OmrError('MODE_NOT_OFFERED', 'no mode E handover');
    result.baudRate = iec.handover.baudRate;
  };
  if (!o.direct) {
    await modeE(false);
  } else {
    // Direct HDLC (or the wrapper): the line is 8N1 from the start (IEC 62056-46 direct HDLC
    // runs at 9600 baud by default; a TCP head ignores the speed).
    const baudRate = o.directBaud ?? 9600;
    await o.link.setLine({ baudRate, dataBits: 8, parity: 'none', stopBits: 1 });
    result.baudRate = baudRate;
  }
  if (o.signal?.aborted) throw new OmrError('CANCELLED');
  return openAssociation({
    link: o.link,
    // Propose larger received frames than the 128-byte default (fewer RR round trips on long
    // profiles); the meter's UA settles the size it accepts.
    address: { ...o.address, hdlcParameters: { maxInfoRx: 512, ...o.address.hdlcParameters } },
    auth: o.auth,
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.keys ? { keys: o.keys } : {}),
    ...(o.counters ? { counters: o.counters } : {}),
    ...(o.counterObis ? { counterObis: o.counterObis } : {}),
    onNote: warn,
    ...(cb.onTrace ? { onTrace: cb.onTrace } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.releaseGraceMs ? { releaseGraceMs: o.releaseGraceMs } : {}),
    ...(o.random ? { random: o.random } : {}),
    ...(o.direct ? {} : { between: () => modeE(true) }),
  });
}

export async function runDlmsRead(o: DlmsReadOptions, cb: DlmsReadCallbacks = {}): Promise<DlmsReadResult> {
  const run = new PlanRun();
  const result: DlmsReadResult = { run, released: false };
  const fail = (e: unknown) => {
    result.error = toErrorInfo(e, o.lang);
    return result;
  };
  let opened: OpenedAssociation;
  try {
    opened = await connectDlms(o, cb, result);
  } catch (e) {
    return fail(e);
  }
  const { session } = opened;
  const ctx: PlanContext = {
    session,
    run,
    ...(o.lang ? { lang: o.lang } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(cb.onReadings ? { onReadings: cb.onReadings } : {}),
    ...(cb.onProgress ? { onProgress: cb.onProgress } : {}),
    ...(cb.onError ? { onError: cb.onError } : {}),
    onWarning: (t) => cb.onWarning?.(t),
    ...(cb.onProfileStart ? { onProfileStart: cb.onProfileStart } : {}),
    ...(cb.onProfileRows ? { onProfileRows: cb.onProfileRows } : {}),
    ...(cb.onProfile ? { onProfile: cb.onProfile } : {}),
    ...(cb.onEvents ? { onEvents: cb.onEvents } : {}),
    ...(o.resume ? { resume: o.resume } : {}),
  };
  try {
    if (o.objectList ?? (o.auth === 'none' && o.plans.some((p) => p.plan === 'billing' || p.plan === 'instantaneous'))) {
      const v = await readVisibility(session);
      if (v.visible) ctx.visible = v.visible;
      else if (v.failure) {
        const text = `object list not read (${v.failure.code}): every object is asked for`;
        run.warnings.push(text);
        cb.onWarning?.(text);
      }
    }
    if (o.identify !== false) {
      const id = await identifyPlan(ctx);
      cb.onDlmsIdentity?.(id);
    }
    for (const spec of o.plans) await runPlan(ctx, spec);
  } catch (e) {
    fail(e);
  } finally {
    const r = await session.release();
    result.released = r.clean;
    opened.finish();
    // The session may have ended on its own (link lost) without a plan noticing.
    if (!result.error && session.failure && session.failure.code !== 'CANCELLED') fail(session.failure);
  }
  if (!result.error && o.signal?.aborted) fail(new OmrError('CANCELLED'));
  return result;
}

/** The client SAP that goes with an authentication, when none is given (E450 / IDIS). */
export function defaultClientSap(auth: 'none' | 'lls' | 'hls-gmac'): number {
  return auth === 'lls' ? 32 : auth === 'hls-gmac' ? 1 : 16;
}

type KeyEntries = [string, string][];

/** The entries of a key file: JSON or `name=value` lines. */
function keyFileEntries(textContent: string): KeyEntries {
  let entries: [string, string][];
  const t = textContent.trim();
  if (t.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch {
      throw new OmrError('INVALID_REQUEST', 'key file: not valid JSON');
    }
    entries = Object.entries(obj as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
  } else {
    entries = t
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const m = /^([^=:]+)[=:](.*)$/.exec(l);
        if (!m) throw new OmrError('INVALID_REQUEST', 'key file: lines must be name=value');
        return [m[1]!.trim(), m[2]!.trim()] as [string, string];
      });
  }
  return entries;
}

const KEY_NAMES = {
  authenticationKey: [/^(ak|authenticationkey|authkey|auth)$/, 'authentication key', 16],
  encryptionKey: [/^(ek|encryptionkey|blockcipherkey|guek|enckey|key)$/, 'encryption key', 16],
  systemTitle: [/^(systemtitle|clientsystemtitle|st|title)$/, 'system title', 8],
} as const;

/** One key of a key file, hex-decoded; undefined when absent. Names are matched loosely. */
function findKey(entries: KeyEntries, name: keyof typeof KEY_NAMES): Uint8Array | undefined {
  const [re, what, len] = KEY_NAMES[name];
  const e = entries.find(([k]) => re.test(k.replace(/[\s_-]/g, '').toLowerCase()));
  if (!e) return undefined;
  const hexText = e[1].replace(/\s+/g, '').replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(hexText) || hexText.length !== len * 2)
    throw new OmrError('INVALID_REQUEST', `key file: the ${what} must be ${len} bytes of hex`);
  return Uint8Array.from(Buffer.from(hexText, 'hex'));
}

function requireKey(entries: KeyEntries, name: keyof typeof KEY_NAMES): Uint8Array {
  const k = findKey(entries, name);
  if (!k) throw new OmrError('INVALID_REQUEST', `key file: no ${KEY_NAMES[name][1]}`);
  return k;
}

/** Keys for an HLS-GMAC association: all three are needed. */
export function parseKeyFile(textContent: string): DlmsKeys {
  const entries = keyFileEntries(textContent);
  return {
    authenticationKey: requireKey(entries, 'authenticationKey'),
    encryptionKey: requireKey(entries, 'encryptionKey'),
    systemTitle: requireKey(entries, 'systemTitle'),
  };
}

/** Keys for listening to pushes: the encryption key; the authentication key when known. */
export function parsePushKeyFile(textContent: string): { encryptionKey: Uint8Array; authenticationKey?: Uint8Array } {
  const entries = keyFileEntries(textContent);
  const authenticationKey = findKey(entries, 'authenticationKey');
  return { encryptionKey: requireKey(entries, 'encryptionKey'), ...(authenticationKey ? { authenticationKey } : {}) };
}
