/**
 * Serial link over node-serialport. The port is opened 8N1 and stays so: 7E1 is done in software
 * (parity.ts), and only the speed changes mid-session (serialport's update()).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SerialPort } from 'serialport';
import { OmrError } from '../../shared/errors';
import { BaseLink } from './base';
import { IEC_INITIAL_LINE, type LineSettings } from './types';

/** Map an open/IO error from the OS to a typed error. */
export function classifySerialError(e: unknown, path: string): OmrError {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string } | undefined)?.code ?? '';
  if (/EACCES|permission denied|access denied/i.test(`${code} ${msg}`)) return new OmrError('PORT_PERMISSION', `${path}: ${msg}`, { cause: e });
  if (/EBUSY|resource busy|cannot lock|lock/i.test(`${code} ${msg}`)) return new OmrError('PORT_BUSY', `${path}: ${msg}`, { cause: e });
  if (/ENOENT|no such file|file not found|cannot find/i.test(`${code} ${msg}`)) return new OmrError('PORT_NOT_FOUND', path, { cause: e });
  return new OmrError('PORT_OPEN_FAILED', `${path}: ${msg}`, { cause: e });
}

export class SerialLink extends BaseLink {
  readonly kind = 'serial' as const;
  readonly canChangeLine = true;
  readonly description: string;
  private constructor(
    private readonly port: SerialPort,
    line: LineSettings,
  ) {
    super(line);
    this.description = port.path;
    port.on('data', (chunk: Buffer) => this.deliver(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      this.ended(err ? new OmrError('LINK_LOST', `${port.path}: ${err.message}`) : undefined);
    });
    port.on('error', (err: Error) => {
      this.ended(new OmrError('LINK_LOST', `${port.path}: ${err.message}`));
    });
  }

  static async open(path: string, line: LineSettings = IEC_INITIAL_LINE): Promise<SerialLink> {
    const port = new SerialPort({ path, baudRate: line.baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(classifySerialError(err, path)) : resolve())));
    return new SerialLink(port, line);
  }

  protected rawWrite(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (err) => {
        if (err) return reject(new OmrError('LINK_LOST', err.message));
        this.port.drain((e) => (e ? reject(new OmrError('LINK_LOST', e.message)) : resolve()));
      });
    });
  }

  /** A pseudo-terminal has no speed: only the software framing follows the line settings. */
  private get isPty(): boolean {
    return /^\/dev\/(pts\/|ttys\d)/.test(this.port.path);
  }

  protected applyBaud(baudRate: number): Promise<void> {
    // serialport's update() flushes both queues (tcflush TCIOFLUSH) before the new speed applies;
    // on a pty that only loses bytes in flight and changes nothing on any wire.
    if (this.isPty) return Promise.resolve();
    return new Promise((resolve, reject) => this.port.update({ baudRate }, (err) => (err ? reject(new OmrError('LINK_LOST', err.message)) : resolve())));
  }

  setModemLines(lines: { dtr?: boolean; rts?: boolean }): Promise<void> {
    // A pty has no modem lines: the ioctl fails there, and that is not an error of the link.
    return new Promise((resolve) => this.port.set(lines, () => resolve()));
  }

  protected rawClose(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}

/** Whether an executable is on PATH (serialport's Linux list() spawns `udevadm`). */
export function hasExecutable(name: string, pathEnv = process.env.PATH ?? ''): boolean {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

export const serialportList = (): Promise<Awaited<ReturnType<typeof SerialPort.list>>> => SerialPort.list();
