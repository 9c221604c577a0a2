/**
 * A pseudo-terminal pair made by `socat` (Linux/macOS): two device paths joined like a null-modem
 * cable. `omr simulate --pty` puts the virtual meter on one end; the integration tests read it
 * through the real serialport binding on the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { OmrError } from '../../shared/errors';

export interface PtyPair {
  /** The end the meter (simulator) opens. */
  meterPath: string;
  /** The end a reader opens, as it would open /dev/ttyUSB0. */
  hostPath: string;
  close(): Promise<void>;
}

export function createPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      return reject(new OmrError('UNAVAILABLE', `socat could not be started: ${(e as Error).message}`));
    }
    const paths: string[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new OmrError('UNAVAILABLE', `socat gave no pty pair in ${timeoutMs} ms: ${stderr.slice(-200)}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new OmrError('UNAVAILABLE', `socat is not installed (apt-get install socat): ${e.message}`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      for (const m of chunk.matchAll(/PTY is (\S+)/g)) paths.push(m[1]!);
      if (paths.length === 2 && /starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        resolve({
          meterPath: paths[0]!,
          hostPath: paths[1]!,
          close: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill();
            }),
        });
      }
    });
  });
}
