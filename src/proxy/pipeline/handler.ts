import type { Dispatcher } from 'undici';
import type { Clock } from '../../clock.js';
import type { JsonObject } from '../../config/object-path.js';
import type { KeySetSources } from '../../keys/key-set-sources.js';
import type { Logger } from '../../log/logger.js';
import type { RandomSource } from '../../random.js';
import type { AuthenticationSession } from './authentication-session.js';
import type { PipelineError } from './pipeline-error.js';
import type { PipelineRequest } from './pipeline-request.js';

/** What handlers may use besides their config: passed in, never imported. */
export interface HandlerDependencies {
  log: Logger;
  clock: Clock;
  /** Token ids (`jti`) and the like. */
  random: RandomSource;
  /** The signing key sets, one per `jwks_url`, kept current (the id_token mutator signs with them). */
  keySets: KeySetSources;
  /** Where relative file URLs in handler configs are read from (Oathkeeper's working directory). */
  cwd: string;
  /** The HTTP client of handlers that call out (session checks, remote authorizers): keep-alive pools. */
  dispatcher: Dispatcher;
}

/** An authenticator's verdict. Only `not_responsible` lets the next authenticator try. */
export type AuthenticationOutcome =
  | { kind: 'not_responsible' }
  | { kind: 'authenticated' }
  | { kind: 'failed'; error: PipelineError };

/**
 * Marks a prepared handler that never returns a promise. A rule made only of such handlers runs
 * without awaiting anything, which matters on the per-request path.
 */
export interface MaybeSynchronous {
  readonly synchronous?: boolean;
}

export interface PreparedAuthenticator extends MaybeSynchronous {
  authenticate(
    request: PipelineRequest,
    session: AuthenticationSession,
  ): AuthenticationOutcome | Promise<AuthenticationOutcome>;
}

export interface PreparedAuthorizer extends MaybeSynchronous {
  /** Resolves to allow; rejects with a PipelineError to deny. */
  authorize(request: PipelineRequest, session: AuthenticationSession): void | Promise<void>;
}

export interface PreparedMutator extends MaybeSynchronous {
  /** Sets session headers (and may change the session); rejects with a PipelineError to stop. */
  mutate(request: PipelineRequest, session: AuthenticationSession): void | Promise<void>;
}

/** What an error handler answers. */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface PreparedErrorHandler {
  /** The `when` conditions of the merged config, checked before `handle`. */
  isResponsible(error: PipelineError, request: PipelineRequest): boolean;
  handle(error: PipelineError, request: PipelineRequest, requestId: string): ErrorResponse;
}

/**
 * A pipeline handler as it is registered by its config name. `prepare` runs once per rule when
 * rules load, with the merged and validated config (templates are parsed there, never per request).
 */
export interface Handler<Prepared> {
  name: string;
  prepare(config: JsonObject, dependencies: HandlerDependencies): Prepared;
}

export type AuthenticatorHandler = Handler<PreparedAuthenticator>;
export type AuthorizerHandler = Handler<PreparedAuthorizer>;
export type MutatorHandler = Handler<PreparedMutator>;
export type ErrorHandlerHandler = Handler<PreparedErrorHandler>;

export type HandlerKind = 'authenticators' | 'authorizers' | 'mutators' | 'errors';

/** Every handler gatehouse knows, by kind and config name. */
export interface HandlerRegistry {
  authenticators: ReadonlyMap<string, AuthenticatorHandler>;
  authorizers: ReadonlyMap<string, AuthorizerHandler>;
  mutators: ReadonlyMap<string, MutatorHandler>;
  errors: ReadonlyMap<string, ErrorHandlerHandler>;
}

export function registry<T extends { name: string }>(handlers: T[]): ReadonlyMap<string, T> {
  return new Map(handlers.map((handler) => [handler.name, handler]));
}
