/**
 * TCP link (node:net): ser2net, network optical heads, HDLC-over-TCP test peers. The speed of
 * the far serial line is not ours to change: setLine only records it (and 7E1 framing is still
 * done in software, which is what an 8N1 network head needs).
 */
import { Socket, createServer, type Server } from 'node:net';
import { OmrError } from '../../shared/errors';
import { BaseLink } from './base';
import { IEC_INITIAL_LINE, type LineSettings } from './types';

export class TcpLink extends BaseLink {
  readonly kind = 'tcp' as const;
  readonly canChangeLine = false;
  readonly description: string;
  private closing = false;

  constructor(
    private readonly socket: Socket,
    description: string,
    line: LineSettings = IEC_INITIAL_LINE,
  ) {
    super(line);
    this.description = description;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.deliver(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('error', (err) => this.ended(this.closing ? undefined : new OmrError('LINK_LOST', `${description}: ${err.message}`)));
    socket.on('close', () => this.ended(this.closing ? undefined : new OmrError('LINK_LOST', `${description}: connection closed by the other end`)));
  }

  static connect(host: string, port: number, options: { line?: LineSettings; timeoutMs?: number } = {}): Promise<TcpLink> {
    const description = `tcp://${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new OmrError('TCP_CONNECT_FAILED', `${description}: no answer in ${options.timeoutMs ?? 5000} ms`));
      }, options.timeoutMs ?? 5000);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new OmrError('TCP_CONNECT_FAILED', `${description}: ${err.message}`, { cause: err }));
      });
      socket.connect(port, host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new TcpLink(socket, description, options.line));
      });
    });
  }

  protected rawWrite(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => (err ? reject(new OmrError('LINK_LOST', err.message)) : resolve()));
    });
  }

  protected applyBaud(): Promise<void> {
    return Promise.resolve();
  }

  protected rawClose(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 500).unref();
    });
  }
}

/** Accept TCP connections as links (the simulator listening for clients). */
export function listenTcp(port: number, host: string, onLink: (link: TcpLink) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => onLink(new TcpLink(socket, `tcp client ${socket.remoteAddress}:${socket.remotePort}`)));
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
