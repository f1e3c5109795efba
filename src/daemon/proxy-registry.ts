import type { Clock } from '../clock.js';
import { configSchema } from '../config/config-schemas.js';
import type { ProxyConfig } from '../config/proxy-config.js';
import { KeySetSources } from '../keys/key-set-sources.js';
import type { Logger } from '../log/logger.js';
import { defaultHandlers } from '../proxy/pipeline/default-handlers.js';
import type { HandlerRegistry } from '../proxy/pipeline/handler.js';
import { ProxyRules } from '../proxy/rule/proxy-rules.js';
import type { RandomSource } from '../random.js';
import type { ProxyRegistry } from '../registry.js';

export interface ProxyRegistryOptions {
  config: ProxyConfig;
  log: Logger;
  clock: Clock;
  random: RandomSource;
  /** Relative key and rule file URLs are read from here, as Oathkeeper reads them from its working directory. */
  cwd: string;
  handlers?: HandlerRegistry;
}

/** Builds the proxy's registry and loads what it needs before serving: key sets and access rules. */
export async function createProxyRegistry(
  options: ProxyRegistryOptions,
): Promise<ProxyRegistry & { stop(): void }> {
  const { config, log, clock, random, cwd } = options;
  const keySets = new KeySetSources({ cwd, ttlMs: config.jwksTtlMs, log });
  for (const url of config.idTokenJwksUrls) keySets.signing(url);
  const rules = new ProxyRules({
    config,
    schema: configSchema('oathkeeper').schema,
    handlers: options.handlers ?? defaultHandlers(),
    log,
    clock,
    cwd,
  });
  await keySets.start();
  try {
    await rules.start();
  } catch (error) {
    keySets.stop();
    throw error;
  }
  return {
    config,
    log,
    clock,
    random,
    keySets,
    rules,
    stop() {
      keySets.stop();
      rules.stop();
    },
  };
}
