import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { systemClock } from '../../../src/clock.js';
import { loadIdentityConfig } from '../../../src/config/identity-config.js';
import { createIdentityServers } from '../../../src/daemon/identity-servers.js';
import { createIdentityServices } from '../../../src/daemon/identity-services.js';
import { openDatabase } from '../../../src/db/database.js';
import { parseDsn } from '../../../src/db/dsn.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { Migrator } from '../../../src/db/migrator.js';
import { silentLogger } from '../../../src/log/logger.js';
import { cryptoRandom } from '../../../src/random.js';
import { PORTAL, writeConfig } from '../../config/config-fixtures.js';
import { freePortsEnv } from '../../support/gatehouse-process.js';

export interface IdentityServerOptions {
  dsn: string;
  /** Extra YAML appended to the config (top-level keys not otherwise set here). */
  yaml?: string;
  /** `serve.public.cors` as a YAML flow mapping (`{ enabled: true, ... }`). */
  publicCors?: string;
  /** The `selfservice:` block's body, indented by two spaces (replaces the default return URL only). */
  selfservice?: string;
  /** The HTTP client of the haveibeenpwned range checks (one trusting a test range server's CA). */
  pwnedPasswordsDispatcher?: Dispatcher;
}

/**
 * The identity server in this process on two free loopback ports, migrated, with the portal's
 * identity schema and cheap bcrypt hashing (dev mode allows cost 4), base URLs pointing at the
 * real ports.
 */
export async function startIdentityServer(options: IdentityServerOptions) {
  const env = await freePortsEnv();
  const publicPort = Number(env.SERVE_PUBLIC_PORT);
  const adminPort = Number(env.SERVE_ADMIN_PORT);
  const file = writeConfig(
    `identity-${publicPort}.yml`,
    `dsn: ${options.dsn}
dev: true
serve:
  public: { port: ${publicPort}, host: 127.0.0.1, base_url: http://127.0.0.1:${publicPort}/${options.publicCors ? `, cors: ${options.publicCors}` : ''} }
  admin: { port: ${adminPort}, host: 127.0.0.1, base_url: http://127.0.0.1:${adminPort}/ }
selfservice:
${options.selfservice ?? '  default_browser_return_url: http://127.0.0.1/'}
identity:
  default_schema_id: default
  schemas:
    - id: default
      url: file://${PORTAL}identity.schema.json
hashers:
  algorithm: bcrypt
  bcrypt: { cost: 4 }
secrets:
  cookie: [a-cookie-secret-of-the-tests-0001]
${options.yaml ?? ''}`,
  );
  const config = loadIdentityConfig({ files: [file], env: {} });
  const db = openDatabase(parseDsn(config.dsn));
  await new Migrator(db, migrations, { clock: systemClock, holder: 'test' }).up();
  const registry = { config, log: silentLogger(), clock: systemClock, random: cryptoRandom, db, migrations };
  const services = await createIdentityServices(registry, process.cwd());
  const servers = createIdentityServers(registry, services, {
    pwnedPasswordsDispatcher: options.pwnedPasswordsDispatcher,
  });
  await servers.public.listen({ host: '127.0.0.1', port: publicPort });
  await servers.admin.listen({ host: '127.0.0.1', port: adminPort });
  return {
    publicUrl: `http://127.0.0.1:${(servers.public.server.address() as AddressInfo).port}`,
    adminUrl: `http://127.0.0.1:${(servers.admin.server.address() as AddressInfo).port}`,
    services,
    db,
    async stop() {
      await servers.public.close();
      await servers.admin.close();
      await services.close();
      await db.close();
    },
  };
}
