import { PasswordTooLongError } from '../../../hash/password-hasher.js';
import { HttpError } from '../../../http/http-error.js';
import type { Identity } from '../../../identity/identity.js';
import type { IdentityManager } from '../../../identity/identity-manager.js';
import { jsonTypeOf } from '../../../identity/schema/go-formatting.js';
import type { IdentitySchemas } from '../../../identity/schema/identity-schemas.js';
import type { TraitsValidationCause } from '../../../identity/schema/traits-validation-error.js';
import { methodDisabled } from '../../flow/flow-errors.js';
import { addTraitsValidationMessages } from '../../flow/traits-nodes.js';
import { duplicateIdentifier, noIdentifierInSchema } from '../../flow/ui-text.js';
import { type RegistrationStrategy, traitsProblems } from '../../registration/registration-strategy.js';
import { type PasswordPolicy, passwordTooLongMessage } from './password-policy.js';

/** `method=password` of registration: the identity made from the traits and the password. */
export function passwordRegistration(deps: {
  schemas: IdentitySchemas;
  identityManager: IdentityManager;
  passwordPolicy: Pick<PasswordPolicy, 'check'>;
  /** `selfservice.methods.password.enabled`. */
  enabled: boolean;
}): RegistrationStrategy {
  return {
    method: 'password',
    async submit({ body, schema, checkOrigin }) {
      if (!deps.enabled) return { kind: 'error', error: methodDisabled() };
      const traits = body.traits;
      const password = body.password;
      const decoding = [
        ...(traits === undefined ? [] : traitsProblems(deps.schemas, schema, traits)),
        ...passwordProblems(password),
      ];
      if (decoding.length > 0) {
        return {
          kind: 'refused',
          traits,
          addMessages: (form) => addTraitsValidationMessages(form, decoding),
        };
      }
      const refused = checkOrigin(traits);
      if (refused) return refused;

      const submittedTraits = traits ?? {};
      const problems = traitsProblems(deps.schemas, schema, submittedTraits);
      if (problems.length > 0) {
        return {
          kind: 'refused',
          traits,
          addMessages: (form) => addTraitsValidationMessages(form, problems),
        };
      }
      const identifiers = deps.schemas.extract(schema.id, submittedTraits).passwordIdentifiers;
      if (identifiers.length === 0) {
        return { kind: 'refused', traits, addMessages: (form) => form.addMessage(noIdentifierInSchema()) };
      }
      const secret = password as string;
      let violation: Awaited<ReturnType<PasswordPolicy['check']>>;
      try {
        violation = await deps.passwordPolicy.check(identifiers, secret);
      } catch (error) {
        // The breach check failed and is not to be ignored (502): no flow can carry that.
        return { kind: 'error', error };
      }
      if (violation) {
        const message = violation;
        return { kind: 'refused', traits, addMessages: (form) => form.addNodeMessage('password', message) };
      }

      let identity: Identity;
      try {
        identity = await deps.identityManager.create({
          schemaId: schema.id,
          traits: submittedTraits,
          state: 'active',
          metadataPublic: null,
          metadataAdmin: null,
          organizationId: null,
          password: { password: secret },
        });
      } catch (error) {
        if (error instanceof PasswordTooLongError) {
          return {
            kind: 'refused',
            traits,
            addMessages: (form) => form.addNodeMessage('password', passwordTooLongMessage(secret)),
          };
        }
        // A taken identifier: the store compares them normalised, so `Alice@` and `alice@` clash.
        // As in Kratos the form says only that one is taken, not which trait it was.
        if (error instanceof HttpError && error.code === 409) {
          return { kind: 'refused', traits, addMessages: (form) => form.addMessage(duplicateIdentifier()) };
        }
        throw error;
      }
      return { kind: 'created', identity };
    },
  };
}

/** What the password method's own schema says of `password`: required, a non-empty string. */
function passwordProblems(password: unknown): TraitsValidationCause[] {
  if (password === undefined) {
    return [
      {
        instancePtr: '#',
        schemaPtr: '#/then/required',
        keyword: 'required',
        message: 'missing properties: "password"',
        missing: ['password'],
      },
    ];
  }
  if (typeof password !== 'string') {
    return [
      {
        instancePtr: '#/password',
        schemaPtr: '#/properties/password/type',
        keyword: 'type',
        message: `expected string, but got ${jsonTypeOf(password)}`,
      },
    ];
  }
  if (password === '') {
    return [
      {
        instancePtr: '#/password',
        schemaPtr: '#/properties/password/minLength',
        keyword: 'minLength',
        message: 'length must be >= 1, but got 0',
      },
    ];
  }
  return [];
}
