/**
 * The customer-port listener: runs the engine's {@link CustomerPortDecoder} on a link, tells it
 * when the line has been silent for `silenceMs` (which ends a telegram or APDU cut short), and
 * hands every result on. It ends when the link closes or the signal aborts; what is held at that
 * moment is flushed as a silence, so nothing read is lost.
 */
import type { LineSettings, Link } from '../../link/types';
import { CustomerPortDecoder, type DecoderOptions, type FrameResult } from '../../engine/customer-port/decoder';

export interface ListenOptions extends DecoderOptions {
  /** Quiet time that ends a message (ms). P1 telegrams come every 1-10 s; pushes every 1 s or more. */
  silenceMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  onResult: (r: FrameResult) => void;
  /**
   * A line to try once when this one gives only garbage: after {@link FALLBACK_AFTER_BYTES} bytes
   * with no whole message, the link is set to it (a DSMR 2.2/3 meter at 9600 7E1 on a port opened
   * at the DSMR 4/5 default 115200 8N1). Only on a link that can change its line.
   */
  fallbackLine?: Pick<LineSettings, 'baudRate' | 'dataBits' | 'parity'>;
  onLineChange?: (line: Pick<LineSettings, 'baudRate' | 'dataBits' | 'parity'>) => void;
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
/** Bytes of garbage (no whole message) before the fall-back line is tried: a few telegrams' worth. */
export const FALLBACK_AFTER_BYTES = 2048;

export function listen(link: Link, o: ListenOptions): Promise<ListenSummary> {
  const now = o.now ?? Date.now;
  let decoder = new CustomerPortDecoder(o);
  // A P1 port sends only while Data Request is raised (DTR/RTS on a serial adapter).
  void link.setModemLines?.({ dtr: true, rts: true }).catch(() => undefined);
  let fallback = link.canChangeLine ? o.fallbackLine : undefined;
  let bytesWithoutMessage = 0;
  const summary: ListenSummary = { messages: 0, good: 0, warnings: 0, bad: 0 };
  const silenceMs = o.silenceMs ?? DEFAULT_SILENCE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const emit = (results: FrameResult[]): void => {
    for (const r of results) {
      // A whole message (even one with a bad checksum or key) means the line is right.
      if (r.verdict.status !== 'bad' || r.kind === 'p1') fallback = undefined;
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
      bytesWithoutMessage += bytes.length;
      if (fallback && bytesWithoutMessage >= FALLBACK_AFTER_BYTES) {
        const line = fallback;
        fallback = undefined;
        decoder = new CustomerPortDecoder(o);
        void link.setLine(line).then(
          () => o.onLineChange?.(line),
          () => undefined,
        );
      }
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
