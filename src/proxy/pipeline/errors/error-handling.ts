import type { JsonObject } from '../../../config/object-path.js';
import type { PreparedRule } from '../../rule/prepared-rule.js';
import type {
  ErrorResponse,
  HandlerDependencies,
  HandlerRegistry,
  PreparedErrorHandler,
} from '../handler.js';
import { HandlerConfigValidator } from '../handler-config.js';
import { type PipelineError, pipelineErrors } from '../pipeline-error.js';
import type { PipelineRequest } from '../pipeline-request.js';
import { json } from './json.js';

/** The global error handling: `errors.fallback`, prepared once per config load. */
export interface ErrorFallback {
  /** Each fallback name, prepared from its global config, or why it cannot run. */
  chain: { name: string; prepared?: PreparedErrorHandler }[];
  /** Renders failures of error handling itself. */
  last: PreparedErrorHandler;
}

export function prepareFallback(
  document: JsonObject,
  handlers: HandlerRegistry,
  dependencies: HandlerDependencies,
): ErrorFallback {
  const names = (
    ((document.errors as JsonObject | undefined)?.fallback as string[] | undefined) ?? ['json']
  ).map(String);
  const chain = names.map((name) => {
    const handler = handlers.errors.get(name);
    const global = HandlerConfigValidator.globalEntry(document, 'errors', name);
    if (!handler || !global.enabled) return { name };
    try {
      return { name, prepared: handler.prepare(global.config, dependencies) };
    } catch {
      return { name };
    }
  });
  const jsonConfig = HandlerConfigValidator.globalEntry(document, 'errors', 'json');
  return { chain, last: json.prepare({ verbose: jsonConfig.config.verbose === true }, dependencies) };
}

/**
 * Oathkeeper's choice of error handler: the rule's handlers whose (merged) `when` matches — more
 * than one is itself an error — else the first global fallback whose `when` matches, using the
 * global config only. A disabled or unknown fallback, or none matching, is a 500.
 */
export function renderError(
  error: PipelineError,
  request: PipelineRequest,
  rule: PreparedRule | undefined,
  fallback: ErrorFallback,
  requestId: string,
): ErrorResponse {
  if (rule && rule.errors.length > 0) {
    const responsible: PreparedErrorHandler[] = [];
    for (const step of rule.errors) {
      if (!step.prepared)
        return fallback.last.handle(
          pipelineErrors.misconfigured('error handler', step.problem),
          request,
          requestId,
        );
      if (step.prepared.isResponsible(error, request)) responsible.push(step.prepared);
    }
    if (responsible.length > 1) {
      return fallback.last.handle(
        pipelineErrors.internal('Expected exactly one responsible error handler but found multiple'),
        request,
        requestId,
      );
    }
    if (responsible.length === 1) return responsible[0]!.handle(error, request, requestId);
  }
  for (const { name, prepared } of fallback.chain) {
    if (!prepared) {
      return fallback.last.handle(
        pipelineErrors.misconfigured('error handler', `fallback "${name}" is unknown or disabled`),
        request,
        requestId,
      );
    }
    if (prepared.isResponsible(error, request)) return prepared.handle(error, request, requestId);
  }
  return fallback.last.handle(
    pipelineErrors.internal('An error occurred but no matching error handling strategy was found'),
    request,
    requestId,
  );
}
