#!/usr/bin/env node
// `npm test` starts here: the integration and browser tests need four system programs (a real
// browser, pty pairs, an MQTT broker, a network serial server). When one is missing, say so at
// once with the one command that installs them, instead of minutes of failures.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const TOOLS = [
  { name: 'chromium', what: 'the browser the renderer tests drive', paths: ['/usr/bin/chromium'] },
  { name: 'socat', what: 'pty pairs for the serial tests', paths: [] },
  { name: 'mosquitto', what: 'the MQTT broker of the station tests', paths: ['/usr/sbin/mosquitto'] },
  { name: 'ser2net', what: 'the network serial server of the RFC 2217 tests', paths: ['/usr/sbin/ser2net'] },
];

function found(tool) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const p of [...tool.paths, ...dirs.map((d) => join(d, tool.name))]) {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

const missing = TOOLS.filter((t) => !found(t));
if (missing.length) {
  const lines = missing.map((t) => `  ${t.name.padEnd(10)} ${t.what}`);
  const install =
    process.platform === 'darwin'
      ? 'brew install chromium socat mosquitto ser2net'
      : 'sudo apt-get update && sudo apt-get install -y chromium socat mosquitto ser2net';
  process.stderr.write(`npm test needs these programs, which this machine does not have:\n${lines.join('\n')}\nInstall them with:\n  ${install}\n`);
  process.exit(1);
}
