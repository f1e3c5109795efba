import type { IdentitySchemas } from '../../../identity/schema/identity-schemas.js';
import type { TraitsValidationCause } from '../../../identity/schema/traits-validation-error.js';
import { addTraitsValidationMessages } from '../../flow/traits-nodes.js';
import { credentialsForm, profileForm } from '../../registration/registration-flow.js';
import {
  type RegistrationStrategy,
  stringField,
  traitsProblems,
} from '../../registration/registration-strategy.js';

/** `method=profile` (or `screen=...`) of `profile_first`: on to the credentials, or back. */
export function profileRegistration(deps: {
  schemas: IdentitySchemas;
  /** Whether the credentials step offers a password. */
  passwordEnabled: boolean;
}): RegistrationStrategy {
  return {
    method: 'profile',
    async submit({ flow, ui, body, schema, checkOrigin }) {
      const method = stringField(body.method);
      const screen = stringField(body.screen);
      const traits = body.traits;
      // Kratos validates the body against the method's schema (the traits included) before
      // anything else, the CSRF token too.
      const decoding = [
        ...screenProblems(screen),
        ...(traits === undefined ? [] : traitsProblems(deps.schemas, schema, traits)),
      ];
      if (decoding.length > 0) {
        return {
          kind: 'refused',
          traits,
          addMessages: (form) => addTraitsValidationMessages(form, decoding),
        };
      }

      if (screen === 'previous' || (screen === '' && method === 'profile:back')) {
        // Kratos asks no CSRF token for going back: it changes the form and nothing else.
        ui.resetMessages();
        ui.updateValuesFromJSON(traits, 'traits', 'default');
        profileForm(ui, schema.document, traits);
        return { kind: 'step' };
      }

      flow.active = undefined;
      flow.state = 'choose_method';
      ui.resetMessages();
      const refused = checkOrigin(traits);
      if (refused) return refused;
      const problems = traitsProblems(deps.schemas, schema, traits ?? {});
      if (problems.length > 0) {
        return {
          kind: 'refused',
          traits,
          addMessages: (form) => addTraitsValidationMessages(form, problems),
        };
      }
      credentialsForm(ui, schema.document, traits ?? {}, deps.passwordEnabled);
      return { kind: 'step' };
    },
  };
}

function screenProblems(screen: string): TraitsValidationCause[] {
  if (screen === '' || screen === 'credential-selection' || screen === 'previous') return [];
  return [
    {
      instancePtr: '#/screen',
      schemaPtr: '#/properties/screen/enum',
      keyword: 'enum',
      message: 'value must be one of "credential-selection", "previous"',
    },
  ];
}
