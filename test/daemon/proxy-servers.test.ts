import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { loadProxyConfig } from '../../src/config/proxy-config.js';
import { createProxyRegistry } from '../../src/daemon/proxy-registry.js';
import { createProxyServers } from '../../src/daemon/proxy-servers.js';
import { silentLogger } from '../../src/log/logger.js';
import { cryptoRandom } from '../../src/random.js';
import { writeConfig } from '../config/config-fixtures.js';

async function proxyWith(verbose: boolean) {
  const file = writeConfig(
    `proxy-${verbose}.yml`,
    `errors:\n  handlers:\n    json:\n      enabled: true\n      config:\n        verbose: ${verbose}\n`,
  );
  const registry = await createProxyRegistry({
    config: loadProxyConfig({ files: [file], env: {} }),
    log: silentLogger(),
    clock: systemClock,
    random: cryptoRandom,
    cwd: process.cwd(),
  });
  return createProxyServers(registry);
}

function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      request({ host: '127.0.0.1', port, path, headers }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
      })
        .on('error', reject)
        .end();
    },
  );
}

describe('the proxy with no access rules', () => {
  let verbose: Awaited<ReturnType<typeof proxyWith>>;
  let quiet: Awaited<ReturnType<typeof proxyWith>>;
  beforeAll(async () => {
    verbose = await proxyWith(true);
    quiet = await proxyWith(false);
    await new Promise<void>((resolve) => verbose.proxy.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => quiet.proxy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    verbose.proxy.close();
    quiet.proxy.close();
  });

  it('answers every request as Oathkeeper answers one that matches no rule', async () => {
    const response = await get((verbose.proxy.address() as AddressInfo).port, '/anything', {
      'x-request-id': 'r-1',
    });
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toBe(
      '{"error":{"code":404,"status":"Not Found","request":"r-1","message":"Requested url does not match any rules"}}\n',
    );
  });

  it('uses the generic message when the json error handler is not verbose', async () => {
    const response = await get((quiet.proxy.address() as AddressInfo).port, '/anything');
    expect(JSON.parse(response.body).error.message).toBe('The requested resource could not be found');
  });

  it('is alive but not ready without a valid rule, as Oathkeeper; serves its version', async () => {
    expect((await verbose.api.inject({ url: '/health/alive' })).json()).toEqual({ status: 'ok' });
    const ready = await verbose.api.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ errors: { rules: 'no valid access rule is loaded' } });
    expect((await verbose.api.inject({ url: '/version' })).json()).toEqual({
      version: expect.stringMatching(/^v/),
    });
  });
});
