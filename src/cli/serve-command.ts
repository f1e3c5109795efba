import { relative } from 'node:path';
import { systemClock } from '../clock.js';
import { formatProblem } from '../config/config-error.js';
import { type IdentityConfig, loadIdentityConfig } from '../config/identity-config.js';
import type { JsonObject } from '../config/object-path.js';
import { loadProxyConfig, type ProxyConfig } from '../config/proxy-config.js';
import { redactConfig } from '../config/redact.js';
import { prepareDevEnvironment } from '../daemon/dev-environment.js';
import type { Listening } from '../daemon/listen.js';
import { startGatehouse } from '../daemon/start-gatehouse.js';
import { migrations } from '../db/migrations/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { cryptoRandom } from '../random.js';
import { gatehouseVersion } from '../version.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { classifyConfigFiles } from './config-files.js';

export interface ServeOptions {
  configs: string[];
  proxyConfigs: string[];
  dev: boolean;
  /** Apply pending migrations at start (always on in dev mode). */
  migrate: boolean;
  /** Serve only this part even when configs for both are given. */
  only?: 'identity' | 'proxy';
}

/** `gatehouse serve`: runs what the configs describe until SIGINT or SIGTERM, then stops gracefully. */
export async function serveCommand(options: ServeOptions, io: CliIo): Promise<void> {
  const files = classifyConfigFiles(options.configs, options.proxyConfigs);
  let identityBase: JsonObject | undefined;
  let proxyBase: JsonObject | undefined;
  let devNotes: string[] = [];

  if (files.identity.length === 0 && files.proxy.length === 0) {
    if (!options.dev) {
      throw new CliError(
        'no config file given: pass -c kratos.yml (identity) and/or -p oathkeeper.yml (proxy), or --dev to run on built-in defaults',
      );
    }
    const dev = await prepareDevEnvironment(io.cwd, cryptoRandom);
    identityBase = dev.identityBase;
    proxyBase = dev.proxyBase;
    devNotes = [
      `  database         sqlite ${shortPath(dev.databaseFile, io.cwd)}`,
      `  signing keys     ${shortPath(dev.keyFile, io.cwd)}`,
      ...dev.created.map((file) => `  created          ${shortPath(file, io.cwd)}`),
    ];
  }

  const wantIdentity = options.only !== 'proxy' && (files.identity.length > 0 || identityBase !== undefined);
  const wantProxy = options.only !== 'identity' && (files.proxy.length > 0 || proxyBase !== undefined);
  if (options.only === 'identity' && !wantIdentity)
    throw new CliError('no identity (Kratos) config given: pass -c kratos.yml');
  if (options.only === 'proxy' && !wantProxy)
    throw new CliError('no proxy (Oathkeeper) config given: pass -c oathkeeper.yml');

  const identity: IdentityConfig | undefined = wantIdentity
    ? loadIdentityConfig({ files: files.identity, env: io.env, dev: options.dev, base: identityBase })
    : undefined;
  const proxy: ProxyConfig | undefined = wantProxy
    ? loadProxyConfig({ files: files.proxy, env: io.env, base: proxyBase })
    : undefined;

  const makeLogger = (config: IdentityConfig['log'], service: string): Logger =>
    createLogger(config, { destination: io.stderr, base: { service } });
  const log = makeLogger((identity ?? proxy)!.log, 'gatehouse');
  for (const warning of [...(identity?.warnings ?? []), ...(proxy?.warnings ?? [])]) {
    log.warn(formatProblem(warning));
  }
  // Redacted whatever log.leak_sensitive_values says: a leaked cookie secret cannot be taken back.
  if (identity) log.debug({ config: redactConfig(identity.document) }, 'identity config loaded');
  if (proxy) log.debug({ config: redactConfig(proxy.document) }, 'proxy config loaded');

  const running = await startGatehouse({
    identity,
    proxy,
    log,
    makeLogger,
    clock: systemClock,
    random: cryptoRandom,
    migrations,
    migrate: options.migrate || options.dev,
    cwd: io.cwd,
    env: io.env,
    createSqliteFolder: identityBase !== undefined,
  });

  io.stdout.write(banner(running.listening, identity, devNotes, options.dev));

  await new Promise<void>((resolve) => {
    // One handler for the process' whole life. Removing a signal's last listener restores the
    // default action until the next one is added, and a Ctrl-C under `npm start` arrives twice
    // at once (to the process group, and forwarded by npm): the copy landing in that gap would
    // kill gatehouse mid-shutdown.
    let firstAt: number | undefined;
    let stopped = false;
    let npmForwarded: () => void = () => {};
    const forwarded = new Promise<void>((settle) => {
      npmForwarded = settle;
    });
    io.onShutdownSignal((signal) => {
      if (firstAt !== undefined) {
        npmForwarded();
        // A second Ctrl-C stops at once, for an operator who does not want to wait. Signals within
        // the first half second are the same Ctrl-C delivered twice, not a second one; one that
        // arrives after the stop must not kill the process either.
        if (stopped || Date.now() - firstAt < 500) return;
        log.warn('second signal: stopping without waiting');
        process.exit(130);
      }
      firstAt = Date.now();
      log.info({ signal }, 'shutting down: finishing requests in flight');
      // Under `npm start`, npm must have handled the Ctrl-C before gatehouse exits, or npm dies of
      // it and reports a failure. Its forwarded copy arriving is the proof, so gatehouse waits for
      // it (at most a few seconds, for a signal sent to gatehouse alone).
      const underNpm = io.env.npm_lifecycle_event !== undefined;
      void running
        .stop()
        .then(() =>
          underNpm ? Promise.race([forwarded, new Promise((settle) => setTimeout(settle, 3000))]) : undefined,
        )
        .then(() => {
          stopped = true;
          log.info('stopped');
          resolve();
        });
    });
  });
}

function banner(
  listening: Listening[],
  identity: IdentityConfig | undefined,
  notes: string[],
  dev: boolean,
): string {
  const url = (name: string) => {
    const server = listening.find((entry) => entry.name === name);
    if (!server) return undefined;
    const host =
      server.host === '' || server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${server.port}/`;
  };
  const lines = [`gatehouse ${gatehouseVersion()}${dev ? ' (dev mode: not for production)' : ''}`];
  const row = (label: string, name: string, extra = '') => {
    const address = url(name);
    if (address) lines.push(`  ${label.padEnd(17)}${address}${extra}`);
  };
  row('identity public', 'identity public');
  row('identity admin', 'identity admin');
  row('proxy', 'proxy');
  row('proxy API', 'proxy API', '  (JWKS: .well-known/jwks.json)');
  row('proxy metrics', 'proxy metrics');
  if (identity && identity.serve.public.baseUrl.href !== url('identity public')) {
    lines.push(`  public base URL  ${identity.serve.public.baseUrl.href}`);
  }
  lines.push(...notes, '  stop with Ctrl-C', '');
  return lines.join('\n');
}

function shortPath(path: string, cwd: string): string {
  const shown = relative(cwd, path);
  return shown.startsWith('..') ? path : `./${shown}`;
}
