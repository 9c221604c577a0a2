/**
 * RFC 2217 link (`rfc2217://host:port`): a serial port on the far side of a telnet connection
 * (ser2net `telnet(rfc2217)`, network serial servers). Unlike a raw TCP head, the line can be
 * changed: speed, data size, parity and stop bits are sent with COM-PORT-OPTION and confirmed by
 * the server. Data is IAC-escaped both ways (telnet.ts).
 *
 * 7E1 is still done in software on top (parity.ts): with the far line at 7E1 the UART ignores
 * bit 7 of what we send and strips the parity of what it receives, which the link detects
 * (`parityCheck` 'stripped'); a far side that passes 8 bits through works unchanged.
 */
import { Socket } from 'node:net';
import { OmrError } from '../../shared/errors';
import { BaseLink } from './base';
import { closeSocket, connectSocket, writeSocket } from './socket';
import { CONTROL, CPO, PARITY_VALUE, PURGE, TelnetClient, baudValue, decodeBaud, encodeComPort, escapeIac, type ComPortReply } from './telnet';
import { IEC_INITIAL_LINE, type LineSettings } from './types';

export interface Rfc2217Options {
  line?: LineSettings;
  /** Connection and negotiation, each (ms). */
  timeoutMs?: number;
  /** Longest wait for the server to confirm one line setting (ms). */
  ackTimeoutMs?: number;
}

interface Waiter {
  command: number;
  resolve(reply: ComPortReply): void;
}

export class Rfc2217Link extends BaseLink {
  readonly kind = 'tcp' as const;
  readonly canChangeLine = true;
  readonly description: string;
  private readonly telnet = new TelnetClient();
  private waiters: Waiter[] = [];
  private closing = false;
  private readonly ackTimeoutMs: number;
  /** Line settings the server confirmed, as it reported them (for diagnostics). */
  readonly confirmed: { baudRate?: number; dataBits?: number; parity?: number; stopBits?: number } = {};

  private constructor(
    private readonly socket: Socket,
    description: string,
    line: LineSettings,
    ackTimeoutMs: number,
  ) {
    super(line);
    this.description = description;
    this.ackTimeoutMs = ackTimeoutMs;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onSocket(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('error', (err) => this.ended(this.closing ? undefined : new OmrError('LINK_LOST', `${description}: ${err.message}`)));
    socket.on('close', () => this.ended(this.closing ? undefined : new OmrError('LINK_LOST', `${description}: connection closed by the other end`)));
  }

  /**
   * Connect, negotiate COM-PORT-OPTION and set the far line to `line` (default 300 7E1, the
   * IEC 62056-21 sign-on), with DTR and RTS on (some heads take their power from them).
   */
  static async connect(host: string, port: number, options: Rfc2217Options = {}): Promise<Rfc2217Link> {
    const description = `rfc2217://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const timeoutMs = options.timeoutMs ?? 5000;
    const socket = await connectSocket(host, port, description, timeoutMs);
    const link = new Rfc2217Link(socket, description, options.line ?? IEC_INITIAL_LINE, options.ackTimeoutMs ?? 2000);
    try {
      await link.negotiate(options.line ?? IEC_INITIAL_LINE);
    } catch (e) {
      await link.close().catch(() => undefined);
      throw e;
    }
    return link;
  }

  private async negotiate(line: LineSettings): Promise<void> {
    this.socket.write(this.telnet.open());
    // The server confirms SET-BAUDRATE only once it does COM-PORT-OPTION: that confirmation is
    // the end of the negotiation.
    await this.sendLine(line, undefined);
    // Modem lines: sent, never waited for (ser2net on a pty does not confirm SET-CONTROL).
    this.socket.write(encodeComPort(CPO.SET_CONTROL, Uint8Array.of(CONTROL.DTR_ON)));
    this.socket.write(encodeComPort(CPO.SET_CONTROL, Uint8Array.of(CONTROL.RTS_ON)));
  }

  private onSocket(bytes: Uint8Array): void {
    const r = this.telnet.receive(bytes);
    for (const reply of r.replies) if (!this.socket.destroyed) this.socket.write(reply);
    for (const c of r.comPort) {
      const i = this.waiters.findIndex((w) => w.command === c.command);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(c);
    }
    if (r.data.length) this.deliver(r.data);
  }

  /** Send one COM-PORT command and wait for the server's answer to it (bounded). */
  private request(command: number, value: Uint8Array, what: string): Promise<ComPortReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new OmrError('LINE_SETTING_REFUSED', `${this.description}: no confirmation of ${what} in ${this.ackTimeoutMs} ms`));
      }, this.ackTimeoutMs);
      const waiter: Waiter = {
        command,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
      };
      this.waiters.push(waiter);
      this.socket.write(encodeComPort(command, value));
    });
  }

  /** Modem lines over the network: sent, never waited for (ser2net on a pty does not confirm SET-CONTROL). */
  setModemLines(lines: { dtr?: boolean; rts?: boolean }): Promise<void> {
    if (lines.dtr !== undefined) this.socket.write(encodeComPort(CPO.SET_CONTROL, Uint8Array.of(lines.dtr ? CONTROL.DTR_ON : CONTROL.DTR_OFF)));
    if (lines.rts !== undefined) this.socket.write(encodeComPort(CPO.SET_CONTROL, Uint8Array.of(lines.rts ? CONTROL.RTS_ON : CONTROL.RTS_OFF)));
    return Promise.resolve();
  }

  private async sendLine(next: LineSettings, previous: LineSettings | undefined): Promise<void> {
    const asks: Promise<void>[] = [];
    if (!previous || next.baudRate !== previous.baudRate) {
      asks.push(
        this.request(CPO.SET_BAUDRATE, baudValue(next.baudRate), `${next.baudRate} baud`).then((r) => {
          this.confirmed.baudRate = decodeBaud(r.value);
          if (this.confirmed.baudRate !== next.baudRate)
            throw new OmrError('LINE_SETTING_REFUSED', `${this.description}: asked for ${next.baudRate} baud, the server set ${this.confirmed.baudRate}`);
        }),
      );
    }
    if (!previous || next.dataBits !== previous.dataBits) {
      asks.push(
        this.request(CPO.SET_DATASIZE, Uint8Array.of(next.dataBits), `${next.dataBits} data bits`).then((r) => void (this.confirmed.dataBits = r.value[0])),
      );
    }
    if (!previous || next.parity !== previous.parity) {
      asks.push(
        this.request(CPO.SET_PARITY, Uint8Array.of(PARITY_VALUE[next.parity]), `parity ${next.parity}`).then((r) => void (this.confirmed.parity = r.value[0])),
      );
    }
    if (!previous || next.stopBits !== previous.stopBits) {
      asks.push(
        this.request(CPO.SET_STOPSIZE, Uint8Array.of(next.stopBits), `${next.stopBits} stop bit(s)`).then((r) => void (this.confirmed.stopBits = r.value[0])),
      );
    }
    await Promise.all(asks);
  }

  protected override async applyLine(next: LineSettings, previous: LineSettings): Promise<void> {
    if (next.baudRate !== previous.baudRate) {
      // What is still queued on the far side arrived at the old speed: noise now.
      this.socket.write(encodeComPort(CPO.PURGE_DATA, Uint8Array.of(PURGE.RECEIVE)));
    }
    await this.sendLine(next, previous);
  }

  protected applyBaud(): Promise<void> {
    // Not used: applyLine sends every setting.
    return Promise.resolve();
  }

  protected rawWrite(bytes: Uint8Array): Promise<void> {
    return writeSocket(this.socket, escapeIac(bytes));
  }

  protected rawClose(): Promise<void> {
    this.closing = true;
    return closeSocket(this.socket);
  }
}
