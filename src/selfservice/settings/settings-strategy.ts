import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.js';
import type { HttpError } from '../../http/http-error.js';
import type { Identity } from '../../identity/identity.js';
import type { IdentityInput } from '../../identity/identity-manager.js';
import type { IdentityRepository } from '../../identity/identity-repository.js';
import type { IdentitySchemas } from '../../identity/schema/identity-schemas.js';
import type { ActiveSession } from '../../session/session-manager.js';
import type { Flow } from '../flow/flow.js';
import type { UiContainer } from '../flow/ui-container.js';
import type { SelfserviceConfig } from '../selfservice-config.js';
import type { SettingsConfig } from './settings-flow.js';

/** A settings method (`profile`, `password`): what it makes of a submit with its `method`. */
export interface SettingsStrategy {
  method: string;
  submit(context: SettingsSubmit): Promise<SettingsOutcome>;
}

/** What a strategy made of a submit: a changed identity to store, or an answer already decided. */
export type SettingsOutcome =
  | { kind: 'changed'; input: IdentityInput; identity: Identity }
  | { kind: 'invalid' }
  | { kind: 'refresh_required' }
  | { kind: 'error'; error: HttpError };

export interface SettingsSubmit {
  request: FastifyRequest;
  flow: Flow;
  ui: UiContainer;
  body: Record<string, unknown>;
  active: ActiveSession;
  /** Whether the body came as a form (empty fields count as not sent, as in Kratos). */
  form: boolean;
  /** The request-origin check (CSRF token, or no browser on an API flow); undefined to go on. */
  checkOrigin(): SettingsOutcome | undefined;
}

/** What every settings strategy reads of the routes' dependencies. */
export interface SettingsStrategyDependencies {
  settings: SettingsConfig;
  identities: IdentityRepository;
  schemas: IdentitySchemas;
  clock: Clock;
  config: Pick<SelfserviceConfig, 'privilegedSessionMaxAgeMs'>;
}

/** What IdentityManager.update needs to keep everything of `identity` but `changes`. */
export function inputOf(identity: Identity, changes: Partial<IdentityInput>): IdentityInput {
  return {
    schemaId: identity.schemaId,
    traits: identity.traits,
    state: identity.state,
    metadataPublic: identity.metadataPublic,
    metadataAdmin: identity.metadataAdmin,
    externalId: identity.externalId,
    organizationId: identity.organizationId,
    ...changes,
  };
}
