import { chmodSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { loadProxyConfig } from '../../src/config/proxy-config.js';
import { createProxyRegistry } from '../../src/daemon/proxy-registry.js';
import { createProxyServers } from '../../src/daemon/proxy-servers.js';
import { generateKeySet } from '../../src/keys/generate-key-set.js';
import type { JsonWebKeySet } from '../../src/keys/json-web-key.js';
import { formatKeySet } from '../../src/keys/key-file.js';
import { createLogger } from '../../src/log/logger.js';
import { cryptoRandom } from '../../src/random.js';
import { writeConfig } from '../config/config-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-jwks-'));
const keyFile = join(dir, 'id_token.jwks.json');
const logLines: string[] = [];

/** Replaces the key file the way an operator's copy does: a new file renamed into place. */
function replaceKeyFile(content: string) {
  const next = join(dir, 'next.json');
  writeFileSync(next, content);
  chmodSync(next, 0o600);
  renameSync(next, keyFile);
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('/.well-known/jwks.json', () => {
  const log = createLogger(
    { level: 'info', format: 'json', leakSensitiveValues: true },
    { destination: { write: (line: string) => logLines.push(line) } as unknown as NodeJS.WritableStream },
  );
  let api: ReturnType<typeof createProxyServers>['api'];
  let registry: Awaited<ReturnType<typeof createProxyRegistry>>;
  let first: JsonWebKeySet;
  // One valid rule, so that readiness depends on the key set only.
  const rule = Buffer.from(
    JSON.stringify([
      {
        id: 'r',
        match: { url: 'http://x/<**>', methods: ['GET'] },
        authenticators: [{ handler: 'noop' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'noop' }],
      },
    ]),
  ).toString('base64');

  beforeAll(async () => {
    first = await generateKeySet({ format: 'hydra' });
    replaceKeyFile(formatKeySet(first));
    const config = loadProxyConfig({
      files: [
        writeConfig(
          'jwks-proxy.yml',
          `mutators:\n  noop:\n    enabled: true\n  id_token:\n    enabled: true\n    config:\n      issuer_url: http://127.0.0.1:4455/\n      jwks_url: ${pathToFileURL(keyFile).href}\nauthenticators:\n  noop:\n    enabled: true\nauthorizers:\n  allow:\n    enabled: true\naccess_rules:\n  matching_strategy: glob\n  repositories: ["inline://${rule}"]\n`,
        ),
      ],
      env: {},
    });
    registry = await createProxyRegistry({ config, log, clock: systemClock, random: cryptoRandom, cwd: dir });
    ({ api } = createProxyServers(registry));
  });
  afterAll(() => registry.stop());

  it('publishes the public half of every key, kids exactly as in the file, with cache headers', async () => {
    const response = await api.inject({ url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=60');
    const { keys } = response.json() as { keys: Record<string, unknown>[] };
    expect(keys.map((key) => key.kid)).toEqual(first.keys.map((key) => key.kid));
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key.n).toBe(first.keys[0]!.n);
    }
  });

  it('is ready while its key set loads', async () => {
    expect((await api.inject({ url: '/health/ready' })).statusCode).toBe(200);
  });

  it('keeps the last good set when the file turns bad, logs why without key material, and takes the next good one', async () => {
    const privateD = first.keys[0]!.d as string;
    const text = formatKeySet(first);
    // A truncated copy: the JSON breaks in the middle of the private exponent.
    replaceKeyFile(text.slice(0, text.indexOf(privateD) + 40));
    await until(async () =>
      logLines.some((line) => line.includes('keeping the last good one')) ? true : undefined,
    );
    const during = await api.inject({ url: '/.well-known/jwks.json' });
    expect(during.json().keys.map((key: { kid: string }) => key.kid)).toEqual(
      first.keys.map((key) => key.kid),
    );
    expect((await api.inject({ url: '/health/ready' })).statusCode).toBe(200);
    const logged = logLines.join('\n');
    expect(logged).toMatch(/not valid JSON at line \d+, column \d+/);
    expect(logged).not.toContain(privateD.slice(0, 20));

    const second = await generateKeySet();
    replaceKeyFile(formatKeySet(second));
    const kids = await until(async () => {
      const body = (await api.inject({ url: '/.well-known/jwks.json' })).json() as {
        keys: { kid: string }[];
      };
      return body.keys[0]?.kid === second.keys[0]!.kid ? body.keys.map((key) => key.kid) : undefined;
    });
    expect(kids).toEqual([second.keys[0]!.kid]);
  });
});

describe('/.well-known/jwks.json without an id_token key set', () => {
  it('answers 500, as Oathkeeper does, saying what to configure', async () => {
    const log = createLogger({ level: 'error', format: 'json', leakSensitiveValues: false });
    const { api } = createProxyServers(
      await createProxyRegistry({
        config: loadProxyConfig({ files: [writeConfig('no-keys.yml', 'log:\n  level: error\n')], env: {} }),
        log,
        clock: systemClock,
        random: cryptoRandom,
        cwd: dir,
      }),
    );
    const response = await api.inject({ url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(500);
    expect(response.json().error).toMatchObject({
      code: 500,
      message: 'No key set is configured: set mutators.id_token.config.jwks_url.',
    });
  });
});
