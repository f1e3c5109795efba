import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { getPath } from '../config/object-path.js';
import { applyCors, readCorsConfig } from '../http/cors.js';
import { createHttpApp } from '../http/create-app.js';
import { goServerOptions } from '../http/go-server-options.js';
import { registerHealthRoutes } from '../http/health-routes.js';
import { readTlsCredentials } from '../http/tls-credentials.js';
import { createDecisionsHandler } from '../proxy/server/decisions-handler.js';
import { registerJwksRoute } from '../proxy/server/jwks-route.js';
import { createProxyHandler } from '../proxy/server/proxy-handler.js';
import { ProxyMetrics } from '../proxy/server/proxy-metrics.js';
import { registerRulesRoutes } from '../proxy/server/rules-routes.js';
import { createUpstreamConnector } from '../proxy/server/upstream-connector.js';
import { UpstreamPools } from '../proxy/server/upstream-pools.js';
import { createUpgradeHandler } from '../proxy/server/websocket-tunnel.js';
import type { ProxyRegistry } from '../registry.js';
import { gatehouseVersion } from '../version.js';

export interface ProxyServers {
  /** The data plane on 4455: a bare node:http(s) server, kept off Fastify for speed. */
  proxy: Server;
  /** The upstream connection pools; closed after the servers. */
  upstreams: UpstreamPools;
  /** The API on 4456: health, version, rules, decisions, JWKS. */
  api: FastifyInstance;
  /** Prometheus metrics on 9000 (`serve.prometheus`). */
  metrics: Server;
}

export function createProxyServers(registry: ProxyRegistry): ProxyServers {
  const { config, log } = registry;
  const metrics = new ProxyMetrics(
    (getPath(config.document, ['serve', 'prometheus', 'metric_name_prefix']) as string | undefined) ??
      'ory_oathkeeper_',
  );
  const upstreams = new UpstreamPools(config.serve.proxy.upstream);
  const proxyCors = readCorsConfig(
    getPath(config.document, ['serve', 'proxy', 'cors']) as Record<string, unknown> | undefined,
  );
  const timeouts = config.serve.proxy.timeouts;
  const serverOptions = goServerOptions(timeouts);

  const tls = readTlsCredentials(config.document, ['serve', 'proxy', 'tls'], registry.cwd);
  const proxy = tls ? createHttpsServer({ ...serverOptions, ...tls }) : createServer(serverOptions);
  proxy.on(
    'request',
    createProxyHandler({
      rules: registry.rules,
      upstreams,
      log,
      metrics,
      cors: proxyCors,
      trustForwardedHeaders: config.serve.proxy.trustForwardedHeaders,
      writeTimeoutMs: timeouts.writeMs,
    }),
  );
  proxy.on(
    'upgrade',
    createUpgradeHandler({
      rules: registry.rules,
      connect: createUpstreamConnector(config.serve.proxy.upstream),
      log,
      cors: proxyCors,
      trustForwardedHeaders: config.serve.proxy.trustForwardedHeaders,
    }),
  );
  const decide = createDecisionsHandler(registry.rules, metrics);
  const cors = readCorsConfig(
    getPath(registry.config.document, ['serve', 'api', 'cors']) as Record<string, unknown> | undefined,
  );
  const api = createHttpApp({
    log: registry.log,
    server: 'proxy-api',
    serverOptions: goServerOptions(config.serve.api.timeouts),
    tls: readTlsCredentials(config.document, ['serve', 'api', 'tls'], registry.cwd),
    intercept(request, response) {
      if (applyCors(cors, request, response)) return true;
      const url = request.url ?? '';
      if (url !== '/decisions' && !url.startsWith('/decisions/') && !url.startsWith('/decisions?'))
        return false;
      const failed = (error: Error) => {
        registry.log.error({ err: error }, 'decision failed');
        if (!response.headersSent) response.writeHead(500).end();
      };
      // A decision runs synchronously when its handlers do; both kinds of failure end in a 500.
      try {
        decide(request, response)?.catch(failed);
      } catch (error) {
        failed(error as Error);
      }
      return true;
    },
  });
  registerRulesRoutes(api, registry.rules);
  registerHealthRoutes(api, {
    checks: [
      {
        name: 'rules',
        // Oathkeeper is ready only with at least one valid rule loaded.
        async check() {
          if (registry.rules.current().valid.length === 0) throw new Error('no valid access rule is loaded');
        },
      },
      ...registry.keySets.all().map((source) => ({
        name: `keys ${source.url}`,
        async check() {
          // A node that cannot sign id_tokens must not take traffic; one that kept its last good
          // set after a bad reload still can.
          if (!source.current()) throw new Error(source.error() ?? 'not loaded yet');
        },
      })),
    ],
  });
  registerJwksRoute(api, registry.keySets);
  // Oathkeeper v0.38 serves /version on the API port; current releases dropped it. Portals still call it.
  api.get('/version', async () => ({ version: gatehouseVersion() }));

  return { proxy, upstreams, api, metrics: metrics.createServer() };
}
