import type { ConfigProblem } from './config-error.js';
import { configSchema } from './config-schemas.js';
import { parseDuration } from './duration.js';
import { loadConfig } from './load-config.js';
import { getPath, type JsonObject } from './object-path.js';
import {
  type ListenConfig,
  type LogConfig,
  readListenConfig,
  readLogConfig,
  readShutdownTimeout,
} from './typed-views.js';

/** Go http.Server timeouts of one listener (`serve.<listener>.timeout`). */
export interface ServerTimeouts {
  /** The whole request, body included. */
  readMs: number;
  /** From the end of the request headers to the end of the response. */
  writeMs: number;
  /** How long a keep-alive connection may wait for its next request. */
  idleMs: number;
}

/** How the proxy connects to upstreams (`serve.proxy.upstream`, a gatehouse addition). */
export interface UpstreamConnections {
  dialTimeoutMs: number;
  tlsHandshakeTimeoutMs: number;
  maxConnections: number;
}

/** The proxy's config: the Oathkeeper document and typed views of what gatehouse reads. */
export interface ProxyConfig {
  /** The validated Oathkeeper config, defaults filled in, keys as Oathkeeper spells them. */
  document: JsonObject;
  serve: {
    proxy: ListenConfig & {
      timeouts: ServerTimeouts;
      trustForwardedHeaders: boolean;
      upstream: UpstreamConnections;
    };
    api: ListenConfig & { timeouts: ServerTimeouts };
    prometheus: ListenConfig;
    shutdownTimeoutMs: number;
  };
  log: LogConfig;
  /** Key sets the id_token mutator signs with (the global one; rules add theirs later). */
  idTokenJwksUrls: string[];
  /** How often key sets are re-read at the latest (`authenticators.jwt.config.jwks_ttl`, 30 s). */
  jwksTtlMs: number;
  files: readonly string[];
  warnings: ConfigProblem[];
}

export interface LoadProxyConfigOptions {
  files: readonly string[];
  env: NodeJS.ProcessEnv;
  base?: JsonObject;
}

export function loadProxyConfig(options: LoadProxyConfigOptions): ProxyConfig {
  const loaded = loadConfig(configSchema('oathkeeper'), {
    files: options.files,
    base: options.base,
    env: options.env,
  });
  const document = loaded.document;
  // Oathkeeper listens on every interface by default; its URLs are never generated from a base URL,
  // so the one here only serves messages such as the start-up banner.
  const listen = (name: string, port: number) => {
    const view = readListenConfig(document, ['serve', name], { host: '', port }, true);
    view.baseUrl = new URL(
      `http://${view.host === '' || view.host === '0.0.0.0' ? '127.0.0.1' : view.host}:${view.port}/`,
    );
    return view;
  };
  return {
    document,
    serve: {
      proxy: {
        ...listen('proxy', 4455),
        timeouts: readTimeouts(document, 'proxy'),
        trustForwardedHeaders: getPath(document, ['serve', 'proxy', 'trust_forwarded_headers']) === true,
        upstream: {
          dialTimeoutMs: duration(document, ['serve', 'proxy', 'upstream', 'dial_timeout'], '30s'),
          tlsHandshakeTimeoutMs: duration(
            document,
            ['serve', 'proxy', 'upstream', 'tls_handshake_timeout'],
            '10s',
          ),
          maxConnections:
            (getPath(document, ['serve', 'proxy', 'upstream', 'max_connections']) as number | undefined) ??
            1024,
        },
      },
      api: { ...listen('api', 4456), timeouts: readTimeouts(document, 'api') },
      prometheus: listen('prometheus', 9000),
      shutdownTimeoutMs: readShutdownTimeout(document),
    },
    log: readLogConfig(document),
    idTokenJwksUrls: [getPath(document, ['mutators', 'id_token', 'config', 'jwks_url'])].filter(
      (url): url is string => typeof url === 'string' && url !== '',
    ),
    jwksTtlMs: parseDuration(
      (getPath(document, ['authenticators', 'jwt', 'config', 'jwks_ttl']) as string | undefined) ?? '30s',
    ),
    files: options.files,
    warnings: loaded.warnings,
  };
}

function duration(document: JsonObject, path: string[], fallback: string): number {
  return parseDuration((getPath(document, path) as string | undefined) ?? fallback);
}

function readTimeouts(document: JsonObject, listener: string): ServerTimeouts {
  const readMs = duration(document, ['serve', listener, 'timeout', 'read'], '5s');
  const idle = getPath(document, ['serve', listener, 'timeout', 'idle']) as string | undefined;
  return {
    readMs,
    writeMs: duration(document, ['serve', listener, 'timeout', 'write'], '120s'),
    // As Go's http.Server: a zero idle timeout falls back to the read timeout.
    idleMs: idle === undefined ? 120_000 : parseDuration(idle) || readMs,
  };
}
