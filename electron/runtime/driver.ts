/**
 * Carries out a sans-IO machine's actions on a link: writes bytes (waiting until they have left
 * the host), changes the line once the bytes are out and the machine's `notBefore` has come, owns
 * the one timer the machine asked for, and feeds received bytes and time back. This is the only
 * place where protocol time becomes real time.
 */
import type { Action, Machine } from '../engine/machine';
import type { Link } from '../link/types';
import { OmrError } from '../../shared/errors';
import type { TraceEntry } from '../../shared/types';

export interface DriverOptions<E> {
  onEvent?: (event: E) => void;
  onTrace?: (entry: TraceEntry) => void;
  /** Parity errors the link saw on received bytes (alignment diagnostics). */
  onParityErrors?: (count: number) => void;
  signal?: AbortSignal;
  /** Time after a cancel in which the machine must finish cleanly, else CANCELLED is forced. */
  cancelGraceMs?: number;
  now?: () => number;
}

/** Hex of sent bytes with the secret ranges replaced by `**` per byte. */
export function redactedHex(bytes: Uint8Array, redact: [number, number][] = []): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    out += redact.some(([s, e]) => i >= s && i < e) ? '**' : bytes[i]!.toString(16).padStart(2, '0');
  }
  return out;
}

export class Driver<E> {
  private queue: Action<E>[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private unsubscribe: (() => void)[] = [];
  private resolveDone!: () => void;
  private rejectDone!: (e: OmrError) => void;
  readonly done: Promise<void>;
  private readonly now: () => number;
  private cancelTimer: NodeJS.Timeout | undefined;

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

  /** Attach to the link and start the machine. Resolves or rejects with the machine's end. */
  start(): Promise<void> {
    this.unsubscribe.push(
      this.link.onData((bytes, info) => {
        if (this.finished) return;
        this.trace('rx', bytes, '');
        if (info?.parityErrors) this.options.onParityErrors?.(info.parityErrors);
        this.push(this.machine.receive(bytes, this.now()));
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
    this.push(this.machine.start(this.now()));
    return this.done;
  }

  /** Actions produced by calling the machine from outside (e.g. a new request). */
  push(actions: Action<E>[]): void {
    if (this.finished) return;
    this.queue.push(...actions);
    if (!this.running) void this.run();
  }

  cancel(): void {
    if (this.finished) return;
    this.push(this.machine.cancel(this.now()));
    this.cancelTimer ??= setTimeout(() => this.finish(new OmrError('CANCELLED')), this.options.cancelGraceMs ?? 3000);
  }

  /**
   * One timer for the machine's wake-up. Node may fire a timer a millisecond or two before the
   * time asked for; the machine is never ticked before `at` (it would see its deadline not yet
   * passed and could lose it), the timer is armed again for the rest instead.
   */
  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.finished) return;
      if (this.now() < at) return this.arm(at);
      this.push(this.machine.tick(this.now()));
    }, Math.max(0, at - this.now()));
  }

  private trace(dir: TraceEntry['dir'], bytes: Uint8Array | undefined, summary: string, redact?: [number, number][]): void {
    if (!this.options.onTrace) return;
    this.options.onTrace({ t: new Date().toISOString(), dir, hex: bytes ? redactedHex(bytes, redact) : '', summary });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length && !this.finished) {
        const a = this.queue.shift()!;
        switch (a.type) {
          case 'send':
            this.trace('tx', a.bytes, a.summary, a.redact);
            await this.link.write(a.bytes);
            break;
          case 'setLine': {
            // Writes are awaited in order, so everything sent before is out by now.
            const wait = a.notBefore - this.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            if (this.finished) return;
            await this.link.setLine({ baudRate: a.line.baudRate, dataBits: a.line.dataBits, parity: a.line.parity });
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
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    if (error) this.rejectDone(error);
    else this.resolveDone();
  }
}

/** Run a machine to its end on a link. */
export function drive<E>(link: Link, machine: Machine<E>, options: DriverOptions<E> = {}): Promise<void> {
  return new Driver(link, machine, options).start();
}
