/**
 * The customer-port listener: runs the engine's {@link CustomerPortDecoder} on a link, tells it
 * when the line has been silent for `silenceMs` (which ends a telegram or APDU cut short), and
 * hands every result on. It ends when the link closes or the signal aborts; what is held at that
 * moment is flushed as a silence, so nothing read is lost.
 */
import type { Link } from '../../link/types';
import { CustomerPortDecoder, type DecoderOptions, type FrameResult } from '../../engine/customer-port/decoder';

export interface ListenOptions extends DecoderOptions {
  /** Quiet time that ends a message (ms). P1 telegrams come every 1-10 s; pushes every 1 s or more. */
  silenceMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  onResult: (r: FrameResult) => void;
}

export interface ListenSummary {
  messages: number;
  good: number;
  warnings: number;
  bad: number;
  /** The link ended with an error (not by us). */
  linkError?: string;
}

export const DEFAULT_SILENCE_MS = 500;

export function listen(link: Link, o: ListenOptions): Promise<ListenSummary> {
  const now = o.now ?? Date.now;
  const decoder = new CustomerPortDecoder(o);
  const summary: ListenSummary = { messages: 0, good: 0, warnings: 0, bad: 0 };
  const silenceMs = o.silenceMs ?? DEFAULT_SILENCE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const emit = (results: FrameResult[]): void => {
    for (const r of results) {
      summary.messages++;
      if (r.verdict.status === 'good') summary.good++;
      else if (r.verdict.status === 'warning') summary.warnings++;
      else summary.bad++;
      o.onResult(r);
    }
  };
  return new Promise<ListenSummary>((resolve) => {
    let done = false;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      offData();
      offClose();
      emit(decoder.silence(now()));
      if (error) summary.linkError = error;
      resolve(summary);
    };
    const offData = link.onData((bytes) => {
      emit(decoder.push(bytes, now()));
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        emit(decoder.silence(now()));
      }, silenceMs);
    });
    const offClose = link.onClose((e) => finish(e?.message));
    if (o.signal?.aborted) finish();
    o.signal?.addEventListener('abort', () => finish(), { once: true });
  });
}

/** A result as one JSON-ready object (the shape `omr listen --json` prints). */
export function resultJson(r: FrameResult): Record<string, unknown> {
  const reading = (x: FrameResult['readings'][number]): Record<string, unknown> => ({
    obis: x.obis,
    ...(x.address !== x.obis ? { address: x.address } : {}),
    value: x.value,
    unit: x.unit,
    ...(x.scaler !== undefined ? { scaler: x.scaler } : {}),
    ...(x.raw !== undefined && x.raw !== x.value ? { raw: x.raw } : {}),
    ...(x.type ? { type: x.type } : {}),
    ...(x.extra ? { extra: x.extra } : {}),
    ...(x.captureTime ? { captureTime: x.captureTime } : {}),
    ...(x.timestamp ? { timestamp: x.timestamp } : {}),
  });
  const { status, layer, message, remedy, detail, code } = r.verdict;
  return {
    kind: r.kind,
    verdict: { status, layer, ...(code ? { code } : {}), message, ...(remedy ? { remedy } : {}), ...(detail ? { detail } : {}) },
    ...(r.list ? { list: r.list.id, ...(r.list.layout ? { layout: r.list.layout } : {}), ...(r.list.layout ? {} : { signature: r.list.signature }) } : {}),
    ...(r.identity !== undefined ? { identity: r.identity } : {}),
    ...(r.crc ? { crc: r.crc } : {}),
    ...(r.meterTime ? { meterTime: r.meterTime } : {}),
    readings: r.readings.map(reading),
    ...(r.unchecked ? { unchecked: r.unchecked.map(reading) } : {}),
    ...(r.notes.length > 0 ? { notes: r.notes } : {}),
    bytes: r.bytes,
  };
}
