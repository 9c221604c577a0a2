/**
 * `omr`: the headless command line over the same services as the app.
 */
import { runCli } from './run';

// Ctrl-C stops cleanly: the running command sees the abort, ends its session and prints what it
// had; a second Ctrl-C quits at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
    // Nothing may keep the command alive once it is done (timers, sockets).
    setImmediate(() => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`omr: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
