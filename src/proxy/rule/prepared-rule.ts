import { deepMerge, type JsonObject } from '../../config/object-path.js';
import type {
  HandlerDependencies,
  HandlerKind,
  HandlerRegistry,
  PreparedAuthenticator,
  PreparedAuthorizer,
  PreparedErrorHandler,
  PreparedMutator,
} from '../pipeline/handler.js';
import { HandlerConfigValidator } from '../pipeline/handler-config.js';
import type { AccessRule, HandlerReference } from './access-rule.js';
import {
  type CompiledPattern,
  compilePattern,
  type MatchingStrategy,
  PatternError,
} from './matching/compile-pattern.js';
import { type PreparedUpstream, prepareUpstream } from './prepared-upstream.js';

/** One handler of a rule: ready to run, or why it cannot (answered as 500 when the request reaches it). */
export interface PreparedStep<Prepared> {
  name: string;
  prepared?: Prepared;
  problem?: string;
}

/** A rule as the proxy runs it: pattern compiled, handler configs merged, validated and prepared. */
export interface PreparedRule {
  rule: AccessRule;
  source: string;
  /** Problems found at load. A rule with any is invalid: hidden from /rules and readiness, but it still matches. */
  problems: string[];
  methods: ReadonlySet<string>;
  pattern: CompiledPattern | PatternError;
  /**
   * The pattern's literal text before its first `<` and after its last `>`: a subject that does
   * not start and end with them cannot match, which spares the engine for almost every rule.
   */
  literalPrefix: string;
  literalSuffix: string;
  /**
   * Where an allowed request goes: undefined when the rule names no upstream (a 500 in proxy
   * mode, as in Oathkeeper), a reason when `upstream.url` cannot be dialled (a 502, as Go's
   * transport fails such a request).
   */
  upstream: PreparedUpstream | string | undefined;
  /** Every handler answers synchronously (or failed to prepare): the pipeline can skip awaiting. */
  synchronous: boolean;
  authenticators: PreparedStep<PreparedAuthenticator>[];
  authorizer: PreparedStep<PreparedAuthorizer>;
  mutators: PreparedStep<PreparedMutator>[];
  errors: PreparedStep<PreparedErrorHandler>[];
}

export interface RulePreparation {
  document: JsonObject;
  handlers: HandlerRegistry;
  validator: HandlerConfigValidator;
  dependencies: HandlerDependencies;
  strategy: MatchingStrategy;
}

const KIND_NAMES: Record<HandlerKind, string> = {
  authenticators: 'authenticator',
  authorizers: 'authorizer',
  mutators: 'mutator',
  errors: 'error handler',
};

/**
 * Prepares one handler: the global `enabled` flag decides (a rule cannot enable a handler), the
 * rule's config is deep-merged over the global one (maps merge, lists are replaced), the result is
 * validated against the handler's schema, and the handler prepares itself (templates are parsed here).
 */
export function prepareStep<Prepared>(
  kind: HandlerKind,
  reference: HandlerReference,
  preparation: RulePreparation,
): PreparedStep<Prepared> {
  const name = reference.handler;
  const handler = (
    preparation.handlers[kind] as unknown as ReadonlyMap<
      string,
      { prepare(config: JsonObject, deps: HandlerDependencies): Prepared }
    >
  ).get(name);
  if (!handler) return { name, problem: `unknown ${KIND_NAMES[kind]} "${name}"` };
  const global = HandlerConfigValidator.globalEntry(preparation.document, kind, name);
  if (!global.enabled) return { name, problem: `${KIND_NAMES[kind]} "${name}" is disabled` };
  const merged = deepMerge(structuredClone(global.config), structuredClone(reference.config ?? {}));
  const problems = preparation.validator.validate(kind, name, merged);
  if (problems.length > 0)
    return { name, problem: `${KIND_NAMES[kind]} "${name}" is misconfigured: ${problems.join('; ')}` };
  try {
    return { name, prepared: handler.prepare(merged, preparation.dependencies) };
  } catch (error) {
    return { name, problem: `${KIND_NAMES[kind]} "${name}" is misconfigured: ${(error as Error).message}` };
  }
}

export function prepareRule(rule: AccessRule, source: string, preparation: RulePreparation): PreparedRule {
  const problems: string[] = [];
  if (rule.match.url === '') problems.push('match.url is empty');
  if (rule.upstream.url !== '' && !isRequestUri(rule.upstream.url))
    problems.push(`upstream.url "${rule.upstream.url}" is not a URL`);
  if (rule.authenticators.length === 0) problems.push('no authenticator');
  if (rule.authorizer.handler === '') problems.push('no authorizer');
  if (rule.mutators.length === 0) problems.push('no mutator');

  const authenticators = rule.authenticators.map((reference) =>
    prepareStep<PreparedAuthenticator>('authenticators', reference, preparation),
  );
  const authorizer = prepareStep<PreparedAuthorizer>('authorizers', rule.authorizer, preparation);
  const mutators = rule.mutators.map((reference) =>
    prepareStep<PreparedMutator>('mutators', reference, preparation),
  );
  const errors = rule.errors.map((reference) =>
    prepareStep<PreparedErrorHandler>('errors', reference, preparation),
  );
  for (const step of [
    ...authenticators,
    ...(rule.authorizer.handler ? [authorizer] : []),
    ...mutators,
    ...errors,
  ]) {
    if (step.problem) problems.push(step.problem);
  }

  let pattern: CompiledPattern | PatternError;
  try {
    pattern = compilePattern(rule.match.url, preparation.strategy);
  } catch (error) {
    // As in Oathkeeper, a pattern that does not compile does not hide the rule: every request
    // with one of its methods gets a 500 instead.
    pattern = error instanceof PatternError ? error : new PatternError((error as Error).message);
  }
  let upstream: PreparedUpstream | string | undefined;
  try {
    upstream = prepareUpstream(rule.upstream);
  } catch (error) {
    upstream = (error as Error).message;
  }
  return {
    rule,
    source,
    problems,
    upstream,
    methods: new Set(rule.match.methods.map((method) => method.toUpperCase())),
    pattern,
    ...literalEnds(rule.match.url),
    synchronous: [...authenticators, authorizer, ...mutators].every(
      (step) => !step.prepared || step.prepared.synchronous === true,
    ),
    authenticators,
    authorizer,
    mutators,
    errors,
  };
}

function literalEnds(pattern: string): { literalPrefix: string; literalSuffix: string } {
  const open = pattern.indexOf('<');
  if (open < 0) return { literalPrefix: pattern, literalSuffix: '' };
  const close = pattern.lastIndexOf('>');
  return {
    literalPrefix: pattern.slice(0, open),
    literalSuffix: close < open ? '' : pattern.slice(close + 1),
  };
}

/** Go's url.ParseRequestURI: an absolute URL or an absolute path. */
function isRequestUri(text: string): boolean {
  if (text.startsWith('/')) return true;
  try {
    const url = new URL(text);
    return url.protocol !== '' && (url.host !== '' || url.pathname !== '');
  } catch {
    return false;
  }
}
