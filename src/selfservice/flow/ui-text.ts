import { goQuote } from '../../identity/schema/go-formatting.js';

export type UiTextType = 'info' | 'error' | 'success';

/**
 * A message of a flow's UI (Kratos' `uiText`): on the container, on a node, or a node's label.
 * Clients key on `id`; `text` is American English; `context` holds the values the text was made
 * from, so a UI can word the message its own way.
 */
export interface UiText {
  id: number;
  text: string;
  type: UiTextType;
  context?: Record<string, unknown>;
}

function uiText(id: number, type: UiTextType, text: string, context?: Record<string, unknown>): UiText {
  if (context === undefined) return { id, text, type };
  // Kratos marshals the context from a Go map, whose keys encoding/json writes sorted.
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(context).sort()) sorted[key] = context[key];
  return { id, text, type, context: sorted };
}

/** A copy in Kratos' field order, `context` left out when empty; for texts read back from storage. */
export function uiTextToJSON(message: UiText): UiText {
  const json: UiText = { id: message.id, text: message.text, type: message.type };
  const context = message.context;
  if (
    typeof context === 'object' &&
    context !== null &&
    !Array.isArray(context) &&
    Object.keys(context).length > 0
  )
    json.context = structuredClone(context);
  return json;
}

/** Reads a text back from its JSON; throws a TypeError when it is not a uiText. */
export function uiTextFromJSON(value: unknown): UiText {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    typeof (value as UiText).id !== 'number' ||
    typeof (value as UiText).text !== 'string' ||
    !['info', 'error', 'success'].includes((value as UiText).type)
  ) {
    throw new TypeError('ui text: must be {"id": <number>, "text": <string>, "type": "info|error|success"}');
  }
  return uiTextToJSON(value as UiText);
}

// --- Login (1010xxx) ---------------------------------------------------------------------------

export const signIn = () => uiText(1010001, 'info', 'Sign in');
export const confirmItIsYou = () =>
  uiText(1010003, 'info', 'Please confirm this action by verifying that it is you.');
export const completeSecondFactor = () =>
  uiText(1010004, 'info', 'Please complete the second authentication challenge.');
export const signInWithPassword = () => uiText(1010022, 'info', 'Sign in with password');

// --- Registration (1040xxx) --------------------------------------------------------------------

export const signUp = () => uiText(1040001, 'info', 'Sign up');
export const registrationContinue = () => uiText(1040003, 'info', 'Continue');
export const registrationBack = () => uiText(1040008, 'info', 'Back');
export const chooseCredentials = () =>
  uiText(1040009, 'info', 'Please choose a credential to authenticate yourself with.');

// --- Settings (1050xxx) ------------------------------------------------------------------------

export const settingsSaved = () => uiText(1050001, 'success', 'Your changes have been saved!');

// --- Node labels (1070xxx) ---------------------------------------------------------------------

export const passwordLabel = () => uiText(1070001, 'info', 'Password');
/** A label taken from a schema `title`; `name` is the node it labels (`traits.email`). */
export const generatedLabel = (title: string, name: string) =>
  uiText(1070002, 'info', title, { title, name });
export const saveLabel = () => uiText(1070003, 'info', 'Save');
export const idLabel = () => uiText(1070004, 'info', 'ID');
export const submitLabel = () => uiText(1070005, 'info', 'Submit');
export const verifyCodeLabel = () => uiText(1070006, 'info', 'Verify code');
export const emailLabel = () => uiText(1070007, 'info', 'Email');
export const resendCodeLabel = () => uiText(1070008, 'info', 'Resend code');
export const continueLabel = () => uiText(1070009, 'info', 'Continue');
export const recoveryCodeLabel = () => uiText(1070010, 'info', 'Recovery code');
export const verificationCodeLabel = () => uiText(1070011, 'info', 'Verification code');

// --- Validation (4000xxx) ----------------------------------------------------------------------

/** 4000001: any other problem; the text is the reason itself. */
export const validationFailed = (reason: string) => uiText(4000001, 'error', reason, { reason });
export const propertyMissing = (property: string) =>
  uiText(4000002, 'error', `Property ${property} is missing.`, { property });
export const valueTooShort = (minLength: number, actualLength: number) =>
  uiText(4000003, 'error', `length must be >= ${minLength}, but got ${actualLength}`, {
    min_length: minLength,
    actual_length: actualLength,
  });
export const patternMismatch = (pattern: string) =>
  uiText(4000004, 'error', `does not match pattern ${goQuote(pattern)}`, { pattern });
/** 4000005: a password policy refusal with no message of its own; `reason` completes "because …". */
export const passwordPolicyViolation = (reason: string) =>
  uiText(4000005, 'error', `The password can not be used because ${reason}.`, { reason });
export const invalidCredentials = () =>
  uiText(
    4000006,
    'error',
    'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.',
  );
export const duplicateIdentifier = () =>
  uiText(
    4000007,
    'error',
    'An account with the same identifier (email, phone, username, ...) exists already.',
  );
export const noIdentifierInSchema = () =>
  uiText(
    4000009,
    'error',
    'Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.',
  );
export const addressNotVerified = () =>
  uiText(4000010, 'error', 'Account not active yet. Did you forget to verify your email address?');
export const valueTooLong = (maxLength: number, actualLength: number) =>
  uiText(4000017, 'error', `length must be <= ${maxLength}, but got ${actualLength}`, {
    max_length: maxLength,
    actual_length: actualLength,
  });
export const belowMinimum = (minimum: number, actual: number) =>
  uiText(4000018, 'error', `must be >= ${goFloat(minimum)} but found ${goFloat(actual)}`, {
    minimum,
    actual,
  });
export const notAboveExclusiveMinimum = (minimum: number, actual: number) =>
  uiText(4000019, 'error', `must be > ${goFloat(minimum)} but found ${goFloat(actual)}`, { minimum, actual });
export const aboveMaximum = (maximum: number, actual: number) =>
  uiText(4000020, 'error', `must be <= ${goFloat(maximum)} but found ${goFloat(actual)}`, {
    maximum,
    actual,
  });
export const notBelowExclusiveMaximum = (maximum: number, actual: number) =>
  uiText(4000021, 'error', `must be < ${goFloat(maximum)} but found ${goFloat(actual)}`, { maximum, actual });
export const notMultipleOf = (base: number, actual: number) =>
  uiText(4000022, 'error', `${goFloat(actual)} not multipleOf ${goFloat(base)}`, { base, actual });
export const tooManyItems = (maxItems: number, actualItems: number) =>
  uiText(4000023, 'error', `maximum ${maxItems} items allowed, but found ${actualItems} items`, {
    max_items: maxItems,
    actual_items: actualItems,
  });
export const tooFewItems = (minItems: number, actualItems: number) =>
  uiText(4000024, 'error', `minimum ${minItems} items allowed, but found ${actualItems} items`, {
    min_items: minItems,
    actual_items: actualItems,
  });
export const itemsNotUnique = (indexA: number, indexB: number) =>
  uiText(4000025, 'error', `items at index ${indexA} and ${indexB} are equal`, {
    index_a: indexA,
    index_b: indexB,
  });
export const wrongType = (allowedTypes: readonly string[], actualType: string) =>
  uiText(4000026, 'error', `expected ${allowedTypes.join(' or ')}, but got ${actualType}`, {
    allowed_types: [...allowedTypes],
    actual_type: actualType,
  });
/** 4000029: `expected` as the validator printed it (`"admin"`, quotes included). */
export const notConstant = (expected: string) =>
  uiText(4000029, 'error', `must be equal to constant ${expected}`, { expected });
export const notConstantGeneric = () => uiText(4000030, 'error', 'const failed');
export const passwordTooSimilar = () =>
  uiText(4000031, 'error', 'The password can not be used because it is too similar to the identifier.');
export const passwordTooShort = (minLength: number, actualLength: number) =>
  uiText(
    4000032,
    'error',
    `The password must be at least ${minLength} characters long, but got ${actualLength}.`,
    {
      min_length: minLength,
      actual_length: actualLength,
    },
  );
export const passwordTooLong = (maxLength: number, actualLength: number) =>
  uiText(
    4000033,
    'error',
    `The password must be at most ${maxLength} characters long, but got ${actualLength}.`,
    {
      max_length: maxLength,
      actual_length: actualLength,
    },
  );
export const passwordBreached = (breaches: number) =>
  uiText(4000034, 'error', 'The password has been found in data breaches and must no longer be used.', {
    breaches,
  });
export const passwordSameAsOld = () =>
  uiText(4000039, 'error', 'The new password must be different from the old password.');
export const invalidEmail = (value: string) =>
  uiText(4000040, 'error', 'Enter a valid email address', { value });
export const invalidPhone = (value: string) =>
  uiText(4000041, 'error', 'Enter a valid phone number', { value });

// --- Flow errors (40x0xxx) ---------------------------------------------------------------------

export const loginFlowExpired = (expiredAt: Date, now: Date) => flowExpired(4010001, 'login', expiredAt, now);
export const registrationFlowExpired = (expiredAt: Date, now: Date) =>
  flowExpired(4040001, 'registration', expiredAt, now);
export const settingsFlowExpired = (expiredAt: Date, now: Date) =>
  flowExpired(4050001, 'settings', expiredAt, now);

export const noLoginStrategy = () =>
  uiText(
    4010002,
    'error',
    'Could not find a strategy to log you in with. Did you fill out the form correctly?',
  );
export const noRegistrationStrategy = () =>
  uiText(
    4010003,
    'error',
    'Could not find a strategy to sign you up with. Did you fill out the form correctly?',
  );
export const noSettingsStrategy = () =>
  uiText(
    4010004,
    'error',
    'Could not find a strategy to update your settings. Did you fill out the form correctly?',
  );
export const accountDisabled = () =>
  uiText(4010011, 'error', 'This account has been disabled. Please contact support for assistance.');

// --- System (5000xxx) --------------------------------------------------------------------------

/** 5000001: the text is the reason itself. */
export const systemError = (reason: string) => uiText(5000001, 'error', reason, { reason });

function flowExpired(id: number, flow: string, expiredAt: Date, now: Date): UiText {
  const elapsed = now.getTime() - expiredAt.getTime();
  // Go's Duration.Minutes(): whole minutes plus the remainder as a fraction.
  const minutes = Math.trunc(elapsed / 60_000) + (elapsed % 60_000) / 60_000;
  return uiText(id, 'error', `The ${flow} flow expired ${goFixed2(minutes)} minutes ago, please try again.`, {
    // gatehouse writes every timestamp this way, so this matches the flow's own `expires_at`.
    expired_at: expiredAt.toISOString(),
    expired_at_unix: Math.floor(expiredAt.getTime() / 1000),
  });
}

/**
 * Go's `%.2f`. toFixed agrees except on exact ties (x = k/8 with k odd: .125, .625), where Go
 * rounds half to even and toFixed rounds away from zero.
 */
function goFixed2(x: number): string {
  const magnitude = Math.abs(x);
  const eighths = magnitude * 8;
  if (!Number.isSafeInteger(eighths) || eighths % 2 === 0) return x.toFixed(2);
  const hundredths = magnitude * 100; // exact: k/8 * 100 = 12.5k
  const down = Math.floor(hundredths);
  const even = down % 2 === 0 ? down : down + 1;
  const digits = String(even).padStart(3, '0');
  return `${x < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e6 on. */
function goFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, exponentText] = x.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(x);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
