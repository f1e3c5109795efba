import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { secretsFingerprint } from '../cluster/secrets-fingerprint.js';
import { getPath } from '../config/object-path.js';
import { Migrator } from '../db/migrator.js';
import { applyCors, readCorsConfig } from '../http/cors.js';
import { createHttpApp } from '../http/create-app.js';
import { type ReadinessCheck, registerHealthRoutes } from '../http/health-routes.js';
import type { HttpError } from '../http/http-error.js';
import { HttpMetrics } from '../http/http-metrics.js';
import { preventCachingOfGets } from '../http/no-cache.js';
import { registerAdminIdentityRoutes } from '../identity/admin/admin-identity-routes.js';
import { registerSchemaRoutes, schemaUrl } from '../identity/schema/schema-routes.js';
import type { IdentityRegistry } from '../registry.js';
import { redirectToErrorUi } from '../selfservice/errors/browser-error-redirect.js';
import { SelfServiceErrorRepository } from '../selfservice/errors/error-repository.js';
import { registerErrorRoutes } from '../selfservice/errors/error-routes.js';
import { csrfCookieName, csrfCookieOptions, readCsrfCookieConfig } from '../selfservice/flow/csrf.js';
import type { FlowHttpDependencies } from '../selfservice/flow/flow-http.js';
import { readAllowedReturnUrls } from '../selfservice/flow/return-to.js';
import { registerLoginRoutes } from '../selfservice/login/login-routes.js';
import { registerLogoutRoutes } from '../selfservice/logout/logout-routes.js';
import { readRegistrationConfig } from '../selfservice/registration/registration-config.js';
import { registerRegistrationRoutes } from '../selfservice/registration/registration-routes.js';
import { readSelfserviceConfig } from '../selfservice/selfservice-config.js';
import { readSettingsConfig } from '../selfservice/settings/settings-flow.js';
import { registerSettingsRoutes } from '../selfservice/settings/settings-routes.js';
import { passwordPolicyFromConfig } from '../selfservice/strategy/password/password-policy-from-config.js';
import { registerAdminSessionRoutes } from '../session/admin-session-routes.js';
import { registerPublicSessionRoutes } from '../session/session-routes.js';
import { gatehouseVersion } from '../version.js';
import { registerPortRedirects } from './identity-port-redirects.js';
import type { IdentityServices } from './identity-services.js';

export interface IdentityServers {
  public: FastifyInstance;
  admin: FastifyInstance;
}

export interface IdentityServersOptions {
  /** The HTTP client of the haveibeenpwned range checks (tests pass one trusting their own CA). */
  pwnedPasswordsDispatcher?: Dispatcher;
}

/** The identity server's two HTTP apps: public (self-service, whoami) and admin (/admin/...). */
export function createIdentityServers(
  registry: IdentityRegistry,
  services: IdentityServices,
  options: IdentityServersOptions = {},
): IdentityServers {
  const checks = identityReadinessChecks(registry);
  const publicBase = registry.config.serve.public.baseUrl;
  const adminBase = registry.config.serve.admin.baseUrl;
  const schemaUrlFor = (schemaId: string) => schemaUrl(publicBase, schemaId);

  // Both ports count into one set of metrics, served on the admin port only, as Kratos does.
  const metrics = new HttpMetrics({ app: 'kratos', version: gatehouseVersion() });

  const publicApp = createHttpApp({ log: registry.log, server: 'identity-public' });
  void publicApp.register(fastifyCookie);
  metrics.instrument(publicApp);
  preventCachingOfGets(publicApp);
  registerHealthRoutes(publicApp, { checks, obfuscate: true });
  registerSchemaRoutes(publicApp, services.schemas);
  registerPublicSessionRoutes(publicApp, {
    manager: services.sessionManager,
    sessions: services.sessions,
    clock: registry.clock,
    schemaUrlFor,
  });
  registerSelfserviceRoutes(publicApp, registry, services, schemaUrlFor, options);

  // As Kratos, the admin port serves everything under /admin and reads a path without that
  // prefix as if it had it, so `:4434/identities` and `:4434/admin/identities` are the same.
  const adminApp = createHttpApp({
    log: registry.log,
    server: 'identity-admin',
    rewritePath: (path) => (path === '/admin' || path.startsWith('/admin/') ? path : `/admin${path}`),
  });
  registerHealthRoutes(adminApp, { prefix: '/admin', checks });
  void adminApp.register(fastifyCookie);
  metrics.instrument(adminApp);
  preventCachingOfGets(adminApp);
  adminApp.get('/admin/version', async () => ({ version: gatehouseVersion() }));
  metrics.registerRoute(adminApp, '/admin/metrics/prometheus');
  registerAdminIdentityRoutes(adminApp, {
    manager: services.identityManager,
    repository: services.identities,
    defaultSchemaId: services.schemas.defaultSchemaId,
    adminBaseUrl: adminBase,
    schemaUrlFor,
  });
  registerAdminSessionRoutes(adminApp, {
    manager: services.sessionManager,
    sessions: services.sessions,
    identities: services.identities,
    clock: registry.clock,
    schemaUrlFor,
  });
  // For `gatehouse cluster join/check`: lets nodes compare their secrets without revealing them.
  // Computed once: scrypt is slow on purpose.
  const fingerprint = secretsFingerprint(registry.config.secrets);
  adminApp.get('/admin/gatehouse/fingerprint', async () => ({
    version: gatehouseVersion(),
    secrets: fingerprint,
  }));

  registerPortRedirects(publicApp, adminApp, { publicBase, adminBase });
  return { public: publicApp, admin: adminApp };
}

/** The self-service flows on the public port: forms and JSON bodies, CSRF, the flows' routes. */
function registerSelfserviceRoutes(
  app: FastifyInstance,
  registry: IdentityRegistry,
  services: IdentityServices,
  schemaUrlFor: (schemaId: string) => string,
  options: IdentityServersOptions,
): void {
  void app.register(fastifyFormbody);
  // serve.public.cors (off by default), for UIs on another origin calling the flows with cookies.
  const cors = readCorsConfig(
    getPath(registry.config.document, ['serve', 'public', 'cors']) as Record<string, unknown> | undefined,
  );
  if (cors.enabled) {
    app.addHook('onRequest', async (request, reply) => {
      if (applyCors(cors, request.raw, reply.raw)) reply.hijack();
    });
  }
  const { config, clock, random, log } = registry;
  const selfservice = readSelfserviceConfig(config.document);
  const flowDeps: FlowHttpDependencies = {
    config: selfservice,
    publicBaseUrl: config.serve.public.baseUrl,
    allowedReturnUrls: readAllowedReturnUrls(selfservice.allowedReturnUrls, log),
    flows: services.flows,
    clock,
    random,
    csrfCookie: {
      name: csrfCookieName(config.serve.public.baseUrl.href),
      options: csrfCookieOptions(readCsrfCookieConfig(config.document, config.dev)),
    },
  };
  // Errors no flow can show are kept for the error page, which reads them back by id.
  const errors = new SelfServiceErrorRepository(registry.db, { clock, random });
  registerErrorRoutes(app, { errors, random });
  const browserError = async (request: FastifyRequest, reply: FastifyReply, error: HttpError) => {
    const csrfToken = request.cookies?.[flowDeps.csrfCookie.name] ?? '';
    const to = await redirectToErrorUi(error, { errors, errorUiUrl: selfservice.errorUiUrl, csrfToken });
    return reply.redirect(to, 303);
  };
  registerLogoutRoutes(app, {
    ...flowDeps,
    manager: services.sessionManager,
    sessions: services.sessions,
    clearBrowserData:
      getPath(config.document, ['selfservice', 'flows', 'logout', 'clear_browser_data']) === true,
    browserError,
  });
  registerLoginRoutes(app, {
    ...flowDeps,
    sessions: services.sessionManager,
    identities: services.identities,
    passwordLogin: services.passwordLogin,
    schemaDocument: services.schemas.get(services.schemas.defaultSchemaId).document,
    schemaUrlFor,
    browserError,
  });
  // One policy for registration and settings: one haveibeenpwned client and one range cache.
  const passwordPolicy = passwordPolicyFromConfig(
    app,
    config.document,
    clock,
    options.pwnedPasswordsDispatcher,
  );
  registerSettingsRoutes(app, {
    ...flowDeps,
    sessions: services.sessionManager,
    identities: services.identities,
    identityManager: services.identityManager,
    schemas: services.schemas,
    hasher: services.hasher,
    passwordPolicy,
    settings: readSettingsConfig(config.document),
    schemaUrlFor,
    browserError,
  });
  registerRegistrationRoutes(app, {
    ...flowDeps,
    sessions: services.sessionManager,
    identityManager: services.identityManager,
    schemas: services.schemas,
    passwordPolicy,
    registration: readRegistrationConfig(config.document),
    schemaUrlFor,
    browserError,
    log,
  });
  // More flows register here, one call each.
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
