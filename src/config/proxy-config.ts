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

/** The proxy's config: the Oathkeeper document and typed views of what gatehouse reads. */
export interface ProxyConfig {
  /** The validated Oathkeeper config, defaults filled in, keys as Oathkeeper spells them. */
  document: JsonObject;
  serve: { proxy: ListenConfig; api: ListenConfig; prometheus: ListenConfig; shutdownTimeoutMs: number };
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
      proxy: listen('proxy', 4455),
      api: listen('api', 4456),
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
