#!/usr/bin/env node
// The installed `omr` command: runs the built CLI (npm run build makes out/main/cli.js).
import('../out/main/cli.js').catch((e) => {
  process.stderr.write(`omr: the command line is not built (${e.message}). Run: npm run build\n`);
  process.exitCode = 1;
});
