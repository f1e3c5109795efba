import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { IdentityConfig } from '../config/identity-config.js';
import type { ProxyConfig } from '../config/proxy-config.js';
import type { LogConfig } from '../config/typed-views.js';
import { type Database, openDatabase } from '../db/database.js';
import { parseDsn } from '../db/dsn.js';
import type { Migration } from '../db/migration.js';
import { Migrator } from '../db/migrator.js';
import type { Logger } from '../log/logger.js';
import type { RandomSource } from '../random.js';
import { createIdentityServers } from './identity-servers.js';
import { createIdentityServices, type IdentityServices } from './identity-services.js';
import { type Listening, type ListenSpec, listen } from './listen.js';
import { createProxyRegistry } from './proxy-registry.js';
import { createProxyServers } from './proxy-servers.js';

export interface StartOptions {
  identity?: IdentityConfig;
  proxy?: ProxyConfig;
  /** Process-level messages (migrations); each service logs through a logger made from its own config. */
  log: Logger;
  makeLogger: (config: LogConfig, service: string) => Logger;
  clock: Clock;
  random: RandomSource;
  migrations: readonly Migration[];
  /** Apply pending migrations before serving (dev mode and in-memory databases). */
  migrate: boolean;
  /** Relative key-file URLs are read from here, as Oathkeeper reads them from its working directory. */
  cwd: string;
  /** The environment configs are read with (again, when a proxy config file changes). */
  env: NodeJS.ProcessEnv;
  /** Create the SQLite database's folder when missing. */
  createSqliteFolder?: boolean;
}

export interface RunningGatehouse {
  listening: Listening[];
  /** Graceful stop: servers first (requests in flight finish), then the database. */
  stop(): Promise<void>;
}

/** Starts the identity server, the proxy, or both, in this process. */
export async function startGatehouse(options: StartOptions): Promise<RunningGatehouse> {
  const specs: ListenSpec[] = [];
  let db: Database | undefined;
  let stopProxy: (() => Promise<void>) | undefined;
  let stopIdentity: (() => Promise<void>) | undefined;
  const shutdownTimeouts: number[] = [];

  if (options.identity) {
    const config = options.identity;
    const source = parseDsn(config.dsn);
    db = openDatabase(source, { createSqliteFolder: options.createSqliteFolder });
    // An in-memory database is new at every start, so it is always migrated, as Kratos does.
    if (options.migrate || (source.dialect === 'sqlite' && source.filename === ':memory:')) {
      const migrator = new Migrator(db, options.migrations, {
        clock: options.clock,
        holder: `${hostname()}:${process.pid}`,
        onWait: (holder) => options.log.debug({ holder }, 'waiting for another node to finish migrating'),
      });
      const applied = await migrator.up();
      if (applied.length > 0)
        options.log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
    }
    const log = options.makeLogger(config.log, 'identity');
    const registry = {
      config,
      log,
      clock: options.clock,
      random: options.random,
      db,
      migrations: options.migrations,
    };
    let services: IdentityServices;
    try {
      services = await createIdentityServices(registry, options.cwd);
    } catch (error) {
      await db.close();
      throw error;
    }
    stopIdentity = () => services.close();
    const servers = createIdentityServers(registry, services);
    specs.push(
      {
        name: 'identity public',
        host: config.serve.public.host,
        port: config.serve.public.port,
        server: servers.public,
      },
      {
        name: 'identity admin',
        host: config.serve.admin.host,
        port: config.serve.admin.port,
        server: servers.admin,
      },
    );
    shutdownTimeouts.push(config.serve.shutdownTimeoutMs);
  }

  if (options.proxy) {
    const config = options.proxy;
    const log = options.makeLogger(config.log, 'proxy');
    const registry = await createProxyRegistry({
      config,
      log,
      clock: options.clock,
      random: options.random,
      cwd: options.cwd,
      env: options.env,
    });
    let servers: ReturnType<typeof createProxyServers>;
    try {
      servers = createProxyServers(registry);
    } catch (error) {
      registry.stop();
      await stopIdentity?.();
      await db?.close();
      throw error;
    }
    stopProxy = () => {
      registry.stop();
      return servers.upstreams.close();
    };
    specs.push(
      { name: 'proxy', host: config.serve.proxy.host, port: config.serve.proxy.port, server: servers.proxy },
      { name: 'proxy API', host: config.serve.api.host, port: config.serve.api.port, server: servers.api },
      {
        name: 'proxy metrics',
        host: config.serve.prometheus.host,
        port: config.serve.prometheus.port,
        server: servers.metrics,
      },
    );
    shutdownTimeouts.push(config.serve.shutdownTimeoutMs);
  }

  const listening: Listening[] = [];
  try {
    for (const spec of specs) listening.push(await listen(spec));
  } catch (error) {
    await Promise.all(listening.map((server) => server.close(0)));
    await stopProxy?.();
    await stopIdentity?.();
    await db?.close();
    throw error;
  }

  const timeoutMs = Math.max(...shutdownTimeouts);
  let stopping: Promise<void> | undefined;
  return {
    listening,
    stop() {
      stopping ??= (async () => {
        await Promise.all(listening.map((server) => server.close(timeoutMs)));
        await stopProxy?.();
        await stopIdentity?.();
        await db?.close();
      })();
      return stopping;
    },
  };
}
