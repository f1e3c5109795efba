#!/usr/bin/env node
// `npm run bench:proxy`, second part: proxied requests/s, p50 and p99 for a small keep-alive GET,
// through (a) nothing: the upstream directly, (b) a minimal node:http + undici passthrough,
// (c) gatehouse's proxy port with an anonymous/allow/header rule among 100 rules, (d) nginx
// proxy_pass (when /usr/sbin/nginx exists). Servers are pinned to core 0, the load generator
// (autocannon) to core 1. The servers take turns for BENCH_ROUNDS rounds; ratios are medians.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NGINX = '/usr/sbin/nginx';
const root = fileURLToPath(new URL('..', import.meta.url));

function pinned(core, args) {
  return spawn('taskset', ['-c', String(core), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function startNode(mode, upstreamPort) {
  const child = pinned(0, [
    process.execPath,
    'bench/fixtures/forwarding-server.mjs',
    mode,
    String(upstreamPort ?? ''),
  ]);
  let out = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout) {
    out += chunk;
    const match = /listening (\d+)/.exec(out);
    if (match) return { child, port: Number(match[1]) };
  }
  throw new Error(`${mode} server did not start`);
}

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

async function startNginx(upstreamPort) {
  const prefix = mkdtempSync(join(tmpdir(), 'gatehouse-bench-nginx-'));
  mkdirSync(join(prefix, 'logs'));
  const port = await freePort();
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client; proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-User guest;
    }
  }
}
`,
  );
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      NGINX,
      '-p',
      `${prefix}/`,
      '-c',
      `${prefix}/nginx.conf`,
      '-e',
      `${prefix}/error.log`,
      '-g',
      'daemon off;',
    ],
    {
      stdio: 'ignore',
    },
  );
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
    });
    if (open) return { child, port, signal: 'SIGQUIT' };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('nginx did not start');
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
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function stop(server) {
  server.child.kill(server.signal ?? 'SIGTERM');
  await once(server.child, 'close');
}

const PATH = '/service-57/api/items';
const withNginx = existsSync(NGINX);
const modes = ['upstream', 'passthrough', 'gatehouse', ...(withNginx ? ['nginx'] : [])];
const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const results = {};
  for (const mode of modes) {
    const upstream = await startNode('upstream');
    const server =
      mode === 'upstream'
        ? upstream
        : mode === 'nginx'
          ? await startNginx(upstream.port)
          : await startNode(mode, upstream.port);
    await load(server.port, PATH); // warm-up
    results[mode] = await load(server.port, PATH);
    if (server !== upstream) await stop(server);
    await stop(upstream);
  }
  rounds.push(results);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(
  `\nproxied GET ${PATH}, keep-alive, ${CONNECTIONS} connections, ${DURATION_S}s each, ${ROUNDS} rounds; servers on core 0, autocannon on core 1`,
);
console.log('round  server        requests/s   p50 (ms)   p99 (ms)   non-2xx   errors');
rounds.forEach((results, index) => {
  for (const [mode, r] of Object.entries(results)) {
    console.log(
      `${String(index + 1).padStart(5)}  ${mode.padEnd(12)} ${r.rps.toFixed(0).padStart(11)} ${String(r.p50).padStart(10)} ${String(r.p99).padStart(10)} ${String(r.non2xx).padStart(9)} ${String(r.errors).padStart(8)}`,
    );
  }
});
const ratio = (a, b) => median(rounds.map((results) => results[a].rps / results[b].rps));
console.log(
  `gatehouse / passthrough, median = ${ratio('gatehouse', 'passthrough').toFixed(2)} (target >= 0.80)`,
);
if (withNginx) console.log(`gatehouse / nginx, median = ${ratio('gatehouse', 'nginx').toFixed(2)}`);
console.log(`passthrough / upstream directly, median = ${ratio('passthrough', 'upstream').toFixed(2)}`);
