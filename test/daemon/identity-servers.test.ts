import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { loadIdentityConfig } from '../../src/config/identity-config.js';
import { createIdentityServers } from '../../src/daemon/identity-servers.js';
import { createIdentityServices } from '../../src/daemon/identity-services.js';
import { openDatabase } from '../../src/db/database.js';
import { parseDsn } from '../../src/db/dsn.js';
import { migrations } from '../../src/db/migrations/index.js';
import { Migrator } from '../../src/db/migrator.js';
import { silentLogger } from '../../src/log/logger.js';
import { cryptoRandom } from '../../src/random.js';
import { minimalIdentityYaml, writeConfig } from '../config/config-fixtures.js';

const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-servers-')), 'db.sqlite');
const configFile = writeConfig('servers.yml', minimalIdentityYaml(`sqlite://${file}`));
const config = loadIdentityConfig({ files: [configFile], env: {}, dev: true });
const db = openDatabase(parseDsn(config.dsn));
const registry = { config, log: silentLogger(), clock: systemClock, random: cryptoRandom, db, migrations };
const services = await createIdentityServices(registry, process.cwd());
const servers = createIdentityServers(registry, services);

afterAll(async () => {
  await servers.public.close();
  await servers.admin.close();
  await services.close();
  await db.close();
});

describe('identity server health', () => {
  it('is alive on both ports', async () => {
    for (const [app, path] of [
      [servers.public, '/health/alive'],
      [servers.admin, '/admin/health/alive'],
      [servers.admin, '/health/alive'],
    ] as const) {
      const response = await app.inject({ url: path });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'ok' });
    }
  });

  it('is not ready while migrations are pending; the admin port says why, the public port does not', async () => {
    const admin = await servers.admin.inject({ url: '/admin/health/ready' });
    expect(admin.statusCode).toBe(503);
    expect(admin.json()).toEqual({
      errors: {
        migrations:
          '3 migration(s) pending (identities, sessions, selfservice_flows); run `gatehouse migrate sql -e --yes`',
      },
    });
    const pub = await servers.public.inject({ url: '/health/ready' });
    expect(pub.statusCode).toBe(503);
    expect(pub.json()).toEqual({
      errors: { migrations: 'error may contain sensitive information and was obfuscated' },
    });
  });

  it('is ready once migrated', async () => {
    await new Migrator(db, migrations, { clock: systemClock, holder: 'test' }).up();
    const response = await servers.public.inject({ url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });
});

describe('identity server routing', () => {
  it('answers /admin/version and, by the /admin prefix rule, /version on the admin port', async () => {
    for (const url of ['/admin/version', '/version']) {
      const response = await servers.admin.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ version: expect.stringMatching(/^v\d+\.\d+\.\d+/) });
    }
  });

  it('does not serve the version on the public port', async () => {
    expect((await servers.public.inject({ url: '/version' })).statusCode).toBe(404);
  });

  it('answers unknown routes with a 404 in Ory’s error shape, carrying the request id', async () => {
    const response = await servers.public.inject({ url: '/nowhere', headers: { 'x-request-id': 'req-42' } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-request-id']).toBe('req-42');
    expect(response.json()).toEqual({
      error: {
        code: 404,
        status: 'Not Found',
        request: 'req-42',
        message: 'The requested resource could not be found',
      },
    });
  });

  it('makes up a request id when the client sends none, or one that could forge log lines', async () => {
    const none = await servers.public.inject({ url: '/health/alive' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await servers.public.inject({
      url: '/health/alive',
      headers: { 'x-request-id': 'a b\nlevel=error' },
    });
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a body over 5 MB with 413 in Ory’s error shape', async () => {
    const response = await servers.public.inject({
      method: 'POST',
      url: '/self-service/registration',
      headers: { 'content-type': 'application/json' },
      payload: `"${'x'.repeat(5 * 1024 * 1024 + 10)}"`,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toMatchObject({ code: 413, status: 'Request Entity Too Large' });
  });
});

describe('identity server caching', () => {
  it('marks GET answers of both ports as not cacheable, errors included', async () => {
    for (const [app, url] of [
      [servers.public, '/health/alive'],
      [servers.public, '/sessions/whoami'],
      [servers.public, '/nowhere'],
      [servers.admin, '/admin/identities'],
    ] as const) {
      const response = await app.inject({ url });
      expect(response.headers['cache-control'], url).toBe('private, no-cache, no-store, must-revalidate');
    }
  });

  it('leaves other methods alone', async () => {
    const response = await servers.admin.inject({ method: 'DELETE', url: '/admin/identities/x' });
    expect(response.headers['cache-control']).toBeUndefined();
  });
});

describe('identity server metrics', () => {
  it('serves Kratos’ http_ series at /admin/metrics/prometheus, counting both ports by route', async () => {
    await servers.public.inject({ url: '/health/alive' });
    await servers.public.inject({ url: '/sessions/whoami' });
    await servers.admin.inject({ url: '/admin/identities/0b9e5b1c-2d7a-4f0e-9f5e-5d2c1c6a0c11' });
    await servers.public.inject({ url: '/no/such/route' });

    const response = await servers.admin.inject({ url: '/admin/metrics/prometheus' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    const series = (name: string, labels: string) =>
      text.split('\n').find((line) => line.startsWith(`${name}{`) && line.includes(labels));
    expect(series('http_requests_total', 'code="401",method="GET"')).toMatch(/app="kratos"/);
    expect(series('http_requests_statuses_total', 'method="GET",status_bucket="4xx"')).toMatch(/ [1-9]\d*$/);
    // Ids in paths become {param}, so there is one series per route, not per identity.
    expect(series('http_response_time_seconds_count', 'endpoint="/admin/identities/{param}"')).toMatch(
      / [1-9]\d*$/,
    );
    expect(text).not.toContain('0b9e5b1c-2d7a-4f0e-9f5e-5d2c1c6a0c11');
    expect(series('http_response_time_seconds_count', 'endpoint="{unmatched}"')).toMatch(/ [1-9]\d*$/);
    expect(series('http_requests_duration_seconds_bucket', 'code="200",method="GET"')).toBeDefined();
    expect(text).toMatch(/^process_resident_memory_bytes\{/m);
  });

  it('is not served on the public port', async () => {
    expect((await servers.public.inject({ url: '/admin/metrics/prometheus' })).statusCode).toBe(307);
    expect((await servers.public.inject({ url: '/metrics/prometheus' })).statusCode).toBe(404);
  });
});
