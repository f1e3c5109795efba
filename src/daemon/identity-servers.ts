import type { FastifyInstance } from 'fastify';
import { secretsFingerprint } from '../cluster/secrets-fingerprint.js';
import { Migrator } from '../db/migrator.js';
import { createHttpApp } from '../http/create-app.js';
import { type ReadinessCheck, registerHealthRoutes } from '../http/health-routes.js';
import type { IdentityRegistry } from '../registry.js';
import { gatehouseVersion } from '../version.js';

export interface IdentityServers {
  public: FastifyInstance;
  admin: FastifyInstance;
}

/** The identity server's two HTTP apps: public (self-service, whoami) and admin (/admin/...). */
export function createIdentityServers(registry: IdentityRegistry): IdentityServers {
  const checks = identityReadinessChecks(registry);

  const publicApp = createHttpApp({ log: registry.log, server: 'identity-public' });
  registerHealthRoutes(publicApp, { checks, obfuscate: true });

  // As Kratos, the admin port serves everything under /admin and reads a path without that
  // prefix as if it had it, so `:4434/identities` and `:4434/admin/identities` are the same.
  const adminApp = createHttpApp({
    log: registry.log,
    server: 'identity-admin',
    rewritePath: (path) => (path === '/admin' || path.startsWith('/admin/') ? path : `/admin${path}`),
  });
  registerHealthRoutes(adminApp, { prefix: '/admin', checks });
  adminApp.get('/admin/version', async () => ({ version: gatehouseVersion() }));
  // For `gatehouse cluster join/check`: lets nodes compare their secrets without revealing them.
  // Computed once: scrypt is slow on purpose.
  const fingerprint = secretsFingerprint(registry.config.secrets);
  adminApp.get('/admin/gatehouse/fingerprint', async () => ({
    version: gatehouseVersion(),
    secrets: fingerprint,
  }));

  return { public: publicApp, admin: adminApp };
}

function identityReadinessChecks(registry: IdentityRegistry): ReadinessCheck[] {
  const migrator = new Migrator(registry.db, registry.migrations, {
    clock: registry.clock,
    holder: 'readiness',
  });
  // Once every migration was seen applied it stays applied; later probes only ping the database.
  let migrated = false;
  return [
    {
      name: 'database',
      check: () => registry.db.ping(),
    },
    {
      name: 'migrations',
      async check() {
        if (migrated) return;
        const { pending } = await migrator.status();
        if (pending.length > 0) {
          throw new Error(
            `${pending.length} migration(s) pending (${pending.map((m) => m.name).join(', ')}); run \`gatehouse migrate sql -e --yes\``,
          );
        }
        migrated = true;
      },
    },
  ];
}
