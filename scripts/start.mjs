#!/usr/bin/env node
// `npm start`: build, then run the app with Electron. Electron >= 45 downloads its binary the
// first time it is needed; where that is impossible (no access to the download server), say so
// plainly instead of failing with a stack trace, and point to what works without Electron.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const electronVite = require.resolve('electron-vite/bin/electron-vite.js');

const build = spawnSync(process.execPath, [electronVite, 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { encoding: 'utf8', timeout: 120_000 });
if (probe.status !== 0 || !probe.stdout) {
  console.error(
    [
      '',
      'The Electron runtime is not installed and could not be downloaded on this machine',
      '(it comes from Electron\'s release server, not from the npm registry).',
      'Everything but the desktop window works without it:',
      '  npm run --silent omr -- read --simulator     read the built-in demo meter',
      '  npm run --silent omr -- ports                 list serial ports and optical heads',
      'To get the app: run `npm start` on a machine with internet access once, or set',
      'ELECTRON_OVERRIDE_DIST_PATH to a folder holding an Electron build.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const child = spawn(process.execPath, [electronVite, 'preview', '--skipBuild'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
