/**
 * Runs a sans-IO machine on a link: the one runtime every machine runs on, the reader's client
 * machines and the simulator's meter machines alike. It writes bytes (waiting until they have
 * left the host), changes the line once the bytes are out and the machine's `notBefore` has come,
 * owns the one timer the machine asked for, feeds received bytes and time back, and owns the
 * operation's deadline. This is the only place where protocol time becomes real time.
 *
 * - `deadlineMs`: a watchdog. When it passes the machine is asked to end cleanly (as on a cancel)
 *   and, whatever it answers, the run ends with OPERATION_DEADLINE (with the bytes received); if
 *   it has not ended `cancelGraceMs` later it is ended anyway.
 * - `pace`: bytes leave at the real speed of the link's line (n characters take
 *   n × bitsPerChar / baud seconds, written in small chunks as their wire time comes), and a
 *   received chunk is given to the machine only once its wire time has passed.
 * - `wire`: hooks between the machine and the link (the simulator's fault injection): reshape or
 *   withhold what is sent, cut the link in the middle of a write, translate line changes, filter
 *   what is received and echo it back.
 */
import type { Action, LineRequest, Machine } from '../engine/machine';
import { bitsPerChar, type LineSettings, type Link } from '../link/types';
import { OmrError } from '../../shared/errors';
import type { TraceEntry } from '../../shared/types';

export type SendAction<E> = Extract<Action<E>, { type: 'send' }>;

/** What the wire makes of one send: other bytes, a later start, or a cut link. */
export interface Outgoing {
  bytes: Uint8Array;
  /** Not before this time (ms, absolute): a reaction time. */
  notBefore?: number;
  /** Write only this many bytes, then close the link (a pulled cable). */
  cutAt?: number;
}

export interface WireHooks<E> {
  /** Shape a send; `undefined` sends nothing. */
  transmit?(send: SendAction<E>): Outgoing | undefined;
  /** Bytes received → what the machine sees, and bytes to send straight back (an echo). */
  receive?(bytes: Uint8Array): { bytes: Uint8Array; echo?: Uint8Array };
  /** A line request → the settings the link is given. */
  setLine?(line: LineRequest): Partial<LineSettings>;
  /** The wire cut the link (`cutAt`): called before the link is closed. */
  onCut?(): void;
}

export interface DriverOptions<E> {
  onEvent?: (event: E) => void;
  onTrace?: (entry: TraceEntry) => void;
  /** Parity errors the link saw on received bytes (alignment diagnostics). */
  onParityErrors?: (count: number) => void;
  signal?: AbortSignal;
  /** Time after a cancel (or the deadline) in which the machine must finish, else it is ended. */
  cancelGraceMs?: number;
  /** The longest the operation may run (ms from start); then OPERATION_DEADLINE. */
  deadlineMs?: number;
  /** Send and receive at the wire speed of the link's line. */
  pace?: boolean;
  wire?: WireHooks<E>;
  now?: () => number;
}

/** Hex of sent bytes with each secret stretch replaced by one `**` (its length is not shown). */
export function redactedHex(bytes: Uint8Array, redact: [number, number][] = []): string {
  let out = '';
  let hidden = false;
  for (let i = 0; i < bytes.length; i++) {
    if (redact.some(([s, e]) => i >= s && i < e)) {
      // One marker per hidden stretch, whatever its length: the length of a password is a secret too.
      if (!hidden) out += '**';
      hidden = true;
    } else {
      out += bytes[i]!.toString(16).padStart(2, '0');
      hidden = false;
    }
  }
  return out;
}

/** Node clamps longer timeouts to 1 ms: a far wake-up is armed in steps of at most this. */
const MAX_TIMER_MS = 2_147_000_000;

type Item<E> = Action<E> | { type: 'raw'; bytes: Uint8Array };

export class Driver<E> {
  private queue: Item<E>[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private unsubscribe: (() => void)[] = [];
  private resolveDone!: () => void;
  private rejectDone!: (e: OmrError) => void;
  readonly done: Promise<void>;
  private readonly now: () => number;
  private cancelTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private deadlinePassed = false;
  private startedAt = 0;
  private lastRxAt: number | undefined;
  private received = 0;
  /** Pacing and reaction-time waits in progress: resolved at once when the run ends. */
  private readonly waits = new Map<NodeJS.Timeout, () => void>();
  /** When the last received byte has fully arrived (pace). */
  private rxReadyAt = 0;
  /** When the last byte sent leaves the wire (pace). */
  private txFreeAt = 0;

  constructor(
    readonly link: Link,
    readonly machine: Machine<E>,
    private readonly options: DriverOptions<E> = {},
  ) {
    this.now = options.now ?? Date.now;
    this.done = new Promise<void>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    // Callers may only look at `done` later: never leave it as an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** Bytes received from the link so far. */
  get bytesReceived(): number {
    return this.received;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Attach to the link and start the machine. Resolves or rejects with the machine's end. */
  start(): Promise<void> {
    this.startedAt = this.now();
    this.unsubscribe.push(
      this.link.onData((raw, info) => {
        if (this.finished) return;
        this.received += raw.length;
        this.lastRxAt = this.now();
        this.trace('rx', raw, '');
        if (info?.parityErrors) this.options.onParityErrors?.(info.parityErrors);
        const shaped = this.options.wire?.receive ? this.options.wire.receive(raw) : { bytes: raw };
        if (shaped.echo) this.push([{ type: 'raw', bytes: shaped.echo }]);
        this.deliver(shaped.bytes);
      }),
      this.link.onClose((error) => {
        if (this.finished) return;
        const lost = error ?? new OmrError('LINK_LOST', `${this.link.description} closed`);
        // Let the machine hand over what it had received before the link went away.
        for (const a of this.machine.linkLost?.(lost, this.now()) ?? []) {
          if (a.type === 'event') this.options.onEvent?.(a.event);
          else if (a.type === 'trace') this.trace('info', undefined, a.summary);
        }
        this.finish(lost);
      }),
    );
    const signal = this.options.signal;
    if (signal) {
      const onAbort = () => this.cancel();
      if (signal.aborted) queueMicrotask(onAbort);
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.unsubscribe.push(() => signal.removeEventListener('abort', onAbort));
      }
    }
    if (this.options.deadlineMs !== undefined) {
      this.deadlineTimer = setTimeout(() => this.deadline(), Math.min(MAX_TIMER_MS, Math.max(0, this.options.deadlineMs)));
    }
    this.push(this.machine.start(this.now()));
    return this.done;
  }

  /** Actions produced by calling the machine from outside (e.g. a new request). */
  push(actions: Item<E>[]): void {
    if (this.finished) return;
    this.queue.push(...actions);
    if (!this.running) void this.run();
  }

  cancel(): void {
    if (this.finished) return;
    this.push(this.machine.cancel(this.now()));
    this.cancelTimer ??= setTimeout(() => this.finish(new OmrError('CANCELLED')), this.options.cancelGraceMs ?? 3000);
  }

  /** Detach from the link without ending it (the link stays open); `done` resolves. */
  stop(): void {
    this.finish();
  }

  /** Received bytes reach the machine now, or once their wire time has passed (pace). */
  private deliver(bytes: Uint8Array): void {
    if (!this.options.pace) {
      this.push(this.machine.receive(bytes, this.now()));
      return;
    }
    this.rxReadyAt = Math.max(this.rxReadyAt, this.now()) + bytes.length * this.charMs();
    const at = this.rxReadyAt;
    void this.sleep(at - this.now()).then(() => {
      if (!this.finished) this.push(this.machine.receive(bytes, at));
    });
  }

  /** The deadline passed: the machine may still sign off, but the run ends as OPERATION_DEADLINE. */
  private deadline(): void {
    this.deadlineTimer = undefined;
    if (this.finished) return;
    this.deadlinePassed = true;
    this.cancel();
  }

  private deadlineError(cause?: OmrError): OmrError {
    const ms = this.options.deadlineMs ?? 0;
    const rx = this.received
      ? `${this.received} bytes received, the last ${Math.max(0, this.now() - (this.lastRxAt ?? this.startedAt))} ms before the end`
      : 'no byte received';
    return new OmrError('OPERATION_DEADLINE', `${ms} ms limit passed on ${this.link.description}; ${rx}`, cause ? { cause } : undefined);
  }

  /**
   * One timer for the machine's wake-up. Node may fire a timer a millisecond or two before the
   * time asked for; the machine is never ticked before `at` (it would see its deadline not yet
   * passed and could lose it), the timer is armed again for the rest instead.
   */
  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!Number.isFinite(at)) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.finished) return;
        if (this.now() < at) return this.arm(at);
        this.push(this.machine.tick(this.now()));
      },
      Math.min(MAX_TIMER_MS, Math.max(0, at - this.now())),
    );
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.finished) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.waits.delete(t);
        resolve();
      }, ms);
      this.waits.set(t, resolve);
    });
  }

  private charMs(): number {
    return (bitsPerChar(this.link.line) * 1000) / this.link.line.baudRate;
  }

  private trace(dir: TraceEntry['dir'], bytes: Uint8Array | undefined, summary: string, redact?: [number, number][]): void {
    if (!this.options.onTrace) return;
    this.options.onTrace({ t: new Date().toISOString(), dir, hex: bytes ? redactedHex(bytes, redact) : '', summary });
  }

  /** Write one send on the wire: after its reaction time, paced, or cut. */
  private async transmit(out: Outgoing): Promise<void> {
    if (out.notBefore !== undefined) await this.sleep(out.notBefore - this.now());
    if (this.finished) return;
    const { bytes, cutAt } = out;
    const pace = this.options.pace === true;
    if (!pace && cutAt === undefined) {
      await this.link.write(bytes);
      return;
    }
    const line = this.link.line;
    const charMs = pace ? this.charMs() : 0;
    const chunk = pace ? Math.max(1, Math.min(64, Math.round(line.baudRate / 300))) : bytes.length;
    const start = Math.max(this.now(), this.txFreeAt);
    for (let i = 0; i < bytes.length; i += chunk) {
      if (this.finished) return;
      if (cutAt !== undefined && i + chunk > cutAt) {
        const part = bytes.subarray(i, cutAt);
        if (part.length) await this.link.write(part);
        this.finish();
        this.options.wire?.onCut?.();
        await this.link.close();
        return;
      }
      // A chunk reaches the other end when its last character has crossed the wire.
      if (pace) await this.sleep(start + Math.min(bytes.length, i + chunk) * charMs - this.now());
      if (this.finished) return;
      await this.link.write(bytes.subarray(i, i + chunk));
    }
    this.txFreeAt = start + bytes.length * charMs;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length && !this.finished) {
        const a = this.queue.shift()!;
        switch (a.type) {
          case 'raw':
            await this.link.write(a.bytes).catch(() => undefined);
            break;
          case 'send': {
            this.trace('tx', a.bytes, a.summary, a.redact);
            const out: Outgoing | undefined = this.options.wire?.transmit ? this.options.wire.transmit(a) : { bytes: a.bytes };
            // The machine's own hold (a reaction time) and the wire's, whichever ends later.
            if (out && a.notBefore !== undefined) out.notBefore = Math.max(out.notBefore ?? a.notBefore, a.notBefore);
            if (out) await this.transmit(out);
            break;
          }
          case 'setLine': {
            // Writes are awaited in order, so everything sent before is out by now.
            const wait = Math.max(a.notBefore, this.options.pace ? this.txFreeAt : 0) - this.now();
            if (wait > 0) await this.sleep(wait);
            if (this.finished) return;
            const settings = this.options.wire?.setLine
              ? this.options.wire.setLine(a.line)
              : { baudRate: a.line.baudRate, dataBits: a.line.dataBits, parity: a.line.parity };
            await this.link.setLine(settings);
            this.trace('info', undefined, `line ${a.line.baudRate} ${a.line.dataBits}${a.line.parity[0]!.toUpperCase()}1`);
            this.queue.push(...this.machine.lineChanged(this.now()));
            break;
          }
          case 'wakeAt':
            this.arm(a.at);
            break;
          case 'trace':
            this.trace('info', undefined, a.summary);
            break;
          case 'event':
            this.options.onEvent?.(a.event);
            break;
          case 'done':
            this.finish();
            break;
          case 'fail':
            this.finish(a.error);
            break;
        }
      }
    } catch (e) {
      this.finish(e instanceof OmrError ? e : new OmrError('LINK_LOST', (e as Error).message, { cause: e }));
    } finally {
      this.running = false;
    }
  }

  private finish(error?: OmrError): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.cancelTimer) clearTimeout(this.cancelTimer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    for (const [t, resolve] of this.waits) {
      clearTimeout(t);
      resolve();
    }
    this.waits.clear();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    // Past the deadline, however the machine ended (signed off, cancelled, forced), the run ends
    // for that reason: never as a user cancel, never as "no answer" when bytes came.
    if (this.deadlinePassed) this.rejectDone(this.deadlineError(error));
    else if (error) this.rejectDone(error);
    else this.resolveDone();
  }
}

/** Run a machine to its end on a link. */
export function drive<E>(link: Link, machine: Machine<E>, options: DriverOptions<E> = {}): Promise<void> {
  return new Driver(link, machine, options).start();
}
