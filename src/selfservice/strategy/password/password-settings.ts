import { TraitsValidationError } from '../../../identity/schema/traits-validation-error.js';
import { methodDisabled } from '../../flow/flow-errors.js';
import { addTraitsValidationMessages } from '../../flow/traits-nodes.js';
import { noIdentifierInSchema, passwordSameAsOld, propertyMissing } from '../../flow/ui-text.js';
import { passwordChangeNeedsRefresh, settingsFlowNotFound } from '../../settings/settings-flow.js';
import {
  inputOf,
  type SettingsStrategy,
  type SettingsStrategyDependencies,
} from '../../settings/settings-strategy.js';
import type { PasswordVerifier } from './password-login.js';
import type { PasswordPolicy } from './password-policy.js';

export interface PasswordSettingsDependencies extends SettingsStrategyDependencies {
  hasher: Pick<PasswordVerifier, 'verify'>;
  passwordPolicy: Pick<PasswordPolicy, 'check'>;
}

/** The password method of settings: a new password, checked against the policy and the old one. */
export function passwordSettings(deps: PasswordSettingsDependencies): SettingsStrategy {
  return {
    method: 'password',
    async submit(context) {
      const { ui, active } = context;
      if (!deps.settings.methods.password) return { kind: 'error', error: methodDisabled() };
      ui.resetMessages();
      const password = passwordOf(context.body.password);
      if (password === undefined) {
        ui.addNodeMessage('password', propertyMissing('password'));
        return { kind: 'invalid' };
      }
      const refused = context.checkOrigin();
      if (refused) return refused;
      if (
        passwordChangeNeedsRefresh(active.session, deps.clock.now(), deps.config.privilegedSessionMaxAgeMs)
      ) {
        return { kind: 'refresh_required' };
      }

      // The session's identity comes without credentials; the policy needs the identifiers and
      // the comparison the old hash.
      const current = await deps.identities.get(active.identity.id);
      if (!current) return { kind: 'error', error: settingsFlowNotFound() };
      try {
        deps.schemas.validate(current.schemaId, current.traits);
      } catch (error) {
        if (!(error instanceof TraitsValidationError)) throw error;
        addTraitsValidationMessages(ui, error);
        return { kind: 'invalid' };
      }
      const identifiers = current.credentials.password?.identifiers ?? [];
      if (identifiers.length === 0) {
        ui.addMessage(noIdentifierInSchema());
        return { kind: 'invalid' };
      }
      const problem = await deps.passwordPolicy.check(identifiers, password);
      if (problem) {
        ui.addNodeMessage('password', problem);
        return { kind: 'invalid' };
      }
      const oldHash = current.credentials.password?.config.hashed_password;
      if (typeof oldHash === 'string' && oldHash !== '' && (await deps.hasher.verify(password, oldHash))) {
        ui.addNodeMessage('password', passwordSameAsOld());
        return { kind: 'invalid' };
      }
      return { kind: 'changed', identity: current, input: inputOf(current, { password: { password } }) };
    },
  };
}

/**
 * The submitted password as Kratos' decoder reads it: a JSON number or boolean as its text, an
 * empty value as none at all.
 */
function passwordOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
