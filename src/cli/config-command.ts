import { stringify } from 'yaml';
import { formatProblem } from '../config/config-error.js';
import { loadIdentityConfig } from '../config/identity-config.js';
import { loadProxyConfig } from '../config/proxy-config.js';
import { redactConfig } from '../config/redact.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { classifyConfigFiles } from './config-files.js';

export interface ConfigCommandOptions {
  configs: string[];
  proxyConfigs: string[];
  dev: boolean;
}

/** `gatehouse config check`: loads and validates without starting anything; prints every warning. */
export function configCheckCommand(options: ConfigCommandOptions, io: CliIo): void {
  const { identity, proxy } = load(options, io);
  for (const [label, config] of [
    ['identity', identity],
    ['proxy', proxy],
  ] as const) {
    if (!config) continue;
    for (const warning of config.warnings) io.stdout.write(`warning: ${formatProblem(warning)}\n`);
    io.stdout.write(`${label} config OK: ${config.files.join(', ')}\n`);
  }
}

/** `gatehouse config show`: the effective config (files, environment, defaults) with secrets redacted. */
export function configShowCommand(options: ConfigCommandOptions, io: CliIo): void {
  const { identity, proxy } = load(options, io);
  if (identity)
    io.stdout.write(
      `# identity (Kratos) config: ${identity.files.join(', ')}\n${stringify(redactConfig(identity.document))}`,
    );
  if (proxy)
    io.stdout.write(
      `# proxy (Oathkeeper) config: ${proxy.files.join(', ')}\n${stringify(redactConfig(proxy.document))}`,
    );
}

function load(options: ConfigCommandOptions, io: CliIo) {
  const files = classifyConfigFiles(options.configs, options.proxyConfigs);
  if (files.identity.length === 0 && files.proxy.length === 0) {
    throw new CliError('no config file given: pass -c kratos.yml and/or -p oathkeeper.yml');
  }
  return {
    identity:
      files.identity.length > 0
        ? loadIdentityConfig({ files: files.identity, env: io.env, dev: options.dev })
        : undefined,
    proxy: files.proxy.length > 0 ? loadProxyConfig({ files: files.proxy, env: io.env }) : undefined,
  };
}
