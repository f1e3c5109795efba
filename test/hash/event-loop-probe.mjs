// Child process for off-event-loop.test.ts, run from the built dist/ (the tests build it first):
//
//   UV_THREADPOOL_SIZE=1 node event-loop-probe.mjs '{"verifications":4,"hashers":{...}}'
//
// Starts the identity server on a loopback port (in-memory SQLite, the portal's identity schema,
// the given `hashers` block), signs one identity in, then starts the verifications on the
// server's own password hasher and, while they run, each probe below. Prints one JSON line: when
// each verification and probe settled (ms since the verifications started), how long each
// verification computed, and the largest event-loop gap. To watch other work while hashes run,
// add a probe.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../dist/clock.js';
import { loadIdentityConfig } from '../../dist/config/identity-config.js';
import { createIdentityServers } from '../../dist/daemon/identity-servers.js';
import { createIdentityServices } from '../../dist/daemon/identity-services.js';
import { openDatabase } from '../../dist/db/database.js';
import { parseDsn } from '../../dist/db/dsn.js';
import { migrations } from '../../dist/db/migrations/index.js';
import { Migrator } from '../../dist/db/migrator.js';
import { silentLogger } from '../../dist/log/logger.js';
import { cryptoRandom } from '../../dist/random.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const portal = fileURLToPath(new URL('../../../shared/reference/portal/', import.meta.url));
const configFile = join(mkdtempSync(join(tmpdir(), 'gatehouse-probe-')), 'kratos.yml');
writeFileSync(
  configFile,
  JSON.stringify({
    dsn: 'memory',
    selfservice: { default_browser_return_url: 'http://127.0.0.1/' },
    identity: {
      default_schema_id: 'default',
      schemas: [{ id: 'default', url: `file://${portal}identity.schema.json` }],
    },
    secrets: { cookie: ['a-cookie-secret-of-the-probe-0001'] },
    hashers: options.hashers,
  }),
);
const config = loadIdentityConfig({ files: [configFile], env: {}, dev: true });
const db = openDatabase(parseDsn(config.dsn));
await new Migrator(db, migrations, { clock: systemClock, holder: 'probe' }).up();
const registry = { config, log: silentLogger(), clock: systemClock, random: cryptoRandom, db, migrations };
const verifyMs = [];
const services = await createIdentityServices(registry, process.cwd(), {
  onHashRun: (run) => run.operation === 'verify' && verifyMs.push(run.finishedAt - run.startedAt),
});
const servers = createIdentityServers(registry, services);
await servers.public.listen({ host: '127.0.0.1', port: 0 });
const publicUrl = `http://127.0.0.1:${servers.public.server.address().port}`;

const identity = await services.identityManager.create({
  schemaId: 'default',
  traits: { email: 'probe@example.com' },
  state: 'active',
  metadataPublic: null,
  metadataAdmin: null,
  organizationId: null,
});
const { token } = await services.sessionManager.issue(
  identity,
  [{ method: 'password', aal: 'aal1', completedAt: new Date() }],
  { ipAddress: '127.0.0.1', userAgent: 'probe' },
);

/** Work that must not wait for password hashing; each resolves when done. */
const probes = {
  // The one libuv thread would be busy if a hash ran on libuv's pool.
  readFile: () => readFile(fileURLToPath(import.meta.url)),
  // The server must keep answering the portal's most frequent request.
  whoami: async () => {
    const response = await fetch(`${publicUrl}/sessions/whoami`, { headers: { 'x-session-token': token } });
    const body = await response.json();
    if (response.status !== 200 || body.identity?.id !== identity.id) {
      throw new Error(`whoami answered ${response.status}`);
    }
  },
};

const password = 'correct horse battery staple';
const hash = await services.hasher.hash(password);

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
  services.hasher.verify(password, hash).then((matched) => ({ matched, settledAtMs: since() })),
);
const probed = Object.entries(probes).map(([name, probe]) =>
  probe().then(
    () => [name, { ok: true, settledAtMs: since() }],
    (error) => [name, { ok: false, error: String(error), settledAtMs: since() }],
  ),
);
const result = {
  concurrency: services.hasher.concurrency,
  verifications: await Promise.all(verifications),
  probes: Object.fromEntries(await Promise.all(probed)),
  maxGapMs,
  /** How long each verification computed in its worker. */
  verifyMs,
};
ticking = false;
await servers.public.close();
await services.close();
await db.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
