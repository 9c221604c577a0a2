/**
 * TCP link (node:net): ser2net, network optical heads, HDLC-over-TCP test peers. The speed of
 * the far serial line is not ours to change: setLine only records it (and 7E1 framing is still
 * done in software, which is what an 8N1 network head needs).
 */
import { Socket, createServer, type Server } from 'node:net';
import { OmrError } from '../../shared/errors';
import { BaseLink } from './base';
import { closeSocket, connectSocket, writeSocket } from './socket';
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

  static async connect(host: string, port: number, options: { line?: LineSettings; timeoutMs?: number } = {}): Promise<TcpLink> {
    const description = `tcp://${host}:${port}`;
    const socket = await connectSocket(host, port, description, options.timeoutMs);
    return new TcpLink(socket, description, options.line);
  }

  protected rawWrite(bytes: Uint8Array): Promise<void> {
    return writeSocket(this.socket, bytes);
  }

  protected applyBaud(): Promise<void> {
    return Promise.resolve();
  }

  protected rawClose(): Promise<void> {
    this.closing = true;
    return closeSocket(this.socket);
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
