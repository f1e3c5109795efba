import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIdentityConfig } from '../../src/config/identity-config.js';
import { getPath } from '../../src/config/object-path.js';
import { freePortsEnv, runGatehouse, startGatehouse } from '../support/gatehouse-process.js';
import { PORTAL } from './config-fixtures.js';

const SAMPLE = join(PORTAL, 'kratos.yml.sample');
const OATHKEEPER = join(PORTAL, 'oathkeeper.yml');

describe("the portal's Kratos v0.5 sample", () => {
  it('loads in dev mode with today’s keys and one warning per rewritten key', () => {
    const config = loadIdentityConfig({ files: [SAMPLE], env: {}, dev: true });
    const warnings = config.warnings.map(
      (warning) => `${warning.origin?.kind === 'file' ? warning.origin.line : '?'} ${warning.path}`,
    );
    expect(warnings).toEqual([
      '15 selfservice.whitelisted_return_urls',
      '82 identity.default_schema_url',
      '62 password.max_breaches',
      '76 hashers.argon2.memory',
      '74 hashers.argon2',
      '30 selfservice.flows.recovery',
      '34 selfservice.flows.verification',
    ]);
    const document = config.document;
    expect(getPath(document, ['selfservice', 'allowed_return_urls'])).toEqual(['http://127.0.0.1/']);
    expect(getPath(document, ['identity', 'default_schema_id'])).toBe('default');
    expect(getPath(document, ['identity', 'schemas'])).toEqual([
      { id: 'default', url: 'file:///etc/config/kratos/identity.schema.json' },
    ]);
    expect(getPath(document, ['selfservice', 'methods', 'password', 'config', 'max_breaches'])).toBe(100);
    // Without this the portal's argon2 hashes would all be rehashed to bcrypt.
    expect(getPath(document, ['hashers', 'algorithm'])).toBe('argon2');
    expect(getPath(document, ['hashers', 'argon2', 'memory'])).toBe('131072KB');
    expect(getPath(document, ['selfservice', 'flows', 'recovery', 'use'])).toBe('link');
    expect(getPath(document, ['password'])).toBeUndefined();
    expect(config.serve.public.baseUrl.href).toBe('http://127.0.0.1/');
    expect(config.serve.admin.baseUrl.href).toBe('http://127.0.0.1/admin/');
  });

  it('passes `config check --dev` with the warnings printed, exit 0', async () => {
    const result = await runGatehouse(['config', 'check', '--dev', '-c', SAMPLE, '-p', OATHKEEPER]);
    expect(result.code).toBe(0);
    const warnings = result.stdout.split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings).toHaveLength(7);
    expect(warnings[0]).toBe(
      `warning: ${SAMPLE}:15: selfservice.whitelisted_return_urls: renamed in Kratos v0.6: read as selfservice.allowed_return_urls; rename the key`,
    );
    expect(result.stdout).toContain(`identity config OK: ${SAMPLE}`);
    expect(result.stdout).toContain(`proxy config OK: ${OATHKEEPER}`);
  });

  it('is refused outside dev mode because of its placeholder cookie secret', async () => {
    const result = await runGatehouse(['serve', '-c', SAMPLE]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `gatehouse: config error: ${SAMPLE}:66: secrets.cookie[0]: is the placeholder of a sample config; replace it with a random secret (\`openssl rand -hex 32\`, or let \`gatehouse cluster init\` write one), or run with --dev`,
    );
  });

  it('serves, with the portal’s oathkeeper.yml, under --dev until stopped', async () => {
    // The portal's proxy config lives in a folder of its own; its key and rule files are not here.
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-portal-'));
    copyFileSync(OATHKEEPER, join(dir, 'oathkeeper.yml'));
    const running = await startGatehouse(
      ['serve', '--dev', '-c', SAMPLE, '-p', join(dir, 'oathkeeper.yml')],
      {
        cwd: dir,
        env: {
          ...(await freePortsEnv()),
          // The portal mounts its identity schema at /etc/config/kratos/; here it is the reference copy.
          IDENTITY_SCHEMAS: JSON.stringify([{ id: 'default', url: `file://${PORTAL}identity.schema.json` }]),
        },
      },
    );
    try {
      const identity = await fetch(new URL('health/ready', running.urls['identity public']));
      expect(identity.status).toBe(200);
      const proxy = await fetch(new URL('health/alive', running.urls['proxy API']));
      expect(proxy.status).toBe(200);
      // The sample sets public base_url http://127.0.0.1/: the banner says so beside the listen address.
      expect(running.output().stdout).toContain('public base URL  http://127.0.0.1/');
    } finally {
      expect(await running.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });
});

describe('oathkeeper command lines of the portal', () => {
  it('`serve proxy -c oathkeeper.yml` starts the proxy only', async () => {
    const running = await startGatehouse(['serve', 'proxy', '-c', OATHKEEPER], { env: await freePortsEnv() });
    try {
      expect(Object.keys(running.urls).sort()).toEqual(['proxy', 'proxy API', 'proxy metrics']);
      const version = await fetch(new URL('version', running.urls['proxy API']));
      expect(await version.json()).toEqual({ version: expect.stringMatching(/^v\d+\.\d+\.\d+/) });
    } finally {
      expect((await running.stop('SIGINT')).code).toBe(0);
    }
  });
});
