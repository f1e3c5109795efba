import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { loadProxyConfig } from '../../src/config/proxy-config.js';
import { createProxyRegistry } from '../../src/daemon/proxy-registry.js';
import { createProxyServers } from '../../src/daemon/proxy-servers.js';
import { silentLogger } from '../../src/log/logger.js';
import { cryptoRandom } from '../../src/random.js';
import { writeConfig } from '../config/config-fixtures.js';
import { rawRequest } from '../support/http-request.js';

let base: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const config = loadProxyConfig({
    files: [
      writeConfig(
        'cors.yml',
        'serve:\n  api:\n    cors:\n      enabled: true\n      allowed_origins: ["https://*.example.com", "https://portal.test"]\n      allow_credentials: true\n      max_age: 600\n',
      ),
    ],
    env: {},
  });
  const registry = await createProxyRegistry({
    config,
    log: silentLogger(),
    clock: systemClock,
    random: cryptoRandom,
    cwd: process.cwd(),
  });
  const { api } = createProxyServers(registry);
  await api.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  stop = async () => {
    await api.close();
    registry.stop();
  };
});
afterAll(() => stop());

describe('CORS on the proxy API (serve.api.cors)', () => {
  it('answers a preflight itself with 204, echoing the allowed origin, method and headers', async () => {
    const response = await rawRequest(`${base}/decisions/anything`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example.com',
        'Access-Control-Request-Method': 'post',
        'Access-Control-Request-Headers': 'Authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(response.headers['access-control-allow-methods']).toBe('POST');
    expect(response.headers['access-control-allow-headers']).toBe('Authorization');
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-max-age']).toBe('600');
    expect(response.headers.vary).toBe(
      'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    );
  });

  it('refuses a preflight from another origin without CORS headers, still with 204', async () => {
    const response = await rawRequest(`${base}/health/alive`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'GET' },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds Vary: Origin to every answer and echoes an allowed origin', async () => {
    const allowed = await rawRequest(`${base}/health/alive`, { headers: { Origin: 'https://portal.test' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://portal.test');
    expect(allowed.headers['access-control-expose-headers']).toBe('Content-Type');
    expect(allowed.headers.vary).toBe('Origin');
    const other = await rawRequest(`${base}/health/alive`, { headers: { Origin: 'https://evil.test' } });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers.vary).toBe('Origin');
  });
});
