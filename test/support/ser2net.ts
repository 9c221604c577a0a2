/**
 * Debian's ser2net (4.x, YAML config) in front of one end of a socat pty pair, and a model of
 * the UART a ser2net set to 7E1 drives: what it hands to TCP has no parity bit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OmrError } from '../../shared/errors';
import { IEC_INITIAL_LINE, type LineSettings, type Link } from '../../electron/link/types';

export const SER2NET = '/usr/sbin/ser2net';

export interface Ser2net {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
  });
}

/** Start ser2net on `device` (`rfc2217`: telnet(rfc2217) accepter; `raw`: plain TCP). */
export async function startSer2net(device: string, accepter: 'rfc2217' | 'raw', serial = '300e71', timeoutMs = 5000): Promise<Ser2net> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'omr-ser2net-'));
  const config = join(dir, 'ser2net.yaml');
  const acc = accepter === 'rfc2217' ? `telnet(rfc2217),tcp,127.0.0.1,${port}` : `tcp,127.0.0.1,${port}`;
  writeFileSync(config, `connection: &meter\n  accepter: ${acc}\n  connector: serialdev,${device},${serial},local\n`);
  const child: ChildProcess = spawn(SER2NET, ['-c', config, '-n', '-d'], { stdio: 'ignore' });
  const stop = () =>
    new Promise<void>((done) => {
      rmSync(dir, { recursive: true, force: true });
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + timeoutMs;
  // Bounded: until the port accepts or the deadline.
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await listening(port)) return { port, pid: child.pid!, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`ser2net did not listen on ${port} within ${timeoutMs} ms`);
}

/**
 * The meter as seen through a UART set to 7E1 on ser2net's side: the meter's characters reach
 * ser2net with the parity bit checked and removed (bit 7 always 0), and the parity bit of what
 * the host sends is removed before it reaches the meter. A pty has no UART, so the test puts
 * this between the simulator and its pty end.
 */
export class SevenBitUart implements Link {
  readonly kind = 'serial' as const;
  readonly canChangeLine = true;
  private current: LineSettings = { ...IEC_INITIAL_LINE };
  private constructor(private readonly inner: Link) {}
  /** Wrap the meter's link; the link below carries 8-bit bytes untouched (8N1). */
  static async over(inner: Link): Promise<SevenBitUart> {
    await inner.setLine({ dataBits: 8, parity: 'none', stopBits: 1 });
    return new SevenBitUart(inner);
  }
  get description(): string {
    return `${this.inner.description} (7-bit UART)`;
  }
  get line(): LineSettings {
    return { ...this.current };
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }
  private get sevenBit(): boolean {
    return this.current.dataBits === 7;
  }
  async setLine(settings: Partial<LineSettings>): Promise<void> {
    this.current = { ...this.current, ...settings };
    await this.inner.setLine({ baudRate: this.current.baudRate, dataBits: 8, parity: 'none', stopBits: 1 });
  }
  write(bytes: Uint8Array): Promise<void> {
    return this.inner.write(this.sevenBit ? bytes.map((b) => b & 0x7f) : bytes);
  }
  onData(listener: (bytes: Uint8Array, info: { parityErrors: number }) => void): () => void {
    return this.inner.onData((bytes) => listener(this.sevenBit ? bytes.map((b) => b & 0x7f) : bytes, { parityErrors: 0 }));
  }
  onClose(listener: (error?: OmrError) => void): () => void {
    return this.inner.onClose(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
