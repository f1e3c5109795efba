import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/identity.js';
import type { Flow } from '../flow/flow.js';

/** One `continue_with` item, in Kratos' shape (`{"action": "...", ...}`). */
export type ContinueWith = { action: string } & Record<string, unknown>;

/** A registration that has just stored its identity: what an after-hook may use or answer. */
export interface RegistrationCompletion {
  request: FastifyRequest;
  reply: FastifyReply;
  flow: Flow;
  /** The stored identity (with its credentials: never send it as it is). */
  identity: Identity;
  /** The credentials type that registered (`password`). */
  method: string;
  /** Whether the client gets JSON: API flows, and browsers that ask for it. */
  json: boolean;
  /** The items so far; a hook may add to them before the flow or the hook answers. */
  continueWith: ContinueWith[];
  /** The identity as the public API writes it. */
  identityJson: Record<string, unknown>;
}

/**
 * A hook that runs after a registration stored its identity (`selfservice.flows.registration.
 * after.<method>.hooks`). `responded` means the hook has answered and the flow stops there;
 * `continue` lets the next hook run, and finally the flow's own answer.
 */
export interface RegistrationHook {
  readonly name: string;
  afterRegistration(completion: RegistrationCompletion): Promise<'responded' | 'continue'>;
}
