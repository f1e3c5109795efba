import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Agent } from 'undici';
import type { Clock } from '../clock.js';
import { configSchema } from '../config/config-schemas.js';
import { loadProxyConfig, type ProxyConfig } from '../config/proxy-config.js';
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
  /** The environment the config is read with again when its file changes. */
  env?: NodeJS.ProcessEnv;
  handlers?: HandlerRegistry;
}

/** Builds the proxy's registry and loads what it needs before serving: key sets and access rules. */
export async function createProxyRegistry(
  options: ProxyRegistryOptions,
): Promise<ProxyRegistry & { stop(): void }> {
  const { config, log, clock, random, cwd } = options;
  const keySets = new KeySetSources({ cwd, ttlMs: config.jwksTtlMs, log });
  // One keep-alive client for every handler that calls out (session checks, remote authorizers).
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  for (const url of config.idTokenJwksUrls) keySets.signing(url);
  const rules = new ProxyRules({
    config,
    schema: configSchema('oathkeeper').schema,
    handlers: options.handlers ?? defaultHandlers(),
    log,
    clock,
    random,
    keySets,
    dispatcher,
    cwd,
  });
  await keySets.start();
  try {
    await rules.start();
  } catch (error) {
    keySets.stop();
    throw error;
  }
  const watcher = watchConfig(config, options.env ?? {}, log, async (changed) => {
    for (const url of changed.idTokenJwksUrls) {
      if (!keySets.all().some((source) => source.url === url)) await keySets.signing(url).start();
    }
    await rules.updateConfig(changed);
    log.info({ files: changed.files }, 'proxy config reloaded');
  });
  return {
    config,
    log,
    clock,
    random,
    keySets,
    rules,
    cwd,
    stop() {
      watcher?.close();
      keySets.stop();
      rules.stop();
      // stop() may be called again (a failed start, then the shutdown): close the client once.
      if (!dispatcher.closed) void dispatcher.close();
    },
  };
}

/**
 * Watches the proxy's config files; a change that loads is handed on, one that does not is
 * logged with the reason and the running config stays.
 */
function watchConfig(
  config: ProxyConfig,
  env: NodeJS.ProcessEnv,
  log: Logger,
  apply: (changed: ProxyConfig) => Promise<void>,
): { close(): void } | undefined {
  if (config.files.length === 0) return undefined;
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      let changed: ProxyConfig;
      try {
        changed = loadProxyConfig({ files: config.files, env });
      } catch (error) {
        log.error(
          { error: (error as Error).message },
          'proxy config change does not load; keeping the running config',
        );
        return;
      }
      apply(changed).catch((error: Error) =>
        log.error({ error: error.message }, 'proxy config change could not be applied'),
      );
    }, 50);
  };
  for (const directory of new Set(config.files.map((file) => dirname(file)))) {
    const names = new Set(
      config.files.filter((file) => dirname(file) === directory).map((file) => basename(file)),
    );
    try {
      const watcher = watch(directory, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name)) reload();
      });
      watcher.on('error', () => {});
      watchers.push(watcher);
    } catch (error) {
      log.warn(
        { directory, error: (error as Error).message },
        'cannot watch the proxy config; changes need a restart',
      );
    }
  }
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
