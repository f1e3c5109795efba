#!/usr/bin/env node
// `npm run bench:identity`, login part (API flows, SQLite in memory), once with the portal's
// argon2id parameters (128 MiB, 2 iterations, parallelism 1) and once with bcrypt cost 12:
//
// 1. No account enumeration: the mean time of a login submit with a wrong password for a known
//    identifier, against one with an identifier nobody has (target: within 10 %). The two kinds
//    alternate, so drift on the machine hits both alike.
// 2. Registrations per second (one-shot password method, session hook), and logins per second (init + submit, BENCH_LOGIN_CONCURRENCY at once, for BENCH_DURATION
//    seconds), and the server's CPU per login against its CPU per bare hash verification in
//    the same run (target ≤ 1.2 ×).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { lineMatching, readLines } from './support/child-lines.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const SAMPLES = Number(process.env.BENCH_LOGIN_SAMPLES ?? 60);
const CONCURRENCY = Number(process.env.BENCH_LOGIN_CONCURRENCY ?? 4);
const PASSWORD = 'correct horse battery staple';
const IDENTIFIER = 'alice@example.com';
const root = fileURLToPath(new URL('..', import.meta.url));

const HASHERS = {
  'argon2id (portal: 128 MiB, t=2, p=1)': {
    algorithm: 'argon2',
    argon2: { memory: '131072KB', iterations: 2, parallelism: 1, salt_length: 16, key_length: 16 },
  },
  'bcrypt cost 12': { algorithm: 'bcrypt', bcrypt: { cost: 12 } },
};

async function startServer(hashers) {
  const options = { dsn: 'memory', hashers, identifier: IDENTIFIER };
  const child = spawn(
    process.execPath,
    ['bench/fixtures/identity-server.mjs', 'gatehouse', JSON.stringify(options)],
    {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  readLines(child);
  const match = await lineMatching(child, /^listening (\d+)/);
  return { child, base: `http://127.0.0.1:${match[1]}` };
}

async function command(server, text, pattern) {
  const done = lineMatching(server.child, pattern);
  server.child.stdin.write(`${text}\n`);
  return done;
}

/** One API registration (one-shot password method, session hook): gives the submit's status. */
async function register(base, email) {
  const flow = await (await fetch(`${base}/self-service/registration/api`)).json();
  const answer = await fetch(`${base}/self-service/registration?flow=${flow.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      method: 'password',
      traits: { email },
      password: 'a long and unusual passphrase 7',
    }),
  });
  await answer.arrayBuffer();
  return answer.status;
}

/** One API login: init a flow, submit it. Gives the submit's status and duration in ms. */
async function login(base, identifier, password) {
  const flow = await (await fetch(`${base}/self-service/login/api`)).json();
  const started = performance.now();
  const answer = await fetch(`${base}/self-service/login?flow=${flow.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'password', identifier, password }),
  });
  await answer.arrayBuffer();
  return { status: answer.status, ms: performance.now() - started };
}

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

for (const [name, hashers] of Object.entries(HASHERS)) {
  const server = await startServer(hashers);
  try {
    // Warm-up: JIT, the hashing pool, the decoy hash.
    for (let i = 0; i < 3; i++) await login(server.base, IDENTIFIER, PASSWORD);

    const wrong = [];
    const unknown = [];
    for (let i = 0; i < SAMPLES; i++) {
      const a = await login(server.base, IDENTIFIER, 'wrong horse battery staple');
      const b = await login(server.base, 'nobody@example.com', 'wrong horse battery staple');
      if (a.status !== 400 || b.status !== 400)
        throw new Error(`expected 400s, got ${a.status} and ${b.status}`);
      wrong.push(a.ms);
      unknown.push(b.ms);
    }

    // Bare verifications are measured just before and just after the logins, and averaged, so
    // that a change of the machine's speed during the run moves both sides alike.
    const VERIFY_BATCH = 12;
    const bareCpu = async () =>
      Number((await command(server, `verify ${VERIFY_BATCH}`, /^verified (\d+) (\d+) ([\d.]+)$/))[3]) /
      VERIFY_BATCH;
    const bareBefore = await bareCpu();

    const before = Number((await command(server, 'cpu', /^cpu ([\d.]+)$/))[1]);
    const deadline = performance.now() + DURATION_S * 1000;
    let logins = 0;
    let failures = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          const { status } = await login(server.base, IDENTIFIER, PASSWORD);
          if (status === 200) logins++;
          else failures++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = Number((await command(server, 'cpu', /^cpu ([\d.]+)$/))[1]);
    const cpuPerLogin = (after - before) / logins;
    const cpuPerVerify = (bareBefore + (await bareCpu())) / 2;

    const registrationDeadline = performance.now() + DURATION_S * 1000;
    let registrations = 0;
    let refusedRegistrations = 0;
    const registrationsStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, worker) => {
        for (let n = 0; performance.now() < registrationDeadline; n++) {
          const status = await register(server.base, `user-${worker}-${n}@example.com`);
          if (status === 200) registrations++;
          else refusedRegistrations++;
        }
      }),
    );
    const registrationSeconds = (performance.now() - registrationsStarted) / 1000;

    console.log(`\nAPI logins, ${name}, SQLite`);
    console.log(
      `mean submit, wrong password: ${mean(wrong).toFixed(1)} ms; unknown identifier: ${mean(unknown).toFixed(1)} ms; ` +
        `unknown / wrong = ${(mean(unknown) / mean(wrong)).toFixed(3)} (target within 10 %; ${SAMPLES} of each; ` +
        `medians ${median(wrong).toFixed(1)} / ${median(unknown).toFixed(1)} ms)`,
    );
    console.log(
      `logins: ${(logins / seconds).toFixed(1)}/s (${CONCURRENCY} at once, ${seconds.toFixed(1)} s, ${failures} failed)`,
    );
    console.log(
      `registrations: ${(registrations / registrationSeconds).toFixed(1)}/s (${CONCURRENCY} at once, ${registrationSeconds.toFixed(1)} s, ${refusedRegistrations} failed)`,
    );
    console.log(
      `server CPU per login ${cpuPerLogin.toFixed(1)} ms, per bare verification ${cpuPerVerify.toFixed(1)} ms: ` +
        `${(cpuPerLogin / cpuPerVerify).toFixed(2)} × (target ≤ 1.2)`,
    );
  } finally {
    server.child.kill();
    await once(server.child, 'close');
  }
}
