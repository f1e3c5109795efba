import { getPath, type JsonObject } from '../../config/object-path.js';

/** What only the registration flow reads of `selfservice.flows.registration`. */
export interface RegistrationConfig {
  /**
   * `style: profile_first` (Kratos' default): the traits first (`method=profile`), then the
   * credentials. The deprecated `enable_legacy_one_step: true` still means `unified`, as in Kratos.
   */
  twoSteps: boolean;
  /** The hooks after a password registration: `after.password.hooks`, else `after.hooks`. */
  afterPasswordHooks: string[];
  /**
   * Where a finished password registration goes without a return_to:
   * `after.password.default_browser_return_url`, else `after.default_browser_return_url`;
   * undefined leaves it to `selfservice.default_browser_return_url`.
   */
  afterPasswordReturnUrl: string | undefined;
}

export function readRegistrationConfig(document: JsonObject): RegistrationConfig {
  const at = (...path: string[]) => getPath(document, ['selfservice', 'flows', 'registration', ...path]);
  const legacyOneStep = at('enable_legacy_one_step') === true;
  // Kratos keeps per-method hooks and global ones apart: the global list applies only when the
  // method has none of its own (the two are never merged).
  const own = hookNames(at('after', 'password', 'hooks'));
  const returnUrl =
    at('after', 'password', 'default_browser_return_url') ?? at('after', 'default_browser_return_url');
  return {
    twoSteps: !legacyOneStep && (at('style') ?? 'profile_first') === 'profile_first',
    afterPasswordHooks: own.length > 0 ? own : hookNames(at('after', 'hooks')),
    afterPasswordReturnUrl: typeof returnUrl === 'string' && returnUrl !== '' ? returnUrl : undefined,
  };
}

function hookNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => String((entry as { hook?: unknown } | null)?.hook ?? ''));
}
