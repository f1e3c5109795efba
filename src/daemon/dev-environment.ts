import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonObject } from '../config/object-path.js';
import { generateKeySet } from '../keys/generate-key-set.js';
import { writeSecretFile } from '../keys/key-file.js';
import type { RandomSource } from '../random.js';

/** What `gatehouse serve --dev` runs on when no config file is given. */
export interface DevEnvironment {
  /** `./.gatehouse`: the dev database, key set and secrets. */
  dir: string;
  databaseFile: string;
  keyFile: string;
  identityBase: JsonObject;
  proxyBase: JsonObject;
  /** Files this call created (first start). */
  created: string[];
}

export const DEV_PORTS = { public: 4433, admin: 4434, proxy: 4455, api: 4456, metrics: 9000 } as const;

/**
 * Prepares `./.gatehouse/` on first use: a private folder with a signing key set and random
 * secrets, kept across restarts so sessions and tokens survive them. Nothing here is meant
 * for production: the identity config says `dev: true`.
 */
export async function prepareDevEnvironment(cwd: string, random: RandomSource): Promise<DevEnvironment> {
  const dir = resolve(cwd, '.gatehouse');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];

  const secretsFile = join(dir, 'dev-secrets.json');
  if (!existsSync(secretsFile)) {
    const secrets = {
      cookie: [random.bytes(32).toString('hex')],
      cipher: [random.bytes(16).toString('hex')],
      default: [random.bytes(32).toString('hex')],
    };
    writeSecretFile(secretsFile, `${JSON.stringify(secrets, null, 2)}\n`);
    created.push(secretsFile);
  }
  const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as JsonObject;

  const keyFile = join(dir, 'id_token.jwks.json');
  if (!existsSync(keyFile)) {
    const keySet = await generateKeySet({ alg: 'RS256', bits: 2048 });
    writeSecretFile(keyFile, `${JSON.stringify(keySet, null, 2)}\n`);
    created.push(keyFile);
  }

  const databaseFile = join(dir, 'dev.sqlite');
  const identitySchema = fileURLToPath(new URL('../../config/identity.schema.json', import.meta.url));
  const publicUrl = `http://127.0.0.1:${DEV_PORTS.public}/`;
  const proxyUrl = `http://127.0.0.1:${DEV_PORTS.proxy}/`;

  const identityBase: JsonObject = {
    dsn: `sqlite://${databaseFile}?_fk=true`,
    dev: true,
    serve: {
      public: { host: '127.0.0.1', port: DEV_PORTS.public, base_url: publicUrl },
      admin: { host: '127.0.0.1', port: DEV_PORTS.admin, base_url: `http://127.0.0.1:${DEV_PORTS.admin}/` },
    },
    selfservice: {
      default_browser_return_url: proxyUrl,
      allowed_return_urls: [proxyUrl],
      methods: {
        // Off explicitly: a dev machine may have no route to the internet, and tests must not leave loopback.
        password: { enabled: true, config: { haveibeenpwned_enabled: false } },
      },
    },
    identity: {
      default_schema_id: 'default',
      schemas: [{ id: 'default', url: pathToFileURL(identitySchema).href }],
    },
    secrets,
    log: { level: 'info', format: 'text' },
  };

  // Built-in rules: the identity server's public API behind the proxy (as the portal exposes it
  // under /.ory/kratos/public), and a demo route that shows who the caller is.
  const devRules = [
    {
      id: 'dev:identity:public',
      description: 'The identity server public API, as the portal reaches it through the proxy',
      match: {
        url: `http://<{127.0.0.1,localhost}>:${DEV_PORTS.proxy}/.ory/kratos/public/<**>`,
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      },
      upstream: { url: publicUrl, strip_path: '/.ory/kratos/public', preserve_host: true },
      authenticators: [{ handler: 'noop' }],
      authorizer: { handler: 'allow' },
      mutators: [{ handler: 'noop' }],
    },
    {
      id: 'dev:demo:whoami',
      description: 'A demo route: anonymous callers get X-User: guest',
      match: { url: `http://<{127.0.0.1,localhost}>:${DEV_PORTS.proxy}/demo/whoami`, methods: ['GET'] },
      authenticators: [{ handler: 'anonymous' }],
      authorizer: { handler: 'allow' },
      mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
    },
  ];

  const proxyBase: JsonObject = {
    serve: {
      proxy: { host: '127.0.0.1', port: DEV_PORTS.proxy },
      api: { host: '127.0.0.1', port: DEV_PORTS.api },
      prometheus: { host: '127.0.0.1', port: DEV_PORTS.metrics },
    },
    access_rules: {
      matching_strategy: 'glob',
      repositories: [`inline://${Buffer.from(JSON.stringify(devRules)).toString('base64')}`],
    },
    errors: { fallback: ['json'], handlers: { json: { enabled: true, config: { verbose: true } } } },
    authenticators: {
      anonymous: { enabled: true, config: { subject: 'guest' } },
      noop: { enabled: true },
      cookie_session: {
        enabled: true,
        config: {
          check_session_url: `${publicUrl}sessions/whoami`,
          preserve_path: true,
          extra_from: '@this',
          subject_from: 'identity.id',
          only: ['ory_kratos_session'],
        },
      },
    },
    authorizers: { allow: { enabled: true } },
    mutators: {
      noop: { enabled: true },
      header: { enabled: true, config: { headers: {} } },
      id_token: {
        enabled: true,
        config: {
          issuer_url: proxyUrl,
          jwks_url: pathToFileURL(keyFile).href,
          claims: '{"session": {{ .Extra | toJson }}}',
        },
      },
    },
    log: { level: 'info', format: 'text' },
  };

  return { dir, databaseFile, keyFile, identityBase, proxyBase, created };
}
