#!/usr/bin/env node
// `npm run bench:identity`, whoami part:
//
// 1. whoami requests/s and p99 with a session cookie, gatehouse on SQLite and on PostgreSQL,
//    beside a bare Fastify route answering a constant JSON body of the same size. Each server runs
//    alone, pinned to core 0; the load generator (autocannon) is pinned to core 1. The three take
//    turns for BENCH_ROUNDS rounds; ratios are medians of the per-round ratios.
// 2. whoami p99 while 32 argon2id verifications with the portal's parameters (128 MiB,
//    2 iterations, parallelism 1) run on the same server, against its p99 without them, and the
//    process' peak RSS meanwhile.
//
// PostgreSQL: GATEHOUSE_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); the
// benchmark creates a database of its own there and drops it afterwards.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { lineMatching, readLines } from './support/child-lines.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VERIFICATIONS = 32;
const PORTAL_ARGON2 = { memory: '131072KB', iterations: 2, parallelism: 1, salt_length: 16, key_length: 16 };
const root = fileURLToPath(new URL('..', import.meta.url));

function pinned(core, args, stdin = 'ignore') {
  return spawn('taskset', ['-c', String(core), ...args], { cwd: root, stdio: [stdin, 'pipe', 'inherit'] });
}

async function startServer(mode, options) {
  const child = pinned(
    0,
    [process.execPath, 'bench/fixtures/identity-server.mjs', mode, JSON.stringify(options)],
    'pipe',
  );
  readLines(child);
  const match = await lineMatching(child, /^listening (\d+)(?: (.*))?$/);
  return { child, port: Number(match[1]), cookie: match[2] };
}

async function stop(server) {
  server.child.kill();
  await once(server.child, 'close');
}

async function load(server, durationS = DURATION_S) {
  const child = pinned(1, [
    process.execPath,
    'node_modules/autocannon/autocannon.js',
    '--json',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(durationS),
    ...(server.cookie ? ['-H', `Cookie=${server.cookie}`] : []),
    `http://127.0.0.1:${server.port}/sessions/whoami`,
  ]);
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => (out += chunk));
  await once(child, 'close');
  const result = JSON.parse(out);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function whoamiBytes(server) {
  const response = await fetch(`http://127.0.0.1:${server.port}/sessions/whoami`, {
    headers: { cookie: server.cookie },
  });
  if (response.status !== 200) throw new Error(`whoami answered ${response.status}`);
  return Buffer.byteLength(await response.text());
}

/** Sends "verify n" and resolves with [ms, peak RSS MiB] once the server reports them done. */
async function verify(server, count) {
  const done = lineMatching(server.child, /^verified (\d+) (\d+) ([\d.]+)$/);
  server.child.stdin.write(`verify ${count}\n`);
  const match = await done;
  return { ms: Number(match[1]), peakMiB: Number(match[2]) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const postgresUrl = process.env.GATEHOUSE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const database = `gatehouse_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: postgresUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const postgresDsn = Object.assign(new URL(postgresUrl), { pathname: `/${database}` }).toString();

try {
  // Part 1: throughput beside the floor.
  const cheap = { algorithm: 'bcrypt', bcrypt: { cost: 4 } };
  const targets = {
    sqlite: { dsn: 'memory', hashers: cheap },
    postgres: { dsn: postgresDsn, hashers: cheap },
  };
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results = {};
    let bytes;
    for (const [name, options] of Object.entries(targets)) {
      const server = await startServer('gatehouse', options);
      bytes ??= await whoamiBytes(server);
      await load(server, 3); // warm-up
      results[name] = await load(server);
      await stop(server);
    }
    const bare = await startServer('bare', { bytes });
    await load(bare, 3);
    results.bare = await load(bare);
    await stop(bare);
    rounds.push({ bytes, results });
  }
  console.log(
    `\nGET /sessions/whoami with a session cookie; ${CONNECTIONS} connections, ${DURATION_S}s each, ${ROUNDS} rounds; body ${rounds[0].bytes} bytes`,
  );
  console.log('round  server      requests/s   p99 (ms)   non-2xx   errors   ÷ bare');
  const ratios = { sqlite: [], postgres: [] };
  rounds.forEach(({ results }, index) => {
    for (const [name, r] of Object.entries(results)) {
      const ratio = name === 'bare' ? undefined : r.rps / results.bare.rps;
      if (ratio !== undefined) ratios[name].push(ratio);
      console.log(
        `${String(index + 1).padStart(5)}  ${name.padEnd(10)} ${r.rps.toFixed(0).padStart(11)} ${String(r.p99).padStart(10)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(8)}${ratio === undefined ? '' : ratio.toFixed(2).padStart(9)}`,
      );
    }
  });
  for (const name of ['sqlite', 'postgres']) {
    console.log(
      `gatehouse on ${name} / bare, median of ${ROUNDS} rounds = ${median(ratios[name]).toFixed(2)} (target >= 0.50)`,
    );
  }

  // Part 2: whoami while the portal's argon2id verifications run on the same server.
  const server = await startServer('gatehouse', {
    dsn: 'memory',
    hashers: { algorithm: 'argon2', argon2: PORTAL_ARGON2 },
  });
  // How long the verifications take alone sets the length of the loaded window below, so
  // that the whole window falls while they run.
  const alone = await verify(server, VERIFICATIONS);
  const windowS = Math.max(1, Math.floor(alone.ms / 1000) - 1);
  await load(server, 3); // warm-up
  const quiet = await load(server, windowS);
  const [busy, during] = await Promise.all([load(server, windowS), verify(server, VERIFICATIONS)]);
  await stop(server);
  console.log(
    `\nwhoami (SQLite) while ${VERIFICATIONS} argon2id verifications (128 MiB, 2 iterations, parallelism 1) run; ${windowS}s windows`,
  );
  console.log(`verifications alone: ${alone.ms} ms; under load: ${during.ms} ms`);
  console.log(
    `without hashing: ${quiet.rps.toFixed(0)} req/s, p99 ${quiet.p99} ms, errors ${quiet.errors}, non-2xx ${quiet.non2xx}`,
  );
  console.log(
    `while hashing:   ${busy.rps.toFixed(0)} req/s, p99 ${busy.p99} ms, errors ${busy.errors}, non-2xx ${busy.non2xx}`,
  );
  console.log(
    `p99 while hashing / p99 without = ${(busy.p99 / Math.max(quiet.p99, 1)).toFixed(2)} (target <= 3)`,
  );
  console.log(`peak RSS of the server process: ${during.peakMiB} MiB`);
} finally {
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
}
