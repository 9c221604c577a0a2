/**
 * Runs an IEC 62056-21 exchange on a link and folds its events into a result. What was read
 * before a failure is kept: the result carries it along with the typed error.
 */
import { OmrError, toErrorInfo } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { MeterIdentity, Reading, RegisterError, TraceEntry } from '../../../shared/types';
import { IecClient, type IecClientOptions, type IecEvent, type IecResult, type IecWarning } from '../../engine/iec62056-21';
import type { Link } from '../../link/types';
import { Driver } from '../../runtime/driver';

/**
 * What a programming-mode session reads (R1) when the caller names nothing: the billing registers,
 * time and date, serial number and error register, in the readout spellings every IEC 62056-21
 * meter understands.
 */
export const DEFAULT_PROGRAMMING_READS = ['1.8.0', '1.8.1', '1.8.2', '2.8.0', '2.8.1', '2.8.2', '0.9.1', '0.9.2', 'C.1.0', 'F.F'] as const;

export interface IecCallbacks {
  onIdentity?: (identity: MeterIdentity) => void;
  onReadings?: (readings: Reading[]) => void;
  /**
   * A readout's data lines as they arrive, unverified (before the BCC): they replace the
   * provisional readings from index `from` on; the next onReadings supersedes them all.
   */
  onPartialReadings?: (from: number, readings: Reading[]) => void;
  /** Programming mode: a register the meter answered with an error code (`ER12`). */
  onRegisterError?: (error: RegisterError) => void;
  onProgress?: (bytes: number) => void;
  onWarning?: (warning: IecWarning) => void;
  onTrace?: (entry: TraceEntry) => void;
  onParityErrors?: (count: number) => void;
}

/** Client options from the settings, for one purpose. */
export function iecOptions(settings: Settings, o: Omit<IecRunOptions, 'maxBaud'> & { maxBaud?: number }): IecRunOptions {
  return {
    maxBaud: settings.maxBaud,
    fixedBaud: settings.fixedBaud,
    reactionTimeoutMs: settings.reactionTimeoutMs,
    interCharTimeoutMs: settings.interCharTimeoutMs,
    baudSwitchDelayMs: settings.baudSwitchDelayMs,
    ...(settings.timings ? { timings: settings.timings } : {}),
    // The link does 7E1 in software (link/parity.ts): the engine sees clean 7-bit characters.
    parityInSoftware: false,
    ...o,
    ...(o.purpose === 'programming' && !o.reads?.length ? { reads: [...DEFAULT_PROGRAMMING_READS] } : {}),
  };
}

export interface IecRun extends IecResult {
  /** The time from the end of our first request to the first byte back, when known. */
  reactionMs?: number;
}

/**
 * The character format of the sign-on (request and option select): `7E1` as the standard has
 * it, `8N1` for a network peer that expects 8N1 (no parity bit), `auto` to try 7E1 and, when
 * nothing at all comes back, once more in 8N1.
 */
export type SignOnFormat = '7E1' | '8N1' | 'auto';

export const SIGN_ON_FORMATS: readonly SignOnFormat[] = ['7E1', '8N1', 'auto'];

export interface IecRunOptions extends IecClientOptions {
  /** Default per link: `auto` on a link that cannot change the line (raw TCP), else `7E1`. */
  signOnFormat?: SignOnFormat;
}

export function defaultSignOnFormat(link: Pick<Link, 'canChangeLine'>): SignOnFormat {
  return link.canChangeLine ? '7E1' : 'auto';
}

/**
 * The client options a link allows. A link that cannot change the line (raw TCP) proposes the
 * speed the line already has in the option select, so the meter stays at the speed the far
 * side runs — unless the far end follows a switch by itself (`fixedBaud`: smart probes, heads
 * that auto-baud), where the meter's best speed is proposed and the host line is left alone.
 */
export function clientOptionsFor(link: Pick<Link, 'canChangeLine' | 'line'>, options: IecClientOptions): IecClientOptions {
  if (link.canChangeLine || options.fixedBaud) return options;
  return { ...options, maxBaud: Math.max(300, Math.min(options.maxBaud, link.line.baudRate)) };
}

export async function runIec(link: Link, options: IecRunOptions, cb: IecCallbacks = {}, signal?: AbortSignal): Promise<IecRun> {
  const { signOnFormat = defaultSignOnFormat(link), ...clientOptions } = options;
  const first = signOnFormat === '8N1' ? '8N1' : '7E1';
  const run = await runIecOnce(link, clientOptions, first, cb, signal);
  if (signOnFormat !== 'auto' || run.error?.code !== 'NO_ECHO_NO_ANSWER' || signal?.aborted || !link.isOpen) return run;
  // Nothing at all came back to a 7E1 sign-on: a peer that expects 8N1 drops such characters.
  const again = await runIecOnce(link, { ...clientOptions, requestAttempts: 1 }, '8N1', cb, signal);
  const warning: IecWarning = { code: 'PARITY_ERROR', detail: 'no answer to the 7E1 sign-on; the far side answered in 8N1 (no parity bit)' };
  if (!again.error) cb.onWarning?.(warning);
  return again.error ? { ...again, error: run.error } : { ...again, warnings: [warning, ...again.warnings] };
}

async function runIecOnce(link: Link, options: IecClientOptions, format: '7E1' | '8N1', cb: IecCallbacks, signal?: AbortSignal): Promise<IecRun> {
  const result: IecRun = { readings: [], warnings: [], done: false };
  const framing = format === '8N1' ? ({ dataBits: 8, parity: 'none' } as const) : ({ dataBits: 7, parity: 'even' } as const);
  if (link.line.dataBits !== framing.dataBits || link.line.parity !== framing.parity) await link.setLine(framing);
  const client = new IecClient(clientOptionsFor(link, options));
  let sentAt: number | undefined;
  let sentChars = 0;
  const driver = new Driver<IecEvent>(link, client, {
    ...(signal ? { signal } : {}),
    onEvent: (e) => {
      if (e.type === 'identity') {
        result.identity = e.identity;
        cb.onIdentity?.(e.identity);
      } else if (e.type === 'readings') {
        // A block whose checksum failed, one cut before its end, or one without its `!` end
        // line, is kept but not verified.
        const readings = e.complete ? e.readings : e.readings.map((r) => ({ ...r, verified: false }));
        result.readings.push(...readings);
        if (readings.length) cb.onReadings?.(readings);
      } else if (e.type === 'partialReadings') cb.onPartialReadings?.(e.from, e.readings);
      else if (e.type === 'registerError') {
        (result.registerErrors ??= []).push(e.error);
        cb.onRegisterError?.(e.error);
      } else if (e.type === 'progress') cb.onProgress?.(e.bytes);
      else if (e.type === 'warning') {
        result.warnings.push(e.warning);
        cb.onWarning?.(e.warning);
      } else if (e.type === 'handover') result.handover = { baudRate: e.baudRate, line: e.line };
    },
    onTrace: (entry) => {
      if (entry.dir === 'tx' && sentAt === undefined) {
        sentAt = Date.now();
        sentChars = entry.hex.length / 2;
      }
      if (entry.dir === 'rx' && sentAt !== undefined && result.reactionMs === undefined) {
        // From the end of our request on the wire (10 bits a character at the line's speed).
        const wire = (sentChars * 10 * 1000) / link.line.baudRate;
        result.reactionMs = Math.max(0, Math.round(Date.now() - sentAt - wire));
      }
      cb.onTrace?.(entry);
    },
    ...(cb.onParityErrors ? { onParityErrors: cb.onParityErrors } : {}),
  });
  try {
    await driver.start();
    result.done = true;
  } catch (e) {
    result.error = toErrorInfo(e instanceof OmrError ? e : new OmrError('INTERNAL', String(e)));
  }
  return result;
}
