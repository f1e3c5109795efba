import type { Clock } from './clock.js';
import type { IdentityConfig } from './config/identity-config.js';
import type { ProxyConfig } from './config/proxy-config.js';
import type { Database } from './db/database.js';
import type { Migration } from './db/migration.js';
import type { KeySetSources } from './keys/key-set-sources.js';
import type { Logger } from './log/logger.js';
import type { ProxyRules } from './proxy/rule/proxy-rules.js';
import type { RandomSource } from './random.js';

/** Everything the identity server's parts need, built once at start-up and passed in. */
export interface IdentityRegistry {
  config: IdentityConfig;
  log: Logger;
  clock: Clock;
  random: RandomSource;
  db: Database;
  migrations: readonly Migration[];
}

/** Everything the proxy's parts need, built once at start-up and passed in. */
export interface ProxyRegistry {
  config: ProxyConfig;
  log: Logger;
  clock: Clock;
  random: RandomSource;
  /** The id_token signing key sets, kept current from their files or URLs. */
  keySets: KeySetSources;
  /** The access rules, kept current from their repositories. */
  rules: ProxyRules;
  /** Where relative file paths in the config are read from, as Oathkeeper reads them. */
  cwd: string;
}
