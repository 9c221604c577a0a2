/**
 * The meter side of IEC 62056-21 for the virtual E450, as a machine fed bytes and time that
 * answers with actions (the runner carries them out on a link). Built on the engine's codec.
 *
 * Behaviour:
 * - idle at 300 baud 7E1; answers `/?!` and `/?ADDRESS!` when ADDRESS is its own address
 *   (a request without an address is answered by any meter, as on a shared bus);
 * - every answer after its reaction time, from the engine's timing table (timing.ts, the same
 *   the client waits by): at least 200 ms, or 20 ms when the manufacturer flag has a lower-case
 *   third letter (the standard's reduced reaction time); shorter settings are raised to that
 *   minimum, longer ones are capped at the longest reaction time (1500 ms) unless the fault
 *   `slow` asks for more;
 * - option select `ACK 0 Z 0` → switches to Z (when it offers it, else stays at 300) and sends
 *   the readout, then returns to 300 baud; `ACK 0 Z 1` → programming mode: P0 with a seed, then
 *   P1 (password) → ACK, or `(ER05)` for a wrong password (the session then ends: back to
 *   idle; no retry is accepted until a new handshake); R1 → `address(value*unit)` or `(ER01)`
 *   for an unknown address, `(ER02)` when no password was given; W1 → ACK (changes the value
 *   held by the simulator) or `(ER02)`; a command with a wrong BCC → NAK; NAK → the last answer
 *   again; B0 → idle; no command for `programmingTimeoutMs` → idle;
 * - `ACK 2 Z 2` (mode E, announced by `\2`) → optionally the same bytes back as acknowledgement
 *   at the old speed (`modeEAck`), then 8N1 at the new speed and a `handover` event: the DLMS
 *   side takes the link from there;
 * - no option select within `ackTimeoutMs` after the identification → idle.
 */
import {
  ACK,
  EOT,
  ETX,
  LF,
  MODE_C_BAUD,
  NAK,
  SOH,
  STX,
  decodeCommand,
  decodeDataMessage,
  encodeCommand,
  encodeDataMessage,
  encodeIdentification,
  latin1,
  parseOptionSelect,
  parseRequest,
} from '../../engine/iec62056-21/codec';
import { formatDataBlock, formatDataLine, parseDataBlock, type DataLine } from '../../engine/iec62056-21/readout';
import { minReactionMs, timingFor, type IecTiming, type TimingOverrides } from '../../engine/iec62056-21/timing';
import { E450Data, type E450DataOptions } from '../e450-data';

export interface IecMeterOptions {
  data?: E450Data | E450DataOptions;
  /** The meter's device address (for `/?ADDRESS!`); default: its serial number. */
  address?: string;
  /** Programming-mode password (default `00000000`). */
  password?: string;
  /** Reaction time (ms) before each answer (default: the shortest the timing table allows). */
  reactionMs?: number;
  /** Answer later than the longest reaction time allows (fault `slow`). */
  beyondStandard?: boolean;
  /** Figures that differ from the standard's for this meter (see timing.ts). */
  timing?: TimingOverrides;
  /** Answer `ACK 2 Z 2` with the same bytes before switching (default false). */
  modeEAck?: boolean;
  /** Ignore the proposed baud rate: send the readout at 300 (fault `ignore-baud`). */
  ignoreBaud?: boolean;
  /** Ignore the first request after power-up (fault `wakeup`). */
  sleepy?: boolean;
  ackTimeoutMs?: number;
  programmingTimeoutMs?: number;
}

export type MeterLine = { baudRate: number; dataBits: 7 | 8; parity: 'even' | 'none' };

export type MeterEvent =
  | { type: 'request'; address: string; answered: boolean }
  | { type: 'readout'; baudRate: number; bytes: number }
  | { type: 'programming'; baudRate: number }
  | { type: 'login'; ok: boolean }
  | { type: 'read'; address: string; ok: boolean }
  | { type: 'break' }
  | { type: 'handover'; baudRate: number };

export type MeterAction =
  | { type: 'send'; bytes: Uint8Array; what: 'identification' | 'readout' | 'answer' | 'ack' }
  | { type: 'setLine'; line: MeterLine }
  | { type: 'wakeAt'; at: number }
  | { type: 'event'; event: MeterEvent };

type State = 'idle' | 'identSent' | 'prog' | 'handedOver';

const LINE_300: MeterLine = { baudRate: 300, dataBits: 7, parity: 'even' };

export class IecMeter {
  readonly data: E450Data;
  readonly address: string;
  readonly reactionMs: number;
  readonly timing: IecTiming;
  private readonly o: IecMeterOptions;
  private state: State = 'idle';
  private buf: number[] = [];
  private job: { at: number; run: () => MeterAction[] } | undefined;
  private deadline: number | undefined;
  private requestsSeen = 0;
  private baud = 300;
  private loggedIn = false;
  private lastAnswer: Uint8Array | undefined;
  private readonly written = new Map<string, DataLine>();

  constructor(options: IecMeterOptions = {}) {
    this.o = options;
    this.data = options.data instanceof E450Data ? options.data : new E450Data(options.data);
    this.address = options.address ?? this.data.serial;
    const flag = this.data.identification.manufacturer;
    this.timing = timingFor(flag, options.timing);
    const min = minReactionMs(flag, this.timing);
    const wanted = Math.max(min, options.reactionMs ?? min);
    this.reactionMs = options.beyondStandard ? wanted : Math.min(wanted, this.timing.reactionMaxMs);
  }

  get currentState(): State {
    return this.state;
  }

  /** Bytes from the host (7-bit characters: parity already handled by the link). */
  receive(bytes: Uint8Array, now: number): MeterAction[] {
    const out: MeterAction[] = [];
    if (this.state === 'handedOver') return out;
    for (const b of bytes) {
      this.buf.push(b & 0x7f);
      if (this.buf.length > 512) this.buf.splice(0, this.buf.length - 512);
      out.push(...this.scan(now));
    }
    return this.withWake(out);
  }

  tick(now: number): MeterAction[] {
    const out: MeterAction[] = [];
    if (this.job && now >= this.job.at) {
      const job = this.job;
      this.job = undefined;
      out.push(...job.run());
    }
    if (this.deadline !== undefined && now >= this.deadline && !this.job) {
      this.deadline = undefined;
      out.push(...this.toIdle());
    }
    return this.withWake(out);
  }

  private withWake(out: MeterAction[]): MeterAction[] {
    const next = this.job?.at ?? this.deadline;
    if (next !== undefined) out.push({ type: 'wakeAt', at: next });
    return out;
  }

  private later(now: number, run: () => MeterAction[]): void {
    this.job = { at: now + this.reactionMs, run };
  }

  private toIdle(): MeterAction[] {
    const out: MeterAction[] = [];
    this.state = 'idle';
    this.loggedIn = false;
    this.deadline = undefined;
    this.buf = [];
    if (this.baud !== 300) {
      this.baud = 300;
      out.push({ type: 'setLine', line: LINE_300 });
    }
    return out;
  }

  private scan(now: number): MeterAction[] {
    const buf = this.buf;
    const last = buf[buf.length - 1]!;
    if (this.state === 'prog') return this.scanProg(now);
    if (last !== LF) return [];
    // A line: a request (any state) or an option select (after the identification).
    const text = latin1(Uint8Array.from(buf));
    this.buf = [];
    const slash = text.lastIndexOf('/?');
    const req = slash >= 0 ? parseRequest(text.slice(slash)) : undefined;
    if (req) return this.onRequest(req.address, now);
    const ack = text.lastIndexOf('\x06');
    const opt = this.state === 'identSent' && ack >= 0 ? parseOptionSelect(text.slice(ack)) : undefined;
    if (opt) return this.onOptionSelect(opt.protocol, opt.baudChar, opt.mode, now);
    return [];
  }

  private onRequest(address: string, now: number): MeterAction[] {
    this.requestsSeen++;
    const mine = address === '' || address === this.address;
    const answered = mine && !(this.o.sleepy && this.requestsSeen === 1);
    const out: MeterAction[] = [{ type: 'event', event: { type: 'request', address, answered } }];
    if (!answered) return out;
    out.push(...this.toIdle());
    this.later(now, () => {
      this.state = 'identSent';
      this.deadline = now + this.reactionMs + (this.o.ackTimeoutMs ?? 2 * this.timing.reactionMaxMs);
      return [{ type: 'send', bytes: encodeIdentification(this.data.identification), what: 'identification' }];
    });
    return out;
  }

  private offered(baudChar: string): number {
    const max = MODE_C_BAUD[this.data.identification.baudChar] ?? 300;
    const want = MODE_C_BAUD[baudChar];
    return want !== undefined && want <= max ? want : 300;
  }

  private onOptionSelect(protocol: string, baudChar: string, mode: string, now: number): MeterAction[] {
    this.deadline = undefined;
    const baud = this.offered(baudChar);
    if (protocol === '2' && mode === '2' && this.data.identification.enhanced === '2') {
      const echo = this.o.modeEAck ? encodeOptionSelectBytes(protocol, baudChar, mode) : undefined;
      this.later(now, () => {
        const out: MeterAction[] = [];
        if (echo) out.push({ type: 'send', bytes: echo, what: 'ack' });
        this.state = 'handedOver';
        this.baud = baud;
        out.push({ type: 'setLine', line: { baudRate: baud, dataBits: 8, parity: 'none' } });
        out.push({ type: 'event', event: { type: 'handover', baudRate: baud } });
        return out;
      });
      return [];
    }
    const switchTo = this.o.ignoreBaud ? 300 : baud;
    if (mode === '1') {
      this.later(now, () => {
        const out: MeterAction[] = [];
        if (switchTo !== this.baud) {
          this.baud = switchTo;
          out.push({ type: 'setLine', line: { baudRate: switchTo, dataBits: 7, parity: 'even' } });
        }
        this.state = 'prog';
        this.loggedIn = false;
        this.buf = [];
        this.deadline = now + this.reactionMs + (this.o.programmingTimeoutMs ?? 120_000);
        const seed = String(Math.floor(now / 1000) % 100_000_000).padStart(8, '0');
        this.lastAnswer = encodeCommand({ command: 'P', type: '0', data: `(${seed})` });
        out.push({ type: 'event', event: { type: 'programming', baudRate: switchTo } });
        out.push({ type: 'send', bytes: this.lastAnswer, what: 'answer' });
        return out;
      });
      return [];
    }
    // Data readout (mode '0', and anything else we do not know: readout is the safe answer).
    this.later(now, () => {
      const out: MeterAction[] = [];
      if (switchTo !== this.baud) {
        this.baud = switchTo;
        out.push({ type: 'setLine', line: { baudRate: switchTo, dataBits: 7, parity: 'even' } });
      }
      const at = this.job?.at ?? now + this.reactionMs;
      const msg = encodeDataMessage(formatDataBlock(this.linesAt(at)));
      out.push({ type: 'event', event: { type: 'readout', baudRate: switchTo, bytes: msg.length } });
      out.push({ type: 'send', bytes: msg, what: 'readout' });
      out.push(...this.toIdle());
      return out;
    });
    return [];
  }

  private linesAt(now: number): DataLine[] {
    const lines = this.data.readout(now);
    return lines.map((l) => this.written.get(l.address) ?? l);
  }

  private scanProg(now: number): MeterAction[] {
    const buf = this.buf;
    const first = buf[0]!;
    if (first === NAK) {
      this.buf = [];
      const again = this.lastAnswer;
      if (again) this.later(now, () => [{ type: 'send', bytes: again, what: 'answer' }]);
      return [];
    }
    if (first === ACK) {
      this.buf = [];
      return [];
    }
    if (first !== SOH && first !== STX) {
      // Not a message start: a new request may come in programming mode too.
      if (buf[buf.length - 1] === LF) {
        const text = latin1(Uint8Array.from(buf));
        this.buf = [];
        const slash = text.lastIndexOf('/?');
        const req = slash >= 0 ? parseRequest(text.slice(slash)) : undefined;
        if (req) return this.onRequest(req.address, now);
      }
      if (buf.length > 64) this.buf = [];
      return [];
    }
    // SOH … ETX|EOT BCC
    const n = buf.length;
    if (n < 2 || (buf[n - 2] !== ETX && buf[n - 2] !== EOT)) return [];
    const msg = Uint8Array.from(buf);
    this.buf = [];
    this.deadline = now + (this.o.programmingTimeoutMs ?? 120_000);
    let cmd;
    try {
      cmd = first === SOH ? decodeCommand(msg) : undefined;
      if (!cmd) decodeDataMessage(msg);
    } catch {
      this.later(now, () => [{ type: 'send', bytes: Uint8Array.of(NAK), what: 'ack' }]);
      return [];
    }
    if (!cmd) return [];
    const answer = (bytes: Uint8Array): void => {
      this.lastAnswer = bytes;
      this.later(now, () => [{ type: 'send', bytes, what: bytes.length === 1 ? 'ack' : 'answer' }]);
    };
    const err = (code: string) => encodeDataMessage(`(${code})`);
    switch (cmd.command) {
      case 'B':
        this.job = undefined;
        return [{ type: 'event', event: { type: 'break' } }, ...this.toIdle()];
      case 'P': {
        const m = /^\((.*)\)$/.exec(cmd.data ?? '');
        const ok = cmd.type === '1' && !!m && m[1] === (this.o.password ?? '00000000');
        this.loggedIn = ok;
        if (ok) answer(Uint8Array.of(ACK));
        else {
          answer(err('ER05'));
          // The session ends after a refused password.
          const job = this.job!;
          this.job = { at: job.at, run: () => [...job.run(), ...this.toIdle()] };
        }
        return [{ type: 'event', event: { type: 'login', ok } }];
      }
      case 'R': {
        const address = parseDataBlock(cmd.data ?? '').sets[0]?.address ?? '';
        const line = this.linesAt(now).find((l) => l.address === address);
        const ok = this.loggedIn && !!line;
        answer(!this.loggedIn ? err('ER02') : line ? encodeDataMessage(formatDataLine(line)) : err('ER01'));
        return [{ type: 'event', event: { type: 'read', address, ok } }];
      }
      case 'W': {
        const set = parseDataBlock(cmd.data ?? '').sets[0];
        if (!this.loggedIn || !set) {
          answer(err('ER02'));
          return [];
        }
        this.written.set(set.address, {
          address: set.address,
          groups: set.groups.map((g) => (g.unit ? { value: g.value, unit: g.unit } : { value: g.value })),
        });
        answer(Uint8Array.of(ACK));
        return [];
      }
      default:
        answer(err('ER03'));
        return [];
    }
  }
}

function encodeOptionSelectBytes(protocol: string, baudChar: string, mode: string): Uint8Array {
  return Uint8Array.of(ACK, protocol.charCodeAt(0), baudChar.charCodeAt(0), mode.charCodeAt(0), 0x0d, 0x0a);
}
