import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadIdentityConfig } from '../../src/config/identity-config.js';
import { getPath } from '../../src/config/object-path.js';
import { loadProxyConfig } from '../../src/config/proxy-config.js';
import { minimalIdentityYaml, writeConfig } from './config-fixtures.js';

const minimal = writeConfig('minimal.yml', minimalIdentityYaml());

const load = (env: NodeJS.ProcessEnv) => loadIdentityConfig({ files: [minimal], env, dev: true });

describe('environment variables override the identity config file', () => {
  it('maps DSN, SERVE_PUBLIC_BASE_URL and LOG_LEVEL onto their keys', () => {
    const config = load({
      DSN: 'sqlite:///tmp/x.sqlite?_fk=true',
      SERVE_PUBLIC_BASE_URL: 'https://accounts.example.com/.ory/kratos/public/',
      LOG_LEVEL: 'debug',
    });
    expect(config.dsn).toBe('sqlite:///tmp/x.sqlite?_fk=true');
    expect(config.serve.public.baseUrl.href).toBe('https://accounts.example.com/.ory/kratos/public/');
    expect(config.log.level).toBe('debug');
  });

  it('casts numbers and booleans by the schema type', () => {
    const config = load({ SERVE_ADMIN_PORT: '9434', SELFSERVICE_FLOWS_REGISTRATION_ENABLED: 'false' });
    expect(config.serve.admin.port).toBe(9434);
    expect(getPath(config.document, ['selfservice', 'flows', 'registration', 'enabled'])).toBe(false);
  });

  it('reads string lists as CSV, as JSON, or item by item', () => {
    expect(load({ SECRETS_COOKIE: 'aaaaaaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbb' }).secrets.cookie).toEqual([
      'aaaaaaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbbbbbb',
    ]);
    expect(load({ SECRETS_COOKIE: '["cccccccccccccccccccc"]' }).secrets.cookie).toEqual([
      'cccccccccccccccccccc',
    ]);
    expect(load({ SECRETS_COOKIE_0: 'dddddddddddddddddddd' }).secrets.cookie).toEqual([
      'dddddddddddddddddddd',
    ]);
  });

  it('reads lists of maps as JSON', () => {
    const config = load({ IDENTITY_SCHEMAS: '[{"id":"customer","url":"file:///etc/customer.json"}]' });
    expect(getPath(config.document, ['identity', 'schemas'])).toEqual([
      { id: 'customer', url: 'file:///etc/customer.json' },
    ]);
  });

  it('ignores variables that name no config key', () => {
    expect(() => load({ PATH: '/usr/bin', HOME: '/root', SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it('names the variable when its value has the wrong type', () => {
    let error: unknown;
    try {
      load({ SERVE_PUBLIC_PORT: 'eighty' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'environment variable SERVE_PUBLIC_PORT: serve.public.port: expected a whole number, got "eighty"',
    );
  });

  it('blames the variable, not the file, when its value fails validation', () => {
    expect(() => load({ LOG_LEVEL: 'loud' })).toThrow(
      /^environment variable LOG_LEVEL: log\.level: must be one of: "trace", "debug", "info", "warning", "error", "fatal", "panic"$/,
    );
  });
});

describe('environment variables override the proxy config file', () => {
  it('maps SERVE_PROXY_PORT and MUTATORS_ID_TOKEN_CONFIG_JWKS_URL onto their keys', () => {
    const file = writeConfig('proxy.yml', 'serve:\n  proxy:\n    port: 4455\n');
    const config = loadProxyConfig({
      files: [file],
      env: { SERVE_PROXY_PORT: '5455', MUTATORS_ID_TOKEN_CONFIG_JWKS_URL: 'file:///etc/keys.json' },
    });
    expect(config.serve.proxy.port).toBe(5455);
    expect(getPath(config.document, ['mutators', 'id_token', 'config', 'jwks_url'])).toBe(
      'file:///etc/keys.json',
    );
  });
});
