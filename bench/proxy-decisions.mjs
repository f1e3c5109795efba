#!/usr/bin/env node
// `npm run bench:proxy`: /decisions requests/s and p99 for an anonymous/allow/header rule among
// 100 rules, beside a bare node:http server answering 200 with the same headers. Each server runs
// alone, pinned to core 0; the load generator (autocannon) is pinned to core 1.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const root = fileURLToPath(new URL('..', import.meta.url));

function pinned(core, args) {
  return spawn('taskset', ['-c', String(core), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function startServer(mode) {
  const child = pinned(0, [process.execPath, 'bench/fixtures/decisions-server.mjs', mode]);
  let out = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout) {
    out += chunk;
    const match = /listening (\d+)/.exec(out);
    if (match) return { child, port: Number(match[1]) };
  }
  throw new Error(`${mode} server did not start`);
}

async function load(port, path) {
  const child = pinned(1, [
    process.execPath,
    'node_modules/autocannon/autocannon.js',
    '--json',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(DURATION_S),
    '-H',
    'Host=app.example',
    `http://127.0.0.1:${port}${path}`,
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

// The machine is shared and noisy: the two servers take turns for BENCH_ROUNDS rounds and the
// median of the per-round ratios is the result, so one slow spell does not decide it.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PATH = '/decisions/service-57/api/items';
const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const results = {};
  for (const mode of ['bare', 'gatehouse']) {
    const { child, port } = await startServer(mode);
    await load(port, PATH); // warm-up
    results[mode] = await load(port, PATH);
    child.kill();
    await once(child, 'close');
  }
  rounds.push(results);
}
console.log(
  `\n/decisions, anonymous -> allow -> header among 100 glob rules; ${CONNECTIONS} connections, ${DURATION_S}s each, ${ROUNDS} rounds`,
);
console.log('round  server      requests/s   p99 (ms)   non-2xx   errors   ratio');
const ratios = [];
rounds.forEach((results, index) => {
  const ratio = results.gatehouse.rps / results.bare.rps;
  ratios.push(ratio);
  for (const [mode, r] of Object.entries(results)) {
    console.log(
      `${String(index + 1).padStart(5)}  ${mode.padEnd(10)} ${r.rps.toFixed(0).padStart(11)} ${String(r.p99).padStart(10)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(8)}${mode === 'gatehouse' ? ratio.toFixed(2).padStart(8) : ''}`,
    );
  }
});
const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
console.log(`gatehouse / bare, median of ${ROUNDS} rounds = ${median.toFixed(2)} (target >= 0.80)`);
