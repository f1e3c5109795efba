#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { ListenError } from '../daemon/listen.js';
import { DsnError } from '../db/dsn.js';
import { KeySetError } from '../keys/key-set-error.js';
import { CliError } from './cli-error.js';
import { processIo } from './cli-io.js';
import { createProgram } from './program.js';

const io = processIo();
const program = createProgram(io, process.stdin);

try {
  await program.parseAsync(process.argv);
  // A command that printed its findings and failed (keys inspect) has set the code already.
  process.exitCode ??= 0;
} catch (error) {
  process.exitCode = report(error);
}
// Servers are closed by now; anything still holding the event loop (a client's idle socket,
// a pool's timer) must not keep a stopped gatehouse alive.
setImmediate(() => process.exit());

/** Prints a failure as one message without a stack trace; returns the exit code. */
function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander printed its own message (unknown option, missing argument) or help/version.
    return error.exitCode;
  }
  if (error instanceof ConfigError) {
    for (const line of error.message.split('\n')) io.stderr.write(`gatehouse: config error: ${line}\n`);
    return 1;
  }
  if (
    error instanceof CliError ||
    error instanceof DsnError ||
    error instanceof ListenError ||
    error instanceof KeySetError
  ) {
    io.stderr.write(`gatehouse: ${error.message}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
  io.stderr.write(`gatehouse: ${(error as Error)?.message ?? String(error)}\n`);
  if (process.env.GATEHOUSE_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  return 1;
}
