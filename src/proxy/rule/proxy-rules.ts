import type { Dispatcher } from 'undici';
import type { Clock } from '../../clock.js';
import type { SchemaNode } from '../../config/json-schema-walk.js';
import { getPath } from '../../config/object-path.js';
import type { ProxyConfig } from '../../config/proxy-config.js';
import type { KeySetSources } from '../../keys/key-set-sources.js';
import type { Logger } from '../../log/logger.js';
import type { RandomSource } from '../../random.js';
import { type ErrorFallback, prepareFallback } from '../pipeline/errors/error-handling.js';
import type { HandlerDependencies, HandlerRegistry } from '../pipeline/handler.js';
import { HandlerConfigValidator } from '../pipeline/handler-config.js';
import type { MatchingStrategy } from './matching/compile-pattern.js';
import { prepareRule } from './prepared-rule.js';
import { RuleRepositories } from './rule-repositories.js';
import { RuleSet } from './rule-set.js';

export interface ProxyRulesOptions {
  config: ProxyConfig;
  schema: SchemaNode;
  handlers: HandlerRegistry;
  log: Logger;
  clock: Clock;
  random: RandomSource;
  keySets: KeySetSources;
  dispatcher: Dispatcher;
  cwd: string;
}

/**
 * The proxy's rules as they stand: read from the repositories, prepared against the config, and
 * swapped as a whole when a file changes, so a request in flight keeps the set it started with.
 */
export class ProxyRules {
  private set = new RuleSet([]);
  private fallbackHandling: ErrorFallback;
  private repositories: RuleRepositories;
  /** The config rules are prepared against; replaced when the config file changes. */
  private config: ProxyConfig;
  private readonly validator: HandlerConfigValidator;

  constructor(private readonly options: ProxyRulesOptions) {
    this.config = options.config;
    this.validator = new HandlerConfigValidator(options.schema);
    const urls =
      (getPath(options.config.document, ['access_rules', 'repositories']) as string[] | undefined) ?? [];
    this.repositories = new RuleRepositories(urls, {
      cwd: options.cwd,
      log: options.log,
      onChange: () => this.rebuild(),
    });
    this.fallbackHandling = prepareFallback(
      options.config.document,
      options.handlers,
      this.handlerDependencies(),
    );
  }

  async start(): Promise<void> {
    await this.repositories.start();
    this.rebuild();
  }

  stop(): void {
    this.repositories.stop();
  }

  current(): RuleSet {
    return this.set;
  }

  fallback(): ErrorFallback {
    return this.fallbackHandling;
  }

  /** Prepares every rule again and swaps the set in one assignment. */
  /**
   * Takes a changed config: handler switches and configs, error fallbacks, the matching strategy
   * and the repository list apply to the next request; listeners, TLS and timeouts need a restart,
   * as in Oathkeeper.
   */
  async updateConfig(config: ProxyConfig): Promise<void> {
    const { handlers, log, cwd } = this.options;
    const urls = (getPath(config.document, ['access_rules', 'repositories']) as string[] | undefined) ?? [];
    const previous =
      (getPath(this.config.document, ['access_rules', 'repositories']) as string[] | undefined) ?? [];
    if (JSON.stringify(urls) !== JSON.stringify(previous)) {
      const next = new RuleRepositories(urls, { cwd, log, onChange: () => this.rebuild() });
      await next.start();
      this.repositories.stop();
      this.repositories = next;
    }
    this.config = config;
    this.fallbackHandling = prepareFallback(config.document, handlers, this.handlerDependencies());
    this.rebuild();
  }

  /** What every handler is prepared with. */
  private handlerDependencies(): HandlerDependencies {
    const { log, clock, random, keySets, cwd, dispatcher } = this.options;
    return { log, clock, random, keySets, cwd, dispatcher };
  }

  rebuild(): void {
    const { handlers, log } = this.options;
    const config = this.config;
    const strategy = ((getPath(config.document, ['access_rules', 'matching_strategy']) as
      | string
      | undefined) || 'regexp') as MatchingStrategy;
    const preparation = {
      document: config.document,
      handlers,
      validator: this.validator,
      dependencies: this.handlerDependencies(),
      strategy,
    };
    const prepared = this.repositories
      .current()
      .flatMap((source) => source.rules.map((rule) => prepareRule(rule, source.url, preparation)));
    for (const rule of prepared) {
      if (rule.problems.length > 0) {
        log.warn(
          { rule: rule.rule.id, source: rule.source, problems: rule.problems },
          'access rule is invalid: it answers 500 when it matches',
        );
      }
    }
    this.set = new RuleSet(prepared);
  }
}
