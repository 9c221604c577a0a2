/**
 * `omr`: the headless command line over the same services as the app.
 */
import { runCli } from './cli';

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`omr: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 70;
  },
);
