import { readConfigFile } from '../config/config-file.js';
import { CliError } from './cli-error.js';

export interface ConfigFiles {
  identity: string[];
  proxy: string[];
}

const IDENTITY_KEYS = [
  'dsn',
  'selfservice',
  'identity',
  'courier',
  'hashers',
  'session',
  'secrets',
  'cookies',
];
const PROXY_KEYS = ['access_rules', 'authenticators', 'authorizers', 'mutators', 'errors'];

/**
 * Sorts `-c` files into Kratos and Oathkeeper configs by their keys, so that the portal's own
 * command lines (`serve -c kratos.yml`, `serve proxy -c oathkeeper.yml`) work as they are.
 * `-p` files are Oathkeeper configs by definition.
 */
export function classifyConfigFiles(
  configs: readonly string[],
  proxyConfigs: readonly string[],
): ConfigFiles {
  const files: ConfigFiles = { identity: [], proxy: [...proxyConfigs] };
  for (const path of configs) {
    const { data } = readConfigFile(path);
    const serve = (data.serve ?? {}) as Record<string, unknown>;
    const looksIdentity = IDENTITY_KEYS.some((key) => key in data) || 'public' in serve || 'admin' in serve;
    const looksProxy = PROXY_KEYS.some((key) => key in data) || 'proxy' in serve || 'api' in serve;
    if (looksIdentity && !looksProxy) files.identity.push(path);
    else if (looksProxy && !looksIdentity) files.proxy.push(path);
    else {
      throw new CliError(
        `${path}: cannot tell whether this is an identity (Kratos) or a proxy (Oathkeeper) config; pass an identity config with -c and a proxy config with -p`,
      );
    }
  }
  return files;
}

/** Collects a repeatable option; like Ory's flags, one value may also list several files with commas. */
export function collectFiles(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((part) => part !== '')];
}
