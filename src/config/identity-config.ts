import { DsnError, parseDsn } from '../db/dsn.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { configSchema } from './config-schemas.js';
import { rewriteLegacyKratosKeys } from './legacy-kratos-keys.js';
import { type LoadedConfig, loadConfig } from './load-config.js';
import { getPath, type JsonObject } from './object-path.js';
import {
  type ListenConfig,
  type LogConfig,
  readListenConfig,
  readLogConfig,
  readShutdownTimeout,
} from './typed-views.js';

/** The identity server's config: the Kratos document and typed views of what gatehouse reads. */
export interface IdentityConfig {
  /** The validated Kratos config, defaults filled in, keys as Kratos spells them. */
  document: JsonObject;
  dev: boolean;
  dsn: string;
  serve: { public: ListenConfig; admin: ListenConfig; shutdownTimeoutMs: number };
  log: LogConfig;
  secrets: { default: string[]; cookie: string[]; cipher: string[] };
  /** Files it was loaded from, for messages. */
  files: readonly string[];
  warnings: ConfigProblem[];
}

export interface LoadIdentityConfigOptions {
  files: readonly string[];
  env: NodeJS.ProcessEnv;
  /** `--dev`: same as `dev: true` in the file, set last. */
  dev?: boolean;
  /** Embedded layer under the files (the `serve --dev` defaults). */
  base?: JsonObject;
  /** Accept placeholder secrets outside dev mode: for commands that never use them (`migrate`). */
  allowSampleSecrets?: boolean;
}

export function loadIdentityConfig(options: LoadIdentityConfigOptions): IdentityConfig {
  const loaded = loadConfig(configSchema('kratos'), {
    files: options.files,
    base: options.base,
    env: options.env,
    flags: options.dev ? [{ path: ['dev'], value: true, name: '--dev' }] : [],
    rewriteLegacy: rewriteLegacyKratosKeys,
  });
  const document = loaded.document;
  const dev = document.dev === true;
  checkDsn(loaded);
  if (!options.allowSampleSecrets) refuseSampleSecrets(loaded, dev);
  const secret = (name: string) => (getPath(document, ['secrets', name]) as string[] | undefined) ?? [];
  return {
    document,
    dev,
    dsn: document.dsn as string,
    serve: {
      public: readListenConfig(document, ['serve', 'public'], { host: '0.0.0.0', port: 4433 }, dev),
      admin: readListenConfig(document, ['serve', 'admin'], { host: '0.0.0.0', port: 4434 }, dev),
      shutdownTimeoutMs: readShutdownTimeout(document),
    },
    log: readLogConfig(document),
    // As Kratos: cookies are signed with secrets.cookie, or secrets.default when that is empty.
    secrets: {
      default: secret('default'),
      cookie: secret('cookie').length > 0 ? secret('cookie') : secret('default'),
      cipher: secret('cipher'),
    },
    files: options.files,
    warnings: loaded.warnings,
  };
}

function checkDsn(loaded: LoadedConfig): void {
  try {
    parseDsn(loaded.document.dsn as string);
  } catch (error) {
    if (!(error instanceof DsnError)) throw error;
    throw new ConfigError([
      { path: 'dsn', message: error.message.replace(/^dsn /, ''), origin: loaded.originOf(['dsn']) },
    ]);
  }
}

// Placeholders that sample configs ship with. A portal that keeps one signs its session cookies
// with a value anyone can read on the internet, so outside dev mode gatehouse will not start.
const PLACEHOLDER = /change[-_ ]?me|insecure|placeholder|example-secret/i;

function refuseSampleSecrets(loaded: LoadedConfig, dev: boolean): void {
  if (dev) return;
  const problems: ConfigProblem[] = [];
  for (const name of ['default', 'cookie', 'cipher']) {
    const values = getPath(loaded.document, ['secrets', name]);
    if (!Array.isArray(values)) continue;
    values.forEach((value, index) => {
      if (typeof value === 'string' && PLACEHOLDER.test(value)) {
        problems.push({
          path: `secrets.${name}[${index}]`,
          message: `is the placeholder of a sample config; replace it with a random secret (\`${
            // The cipher secret must be exactly 32 characters: 16 random bytes in hex.
            name === 'cipher' ? 'openssl rand -hex 16' : 'openssl rand -hex 32'
          }\`, or let \`gatehouse cluster init\` write one), or run with --dev`,
          origin: loaded.originOf(['secrets', name, index]),
        });
      }
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
