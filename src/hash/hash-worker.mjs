// Runs in piscina's worker threads. Plain JavaScript, so that the same file loads from src/ under
// the tests and from dist/ when built (scripts/copy-assets.mjs copies it).
//
// The synchronous APIs are the point: they compute on this worker thread. The libraries' async
// APIs would queue on libuv's shared thread pool, where a 300 ms hash holds up the process's file,
// DNS and crypto callbacks.
import argon2 from '@node-rs/argon2';
import bcrypt from '@node-rs/bcrypt';

const ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, so not importable here)

const operations = {
  'hash-argon2id': (task) =>
    argon2.hashSync(task.password, {
      algorithm: ARGON2ID,
      memoryCost: task.memoryKiB,
      timeCost: task.iterations,
      parallelism: task.parallelism,
      outputLen: task.keyLength,
      salt: task.salt,
    }),
  'hash-bcrypt': (task) => bcrypt.hashSync(task.password, task.cost, task.salt),
  // Both libraries compare the derived keys in constant time.
  'verify-argon2': (task) => argon2.verifySync(task.hash, task.password),
  // Kratos (Go) reads every minor version as $2a$, and for passwords up to 72 bytes $2a$ and $2b$
  // compute the same; the library knows only some of the letters, so give it $2b$.
  'verify-bcrypt': (task) => bcrypt.verifySync(task.password, task.hash.replace(/^\$2[abyz]?\$/, '$2b$')),
};

/** Runs one task; the times let the caller see how long the work itself took, without the queue. */
export default function run(task) {
  const operation = operations[task.op];
  if (!operation) throw new Error(`unknown hash task "${task.op}"`);
  const startedAt = performance.timeOrigin + performance.now();
  const value = operation(task);
  return { value, startedAt, finishedAt: performance.timeOrigin + performance.now() };
}
