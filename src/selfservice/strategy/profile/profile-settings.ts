import type { IdentitySchemas } from '../../../identity/schema/identity-schemas.js';
import { TraitsValidationError } from '../../../identity/schema/traits-validation-error.js';
import { methodDisabled } from '../../flow/flow-errors.js';
import { addTraitsValidationMessages } from '../../flow/traits-nodes.js';
import { propertyMissing } from '../../flow/ui-text.js';
import { changesProtectedFields, isPrivileged, settingsFlowNotFound } from '../../settings/settings-flow.js';
import {
  inputOf,
  type SettingsStrategy,
  type SettingsStrategyDependencies,
} from '../../settings/settings-strategy.js';

/** The profile method of settings: new traits, validated against the identity's schema. */
export function profileSettings(deps: SettingsStrategyDependencies): SettingsStrategy {
  return {
    method: 'profile',
    async submit(context) {
      const { ui, active } = context;
      if (!deps.settings.methods.profile) return { kind: 'error', error: methodDisabled() };
      let traits = context.body.traits;
      if (context.form) traits = withoutEmptyStrings(traits);
      const hydrate = () => {
        ui.resetNodesWithPrefix('traits.');
        ui.updateValuesFromJSON(traits, 'traits', 'profile');
      };
      if (traits === undefined) {
        ui.addNodeMessage('traits', propertyMissing('traits'));
        return { kind: 'invalid' };
      }
      // Kratos validates the body against the schema before it looks at the CSRF token.
      let extracted: ReturnType<IdentitySchemas['validateTraits']>;
      try {
        extracted = deps.schemas.validateTraits(active.identity.schemaId, traits);
      } catch (error) {
        if (!(error instanceof TraitsValidationError)) throw error;
        hydrate();
        addTraitsValidationMessages(ui, error);
        return { kind: 'invalid' };
      }
      hydrate();
      const refused = context.checkOrigin();
      if (refused) return refused;

      const current = await deps.identities.get(active.identity.id);
      if (!current) return { kind: 'error', error: settingsFlowNotFound() };
      // A new identifier or address takes over the account's sign-in and recovery: only a recent
      // sign-in may do that. Other traits can change on any session.
      const before = deps.schemas.extract(current.schemaId, current.traits);
      const now = deps.clock.now();
      if (
        changesProtectedFields(before, extracted) &&
        !isPrivileged(active.session, now, deps.config.privilegedSessionMaxAgeMs)
      ) {
        return { kind: 'refresh_required' };
      }
      return { kind: 'changed', identity: current, input: inputOf(current, { traits }) };
    },
  };
}

/** Form fields left empty are not sent, to Kratos' decoder: drop them from submitted traits. */
function withoutEmptyStrings(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === '') continue;
    kept[key] = withoutEmptyStrings(child);
  }
  return kept;
}
