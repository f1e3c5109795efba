import type { Identity } from '../../identity/identity.js';
import type { IdentitySchema, IdentitySchemas } from '../../identity/schema/identity-schemas.js';
import {
  type TraitsValidationCause,
  TraitsValidationError,
} from '../../identity/schema/traits-validation-error.js';
import type { Flow } from '../flow/flow.js';
import type { UiContainer } from '../flow/ui-container.js';

/** A registration method (`profile`, `password`): what it makes of a submit handed to it. */
export interface RegistrationStrategy {
  method: string;
  submit(submit: RegistrationSubmit): Promise<RegistrationOutcome>;
}

export interface RegistrationSubmit {
  flow: Flow;
  ui: UiContainer;
  body: Record<string, unknown>;
  /** The flow's identity schema. */
  schema: IdentitySchema;
  /** The request-origin check (CSRF token, or no browser on an API flow); undefined to go on. */
  checkOrigin(traits: unknown): RegistrationOutcome | undefined;
}

/** What a strategy made of a submit; the routes answer it. */
export type RegistrationOutcome =
  /** The form shown again with the traits kept and these messages instead of the earlier ones. */
  | { kind: 'refused'; traits: unknown; addMessages: (ui: UiContainer) => void }
  /** An error no form can carry: JSON for clients, the error page for browsers. */
  | { kind: 'error'; error: unknown }
  /** The form, changed to the next (or the previous) step of `profile_first`, shown. */
  | { kind: 'step' }
  | { kind: 'created'; identity: Identity };

export function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** What is wrong with the traits (IdentitySchemas.validate's causes), as a list. */
export function traitsProblems(
  schemas: IdentitySchemas,
  schema: IdentitySchema,
  traits: unknown,
): TraitsValidationCause[] {
  try {
    schemas.validate(schema.id, traits);
    return [];
  } catch (error) {
    if (error instanceof TraitsValidationError) return [...error.causes];
    throw error;
  }
}
