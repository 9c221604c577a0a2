/**
 * Telnet with the COM-PORT-OPTION (RFC 2217), client side, sans-IO: bytes from the server go in,
 * clean data, replies to send and COM-PORT acknowledgements come out; commands are encoded
 * here. 0xFF (IAC) is doubled in data and in sub-negotiation values both ways, which matters
 * here: HDLC frames and DLMS OBIS codes carry 0xFF all the time.
 */

export const IAC = 0xff;
export const DONT = 0xfe;
export const DO = 0xfd;
export const WONT = 0xfc;
export const WILL = 0xfb;
export const SB = 0xfa;
export const SE = 0xf0;

export const OPT_BINARY = 0;
export const OPT_ECHO = 1;
export const OPT_SGA = 3;
export const OPT_COM_PORT = 44;

/** COM-PORT-OPTION commands, client to server; the server answers with the same number + 100. */
export const CPO = {
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  NOTIFY_LINESTATE: 6,
  NOTIFY_MODEMSTATE: 7,
  SET_LINESTATE_MASK: 10,
  SET_MODEMSTATE_MASK: 11,
  PURGE_DATA: 12,
} as const;
export const SERVER_OFFSET = 100;

/** SET-PARITY values. */
export const PARITY_VALUE = { none: 1, odd: 2, even: 3 } as const;
/** SET-CONTROL values. */
export const CONTROL = { DTR_ON: 8, DTR_OFF: 9, RTS_ON: 11, RTS_OFF: 12 } as const;
/** PURGE-DATA values. */
export const PURGE = { RECEIVE: 1, TRANSMIT: 2, BOTH: 3 } as const;

/** A COM-PORT-OPTION message from the server: `command` is the client command it answers (1…12). */
export interface ComPortReply {
  command: number;
  value: Uint8Array;
}

export interface TelnetInput {
  /** Data bytes for the application, IAC escaping removed. */
  data: Uint8Array;
  /** Negotiation answers to send back, already encoded. */
  replies: Uint8Array[];
  /** COM-PORT-OPTION messages from the server (acknowledgements and notifications). */
  comPort: ComPortReply[];
}

/** Double every 0xFF. */
export function escapeIac(bytes: Uint8Array): Uint8Array {
  let n = 0;
  for (const b of bytes) if (b === IAC) n++;
  if (n === 0) return bytes;
  const out = new Uint8Array(bytes.length + n);
  let j = 0;
  for (const b of bytes) {
    out[j++] = b;
    if (b === IAC) out[j++] = IAC;
  }
  return out;
}

/** IAC SB COM-PORT-OPTION command value… IAC SE, value escaped. */
export function encodeComPort(command: number, value: Uint8Array): Uint8Array {
  const v = escapeIac(value);
  const out = new Uint8Array(6 + v.length);
  out.set([IAC, SB, OPT_COM_PORT, command]);
  out.set(v, 4);
  out.set([IAC, SE], 4 + v.length);
  return out;
}

/** SET-BAUDRATE's value: the speed as four bytes, most significant first. */
export function baudValue(baudRate: number): Uint8Array {
  return Uint8Array.of((baudRate >>> 24) & 0xff, (baudRate >>> 16) & 0xff, (baudRate >>> 8) & 0xff, baudRate & 0xff);
}

export function decodeBaud(value: Uint8Array): number {
  return value.length === 4 ? ((value[0]! << 24) | (value[1]! << 16) | (value[2]! << 8) | value[3]!) >>> 0 : NaN;
}

type State = 'data' | 'iac' | 'option' | 'sb' | 'sbIac';

/**
 * The client's side of the negotiation. It asks for BINARY both ways and COM-PORT-OPTION,
 * accepts SUPPRESS-GO-AHEAD, refuses remote ECHO and everything else, and answers a request
 * only when it changes what was agreed (no negotiation loops).
 */
export class TelnetClient {
  private state: State = 'data';
  private verb = 0;
  private sb: number[] = [];
  /** Options we do (WILL), options the server does (DO from our side). */
  private readonly local = new Map<number, boolean>();
  private readonly remote = new Map<number, boolean>();
  /** Longest sub-negotiation kept; more is dropped (a broken server cannot grow memory). */
  private static readonly MAX_SB = 64;

  /** The opening offer: WILL/DO BINARY, WILL COM-PORT-OPTION, DO SGA. */
  open(): Uint8Array {
    this.local.set(OPT_BINARY, true);
    this.remote.set(OPT_BINARY, true);
    this.local.set(OPT_COM_PORT, true);
    this.remote.set(OPT_SGA, true);
    return Uint8Array.of(IAC, WILL, OPT_BINARY, IAC, DO, OPT_BINARY, IAC, WILL, OPT_COM_PORT, IAC, DO, OPT_SGA);
  }

  /** Whether the server agreed to COM-PORT-OPTION (it sent DO COM-PORT-OPTION). */
  comPortAgreed = false;

  receive(bytes: Uint8Array): TelnetInput {
    const data: number[] = [];
    const replies: Uint8Array[] = [];
    const comPort: ComPortReply[] = [];
    for (const b of bytes) {
      switch (this.state) {
        case 'data':
          if (b === IAC) this.state = 'iac';
          else data.push(b);
          break;
        case 'iac':
          if (b === IAC) {
            data.push(IAC);
            this.state = 'data';
          } else if (b === DO || b === DONT || b === WILL || b === WONT) {
            this.verb = b;
            this.state = 'option';
          } else if (b === SB) {
            this.sb = [];
            this.state = 'sb';
          } else this.state = 'data'; // NOP, GA, DM …: nothing to do
          break;
        case 'option': {
          const r = this.negotiate(this.verb, b);
          if (r) replies.push(r);
          this.state = 'data';
          break;
        }
        case 'sb':
          if (b === IAC) this.state = 'sbIac';
          else if (this.sb.length < TelnetClient.MAX_SB) this.sb.push(b);
          break;
        case 'sbIac':
          if (b === IAC) {
            if (this.sb.length < TelnetClient.MAX_SB) this.sb.push(IAC);
            this.state = 'sb';
          } else {
            // IAC SE (or anything else) ends the sub-negotiation.
            if (this.sb[0] === OPT_COM_PORT && this.sb.length >= 2) {
              const cmd = this.sb[1]!;
              comPort.push({ command: cmd >= SERVER_OFFSET ? cmd - SERVER_OFFSET : cmd, value: Uint8Array.from(this.sb.slice(2)) });
            }
            this.sb = [];
            this.state = 'data';
          }
          break;
      }
    }
    return { data: Uint8Array.from(data), replies, comPort };
  }

  private negotiate(verb: number, option: number): Uint8Array | undefined {
    if (verb === DO || verb === DONT) {
      const want = verb === DO && (option === OPT_BINARY || option === OPT_COM_PORT || option === OPT_SGA);
      if (option === OPT_COM_PORT) this.comPortAgreed = want;
      if (this.local.get(option) === want) return undefined;
      this.local.set(option, want);
      return Uint8Array.of(IAC, want ? WILL : WONT, option);
    }
    const want = verb === WILL && (option === OPT_BINARY || option === OPT_SGA);
    if (this.remote.get(option) === want) return undefined;
    this.remote.set(option, want);
    return Uint8Array.of(IAC, want ? DO : DONT, option);
  }
}
