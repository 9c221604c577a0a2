/**
 * TCP socket plumbing shared by the links that run over one (raw TCP, RFC 2217): connecting with
 * a bounded wait, writing with the link's error, and closing politely then for good.
 */
import { Socket } from 'node:net';
import { OmrError } from '../../shared/errors';

/** Connect to host:port within `timeoutMs`, or TCP_CONNECT_FAILED naming `description`. */
export function connectSocket(host: string, port: number, description: string, timeoutMs = 5000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new OmrError('TCP_CONNECT_FAILED', `${description}: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new OmrError('TCP_CONNECT_FAILED', `${description}: ${err.message}`, { cause: err }));
    });
    socket.connect(port, host, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** Write bytes; a failed write is LINK_LOST. */
export function writeSocket(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(bytes, (err) => (err ? reject(new OmrError('LINK_LOST', err.message)) : resolve()));
  });
}

/** End the connection; one that has not closed 500 ms later is destroyed. */
export function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    socket.end();
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, 500).unref();
  });
}
