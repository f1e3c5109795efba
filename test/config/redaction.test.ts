import { describe, expect, it } from 'vitest';
import { redactConfig, redactUrlPassword } from '../../src/config/redact.js';
import { freePortsEnv, runGatehouse, startGatehouse } from '../support/gatehouse-process.js';
import { minimalIdentityYaml, writeConfig } from './config-fixtures.js';

const COOKIE_SECRET = 'cookie-secret-7f3a9c1e5b2d4f60';
const CIPHER_SECRET = 'cipher-secret-0123456789abcdefgh';
const SMTP_PASSWORD = 'smtp-pass-w0rd';
const DSN_PASSWORD = 'dsn-pass-w0rd';

const config = writeConfig(
  'secrets.yml',
  `${minimalIdentityYaml()}dev: true
log:
  level: trace
  leak_sensitive_values: true
secrets:
  cookie: [${COOKIE_SECRET}]
  cipher: [${CIPHER_SECRET}]
courier:
  smtp:
    connection_uri: smtps://portal:${SMTP_PASSWORD}@mail.example.com:465/
`,
);

const SECRETS = [COOKIE_SECRET, CIPHER_SECRET, SMTP_PASSWORD, DSN_PASSWORD];

describe('secrets in configs', () => {
  it('are replaced in `config show`, even with log.leak_sensitive_values: true', async () => {
    const result = await runGatehouse(['config', 'show', '-c', config], {
      env: { DSN: `postgres://portal:${DSN_PASSWORD}@127.0.0.1:5432/accounts` },
    });
    expect(result.code).toBe(0);
    for (const secret of SECRETS) expect(result.stdout).not.toContain(secret);
    expect(result.stdout).toContain('connection_uri: smtps://portal:[redacted]@mail.example.com:465/');
    expect(result.stdout).toContain('dsn: postgres://portal:[redacted]@127.0.0.1:5432/accounts');
    expect(result.stdout).toMatch(/cookie:\n\s+- "?\[redacted\]"?/);
  });

  it('never reach the log, even at trace level with log.leak_sensitive_values: true', async () => {
    const running = await startGatehouse(['serve', '-c', config], { env: await freePortsEnv() });
    await fetch(new URL('health/ready', running.urls['identity public']));
    await running.stop();
    const { stdout, stderr } = running.output();
    expect(stderr).toContain('identity config loaded');
    for (const secret of SECRETS) {
      expect(stderr).not.toContain(secret);
      expect(stdout).not.toContain(secret);
    }
  });

  it('are found by key and in URLs wherever they sit', () => {
    const redacted = redactConfig({
      secrets: { default: ['a'.repeat(32)], cookie: ['b'.repeat(32)], cipher: ['c'.repeat(32)] },
      selfservice: {
        methods: {
          oidc: { config: { providers: [{ id: 'x', client_id: 'public-id', client_secret: 'hidden' }] } },
        },
        flows: {
          registration: {
            after: {
              hooks: [
                {
                  hook: 'web_hook',
                  config: {
                    url: 'https://u:p4ss@hooks.example.com/x',
                    auth: { type: 'basic_auth', config: { user: 'u', password: 'p4ss' } },
                  },
                },
              ],
            },
          },
        },
      },
      serve: { public: { tls: { key: { base64: 'LS0tLS1CRUdJTi' } } } },
    });
    const text = JSON.stringify(redacted);
    for (const secret of ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32), 'hidden', 'p4ss']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('public-id');
    expect(redactUrlPassword('smtp://user:pw@host:25/?x=1')).toBe('smtp://user:[redacted]@host:25/?x=1');
    expect(redactUrlPassword('http://host/path:x@y')).toBe('http://host/path:x@y');
  });
});
