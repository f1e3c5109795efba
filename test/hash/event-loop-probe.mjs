// Child process for off-event-loop.test.ts, run from the built dist/ (the tests build it first):
//
//   UV_THREADPOOL_SIZE=1 node event-loop-probe.mjs '{"verifications":4,"hashers":{...}}'
//
// Hashes a password, then starts the verifications and, while they run, each probe below. Prints
// one JSON line: when each verification and probe settled (ms since the verifications started),
// how long each verification computed, and the largest event-loop gap. To watch other work while
// hashes run, add a probe.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readHasherConfig } from '../../dist/hash/hasher-config.js';
import { PasswordHasher } from '../../dist/hash/password-hasher.js';
import { cryptoRandom } from '../../dist/random.js';

/** Work that must not wait for password hashing; each resolves when done. */
const probes = {
  // The one libuv thread would be busy if a hash ran on libuv's pool.
  readFile: () => readFile(fileURLToPath(import.meta.url)),
};

const options = JSON.parse(process.argv[2] ?? '{}');
const verifyMs = [];
const hasher = new PasswordHasher({
  config: readHasherConfig(options),
  random: cryptoRandom,
  onRun: (run) => run.operation === 'verify' && verifyMs.push(run.finishedAt - run.startedAt),
});
const password = 'correct horse battery staple';
const hash = await hasher.hash(password);

const start = performance.now();
const since = () => performance.now() - start;

let maxGapMs = 0;
let last = performance.now();
let ticking = true;
(function tick() {
  const now = performance.now();
  maxGapMs = Math.max(maxGapMs, now - last);
  last = now;
  if (ticking) setTimeout(tick, 0);
})();

const verifications = Array.from({ length: options.verifications ?? 4 }, () =>
  hasher.verify(password, hash).then((matched) => ({ matched, settledAtMs: since() })),
);
const probed = Object.entries(probes).map(([name, probe]) =>
  probe().then(
    () => [name, { ok: true, settledAtMs: since() }],
    (error) => [name, { ok: false, error: String(error), settledAtMs: since() }],
  ),
);
const result = {
  concurrency: hasher.concurrency,
  verifications: await Promise.all(verifications),
  probes: Object.fromEntries(await Promise.all(probed)),
  maxGapMs,
  /** How long each verification computed in its worker. */
  verifyMs,
};
ticking = false;
await hasher.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
