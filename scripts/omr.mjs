#!/usr/bin/env node
// `npm run omr -- <command>`: the built command line (out/main/cli.js), rebuilt first when a
// source is newer than the build. Build messages go to stderr; stdout is the command's alone.
import { buildIfStale } from './build.mjs';

if (buildIfStale({ prefix: 'omr: ' })) await import(new URL('../out/main/cli.js', import.meta.url).href);
else process.exitCode = 1;
