import { GoHeader, GoUrl } from '../../template/go-net.js';
import type { PreparedRule, PreparedStep } from '../rule/prepared-rule.js';
import { AuthenticationSession, MatchContext } from './authentication-session.js';
import type { AuthenticationOutcome } from './handler.js';
import { PipelineError, pipelineErrors } from './pipeline-error.js';
import type { PipelineRequest } from './pipeline-request.js';

const KIND: Record<string, string> = {
  authenticators: 'authenticator',
  authorizer: 'authorizer',
  mutators: 'mutator',
};

function ready<Prepared>(step: PreparedStep<Prepared>, kind: string): Prepared {
  // A handler that failed preparation fails the request only when the request reaches it, as in Oathkeeper.
  if (!step.prepared) throw pipelineErrors.misconfigured(KIND[kind] ?? kind, step.problem);
  return step.prepared;
}

export type PipelineResult = { session: AuthenticationSession } | { error: PipelineError };

/**
 * Runs a matched rule's handlers for one request: authenticators in order (only "not
 * responsible" moves on to the next), then the authorizer, then the mutators. Gives the session
 * (whose headers go upstream or into the decision), or the error that stopped it. Runs
 * synchronously for as long as the handlers do, and returns a promise only once one of them
 * does: the common anonymous/allow/header rule never waits on the microtask queue.
 */
export function runPipeline(
  rule: PreparedRule,
  request: PipelineRequest,
  captureGroups: string[],
): PipelineResult | Promise<PipelineResult> {
  const session = new AuthenticationSession(
    new MatchContext(
      captureGroups,
      () => new GoUrl(request.url),
      request.method,
      () => new GoHeader(headerEntries(request)),
    ),
  );
  // Rules whose handlers all answer synchronously (the common case) never touch the microtask queue.
  return rule.synchronous
    ? runSynchronously(rule, request, session)
    : runAsynchronously(rule, request, session);
}

function runSynchronously(
  rule: PreparedRule,
  request: PipelineRequest,
  session: AuthenticationSession,
): PipelineResult {
  try {
    let authenticated = false;
    for (const step of rule.authenticators) {
      const outcome = ready(step, 'authenticators').authenticate(request, session) as AuthenticationOutcome;
      if (outcome.kind === 'not_responsible') continue;
      if (outcome.kind === 'failed') return { error: outcome.error };
      authenticated = true;
      break;
    }
    if (!authenticated) return { error: pipelineErrors.unauthorized() };
    ready(rule.authorizer, 'authorizer').authorize(request, session);
    for (const step of rule.mutators) ready(step, 'mutators').mutate(request, session);
    return { session };
  } catch (error) {
    return { error: toPipelineError(error) };
  }
}

async function runAsynchronously(
  rule: PreparedRule,
  request: PipelineRequest,
  session: AuthenticationSession,
): Promise<PipelineResult> {
  try {
    let authenticated = false;
    for (const step of rule.authenticators) {
      const outcome = await ready(step, 'authenticators').authenticate(request, session);
      if (outcome.kind === 'not_responsible') continue;
      if (outcome.kind === 'failed') return { error: outcome.error };
      authenticated = true;
      break;
    }
    if (!authenticated) return { error: pipelineErrors.unauthorized() };
    await ready(rule.authorizer, 'authorizer').authorize(request, session);
    for (const step of rule.mutators) await ready(step, 'mutators').mutate(request, session);
    return { session };
  } catch (error) {
    return { error: toPipelineError(error) };
  }
}

function toPipelineError(error: unknown): PipelineError {
  if (error instanceof PipelineError) return error;
  return pipelineErrors.internal('An internal server error occurred', (error as Error).message);
}

/** The request's headers as Go's http.Header holds them: Host is not among them. */
function headerEntries(request: PipelineRequest): [string, string[]][] {
  return Object.entries(request.headers)
    .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined && entry[0] !== 'host')
    .map(([name, value]) => [name, Array.isArray(value) ? value : [value]]);
}
