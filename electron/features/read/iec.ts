/**
 * Runs an IEC 62056-21 exchange on a link and folds its events into a result. What was read
 * before a failure is kept: the result carries it along with the typed error.
 */
import { OmrError, toErrorInfo } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { MeterIdentity, Reading, TraceEntry } from '../../../shared/types';
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
  onProgress?: (bytes: number) => void;
  onWarning?: (warning: IecWarning) => void;
  onTrace?: (entry: TraceEntry) => void;
  onParityErrors?: (count: number) => void;
}

/** Client options from the settings, for one purpose. */
export function iecOptions(settings: Settings, o: Omit<IecClientOptions, 'maxBaud'> & { maxBaud?: number }): IecClientOptions {
  return {
    maxBaud: settings.maxBaud,
    fixedBaud: settings.fixedBaud,
    reactionTimeoutMs: settings.reactionTimeoutMs,
    interCharTimeoutMs: settings.interCharTimeoutMs,
    baudSwitchDelayMs: settings.baudSwitchDelayMs,
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

export async function runIec(link: Link, options: IecClientOptions, cb: IecCallbacks = {}, signal?: AbortSignal): Promise<IecRun> {
  const result: IecRun = { readings: [], warnings: [], done: false };
  const client = new IecClient(options);
  let sentAt: number | undefined;
  let sentChars = 0;
  const driver = new Driver<IecEvent>(link, client, {
    ...(signal ? { signal } : {}),
    onEvent: (e) => {
      if (e.type === 'identity') {
        result.identity = e.identity;
        cb.onIdentity?.(e.identity);
      } else if (e.type === 'readings') {
        result.readings.push(...e.readings);
        if (e.readings.length) cb.onReadings?.(e.readings);
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
