import { describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../../src/config/proxy-config.js';
import { writeConfig } from './config-fixtures.js';

describe("the proxy listener's config", () => {
  it("has Oathkeeper's timeouts and Go's upstream limits by default", () => {
    const config = loadProxyConfig({
      files: [writeConfig('proxy-defaults.yml', 'log: { level: info }\n')],
      env: {},
    });
    expect(config.serve.proxy.timeouts).toEqual({ readMs: 5000, writeMs: 120_000, idleMs: 120_000 });
    expect(config.serve.proxy.trustForwardedHeaders).toBe(false);
    expect(config.serve.proxy.upstream).toEqual({
      dialTimeoutMs: 30_000,
      tlsHandshakeTimeoutMs: 10_000,
      maxConnections: 1024,
    });
  });

  it('reads timeouts, trust and upstream limits from the file and the environment', () => {
    const file = writeConfig(
      'proxy-set.yml',
      'serve:\n  proxy:\n    trust_forwarded_headers: true\n    timeout: { read: 1m, idle: 0s }\n    upstream: { dial_timeout: 2s }\n',
    );
    const config = loadProxyConfig({
      files: [file],
      env: { SERVE_PROXY_UPSTREAM_MAX_CONNECTIONS: '16', SERVE_PROXY_TIMEOUT_WRITE: '30s' },
    });
    // As Go's http.Server: an idle timeout of zero falls back to the read timeout.
    expect(config.serve.proxy.timeouts).toEqual({ readMs: 60_000, writeMs: 30_000, idleMs: 60_000 });
    expect(config.serve.proxy.trustForwardedHeaders).toBe(true);
    expect(config.serve.proxy.upstream).toMatchObject({ dialTimeoutMs: 2000, maxConnections: 16 });
  });

  it('refuses upstream limits that make no sense, naming the key', () => {
    const file = writeConfig(
      'proxy-bad.yml',
      'serve:\n  proxy:\n    upstream: { max_connections: 0, dial_timeout: soon }\n',
    );
    expect(() => loadProxyConfig({ files: [file], env: {} })).toThrow(
      /serve\.proxy\.upstream\.max_connections/,
    );
    expect(() => loadProxyConfig({ files: [file], env: {} })).toThrow(/serve\.proxy\.upstream\.dial_timeout/);
  });
});
