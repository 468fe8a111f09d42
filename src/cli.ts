#!/usr/bin/env node
// CLI entry (dist/cli.js, the package's bin). Setting exitCode instead of calling process.exit()
// lets stdout drain when it is a pipe.
import { main } from './cli-main.js';

// `lineage-gate check | head` closes the pipe early: that is the reader's choice, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2), process);
