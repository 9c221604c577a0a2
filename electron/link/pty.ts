/**
 * A pseudo-terminal pair made by `socat` (Linux/macOS): two device paths joined like a null-modem
 * cable. `omr simulate --pty` puts the virtual meter on one end; the integration tests read it
 * through the real serialport binding on the other.
 *
 * socat dies with this process, even one killed with SIGKILL: it runs under a small `sh` that
 * holds a pipe from us on its stdin and ends socat when that pipe closes (our exit, any signal)
 * or when it is told to stop. A reader on the other end then sees the pty hang up.
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

/**
 * socat in the background; the shell waits on its stdin (our pipe) and ends socat when the pipe
 * closes or a signal comes, then waits for it. socat reads /dev/null, never our pipe.
 */
const WATCHDOG = [
  'socat -d -d pty,raw,echo=0 pty,raw,echo=0 </dev/null & s=$!',
  "trap 'kill $s 2>/dev/null; wait $s; exit 0' TERM INT HUP",
  'while read -r _; do :; done',
  'kill $s 2>/dev/null',
  'wait $s',
].join('\n');

export function createPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('sh', ['-c', WATCHDOG], { stdio: ['pipe', 'ignore', 'pipe'] });
    } catch (e) {
      return reject(new OmrError('UNAVAILABLE', `socat could not be started: ${(e as Error).message}`));
    }
    const paths: string[] = [];
    let stderr = '';
    const stop = () => {
      // EOF on the watchdog's stdin ends socat; a signal too, in case the shell is stuck.
      child.stdin?.end();
      child.kill();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new OmrError('UNAVAILABLE', `socat gave no pty pair in ${timeoutMs} ms: ${stderr.slice(-200)}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new OmrError('UNAVAILABLE', `socat could not be started: ${e.message}`));
    });
    child.stdin!.on('error', () => undefined);
    child.once('exit', () => {
      clearTimeout(timer);
      if (paths.length < 2)
        reject(
          new OmrError(
            'UNAVAILABLE',
            /not found/.test(stderr) ? 'socat is not installed (apt-get install socat)' : `socat gave no pty pair: ${stderr.slice(-200)}`,
          ),
        );
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
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              stop();
            }),
        });
      }
    });
  });
}
