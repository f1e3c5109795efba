import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as texts from '../../../src/selfservice/flow/ui-text.js';
import { type UiText, uiTextFromJSON, uiTextToJSON } from '../../../src/selfservice/flow/ui-text.js';

const T0 = new Date('2024-05-01T12:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

// Kratos' ids, types and texts (text/id.go, text/message_*.go), written out by hand.
const CATALOGUE: [string, () => UiText, number, UiText['type'], string][] = [
  ['signIn', () => texts.signIn(), 1010001, 'info', 'Sign in'],
  [
    'confirmItIsYou',
    () => texts.confirmItIsYou(),
    1010003,
    'info',
    'Please confirm this action by verifying that it is you.',
  ],
  [
    'completeSecondFactor',
    () => texts.completeSecondFactor(),
    1010004,
    'info',
    'Please complete the second authentication challenge.',
  ],
  ['signInWithPassword', () => texts.signInWithPassword(), 1010022, 'info', 'Sign in with password'],
  ['signUp', () => texts.signUp(), 1040001, 'info', 'Sign up'],
  ['registrationContinue', () => texts.registrationContinue(), 1040003, 'info', 'Continue'],
  ['registrationBack', () => texts.registrationBack(), 1040008, 'info', 'Back'],
  [
    'chooseCredentials',
    () => texts.chooseCredentials(),
    1040009,
    'info',
    'Please choose a credential to authenticate yourself with.',
  ],
  ['settingsSaved', () => texts.settingsSaved(), 1050001, 'success', 'Your changes have been saved!'],
  ['passwordLabel', () => texts.passwordLabel(), 1070001, 'info', 'Password'],
  ['generatedLabel', () => texts.generatedLabel('E-Mail', 'traits.email'), 1070002, 'info', 'E-Mail'],
  ['saveLabel', () => texts.saveLabel(), 1070003, 'info', 'Save'],
  ['idLabel', () => texts.idLabel(), 1070004, 'info', 'ID'],
  ['submitLabel', () => texts.submitLabel(), 1070005, 'info', 'Submit'],
  ['verifyCodeLabel', () => texts.verifyCodeLabel(), 1070006, 'info', 'Verify code'],
  ['emailLabel', () => texts.emailLabel(), 1070007, 'info', 'Email'],
  ['resendCodeLabel', () => texts.resendCodeLabel(), 1070008, 'info', 'Resend code'],
  ['continueLabel', () => texts.continueLabel(), 1070009, 'info', 'Continue'],
  ['recoveryCodeLabel', () => texts.recoveryCodeLabel(), 1070010, 'info', 'Recovery code'],
  ['verificationCodeLabel', () => texts.verificationCodeLabel(), 1070011, 'info', 'Verification code'],
  ['validationFailed', () => texts.validationFailed('the reason'), 4000001, 'error', 'the reason'],
  ['propertyMissing', () => texts.propertyMissing('email'), 4000002, 'error', 'Property email is missing.'],
  ['valueTooShort', () => texts.valueTooShort(3, 1), 4000003, 'error', 'length must be >= 3, but got 1'],
  ['patternMismatch', () => texts.patternMismatch('^a+$'), 4000004, 'error', 'does not match pattern "^a+$"'],
  [
    'passwordPolicyViolation',
    () => texts.passwordPolicyViolation('it is on a list'),
    4000005,
    'error',
    'The password can not be used because it is on a list.',
  ],
  [
    'invalidCredentials',
    () => texts.invalidCredentials(),
    4000006,
    'error',
    'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.',
  ],
  [
    'duplicateIdentifier',
    () => texts.duplicateIdentifier(),
    4000007,
    'error',
    'An account with the same identifier (email, phone, username, ...) exists already.',
  ],
  [
    'noIdentifierInSchema',
    () => texts.noIdentifierInSchema(),
    4000009,
    'error',
    'Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.',
  ],
  [
    'addressNotVerified',
    () => texts.addressNotVerified(),
    4000010,
    'error',
    'Account not active yet. Did you forget to verify your email address?',
  ],
  ['valueTooLong', () => texts.valueTooLong(5, 9), 4000017, 'error', 'length must be <= 5, but got 9'],
  ['belowMinimum', () => texts.belowMinimum(18, 7), 4000018, 'error', 'must be >= 18 but found 7'],
  [
    'notAboveExclusiveMinimum',
    () => texts.notAboveExclusiveMinimum(0, 0),
    4000019,
    'error',
    'must be > 0 but found 0',
  ],
  ['aboveMaximum', () => texts.aboveMaximum(99, 100.5), 4000020, 'error', 'must be <= 99 but found 100.5'],
  [
    'notBelowExclusiveMaximum',
    () => texts.notBelowExclusiveMaximum(10, 10),
    4000021,
    'error',
    'must be < 10 but found 10',
  ],
  ['notMultipleOf', () => texts.notMultipleOf(5, 7), 4000022, 'error', '7 not multipleOf 5'],
  [
    'tooManyItems',
    () => texts.tooManyItems(2, 3),
    4000023,
    'error',
    'maximum 2 items allowed, but found 3 items',
  ],
  [
    'tooFewItems',
    () => texts.tooFewItems(2, 1),
    4000024,
    'error',
    'minimum 2 items allowed, but found 1 items',
  ],
  ['itemsNotUnique', () => texts.itemsNotUnique(0, 2), 4000025, 'error', 'items at index 0 and 2 are equal'],
  [
    'wrongType',
    () => texts.wrongType(['string', 'null'], 'number'),
    4000026,
    'error',
    'expected string or null, but got number',
  ],
  ['notConstant', () => texts.notConstant('"admin"'), 4000029, 'error', 'must be equal to constant "admin"'],
  ['notConstantGeneric', () => texts.notConstantGeneric(), 4000030, 'error', 'const failed'],
  [
    'passwordTooSimilar',
    () => texts.passwordTooSimilar(),
    4000031,
    'error',
    'The password can not be used because it is too similar to the identifier.',
  ],
  [
    'passwordTooShort',
    () => texts.passwordTooShort(8, 5),
    4000032,
    'error',
    'The password must be at least 8 characters long, but got 5.',
  ],
  [
    'passwordTooLong',
    () => texts.passwordTooLong(72, 80),
    4000033,
    'error',
    'The password must be at most 72 characters long, but got 80.',
  ],
  [
    'passwordBreached',
    () => texts.passwordBreached(12),
    4000034,
    'error',
    'The password has been found in data breaches and must no longer be used.',
  ],
  [
    'passwordSameAsOld',
    () => texts.passwordSameAsOld(),
    4000039,
    'error',
    'The new password must be different from the old password.',
  ],
  ['invalidEmail', () => texts.invalidEmail('x@'), 4000040, 'error', 'Enter a valid email address'],
  ['invalidPhone', () => texts.invalidPhone('12'), 4000041, 'error', 'Enter a valid phone number'],
  [
    'loginFlowExpired',
    () => texts.loginFlowExpired(T0, later(90_000)),
    4010001,
    'error',
    'The login flow expired 1.50 minutes ago, please try again.',
  ],
  [
    'registrationFlowExpired',
    () => texts.registrationFlowExpired(T0, later(90_000)),
    4040001,
    'error',
    'The registration flow expired 1.50 minutes ago, please try again.',
  ],
  [
    'settingsFlowExpired',
    () => texts.settingsFlowExpired(T0, later(90_000)),
    4050001,
    'error',
    'The settings flow expired 1.50 minutes ago, please try again.',
  ],
  [
    'noLoginStrategy',
    () => texts.noLoginStrategy(),
    4010002,
    'error',
    'Could not find a strategy to log you in with. Did you fill out the form correctly?',
  ],
  [
    'noRegistrationStrategy',
    () => texts.noRegistrationStrategy(),
    4010003,
    'error',
    'Could not find a strategy to sign you up with. Did you fill out the form correctly?',
  ],
  [
    'noSettingsStrategy',
    () => texts.noSettingsStrategy(),
    4010004,
    'error',
    'Could not find a strategy to update your settings. Did you fill out the form correctly?',
  ],
  [
    'accountDisabled',
    () => texts.accountDisabled(),
    4010011,
    'error',
    'This account has been disabled. Please contact support for assistance.',
  ],
  ['systemError', () => texts.systemError('disk on fire'), 5000001, 'error', 'disk on fire'],
];

describe("Kratos' message catalogue", () => {
  it.each(CATALOGUE)('%s has id %i, type %s and Kratos’ text', (_name, make, id, type, text) => {
    const message = make();
    expect(message.id).toBe(id);
    expect(message.type).toBe(type);
    expect(message.text).toBe(text);
  });

  it('covers every exported factory', () => {
    const factories = Object.entries(texts)
      .filter(([name, value]) => typeof value === 'function' && !name.startsWith('uiText'))
      .map(([name]) => name)
      .sort();
    expect(factories).toEqual(CATALOGUE.map(([name]) => name).sort());
  });

  it('gives every message its own id', () => {
    const ids = CATALOGUE.map(([, make]) => make().id);
    const shared = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(shared).toEqual([]);
  });

  it('leaves `context` out when a message has none', () => {
    for (const message of [texts.signIn(), texts.invalidCredentials(), texts.passwordTooSimilar()]) {
      expect(Object.keys(message)).toEqual(['id', 'text', 'type']);
    }
  });

  it('returns a fresh object each time, so a flow can change its copy', () => {
    const first = texts.signIn();
    first.text = 'changed';
    expect(texts.signIn().text).toBe('Sign in');
  });
});

describe('message context', () => {
  it('is written with its keys sorted, as Go writes a map', () => {
    expect(JSON.stringify(texts.passwordTooShort(8, 5))).toBe(
      '{"id":4000032,"text":"The password must be at least 8 characters long, but got 5.","type":"error","context":{"actual_length":5,"min_length":8}}',
    );
    expect(JSON.stringify(texts.generatedLabel('E-Mail', 'traits.email'))).toBe(
      '{"id":1070002,"text":"E-Mail","type":"info","context":{"name":"traits.email","title":"E-Mail"}}',
    );
  });

  it('carries the values the text was made from', () => {
    expect(texts.validationFailed('r').context).toEqual({ reason: 'r' });
    expect(texts.propertyMissing('email').context).toEqual({ property: 'email' });
    expect(texts.valueTooShort(3, 1).context).toEqual({ min_length: 3, actual_length: 1 });
    expect(texts.valueTooLong(5, 9).context).toEqual({ max_length: 5, actual_length: 9 });
    expect(texts.patternMismatch('^a$').context).toEqual({ pattern: '^a$' });
    expect(texts.passwordPolicyViolation('r').context).toEqual({ reason: 'r' });
    expect(texts.belowMinimum(18, 7).context).toEqual({ minimum: 18, actual: 7 });
    expect(texts.notAboveExclusiveMinimum(1, 0).context).toEqual({ minimum: 1, actual: 0 });
    expect(texts.aboveMaximum(99, 100).context).toEqual({ maximum: 99, actual: 100 });
    expect(texts.notBelowExclusiveMaximum(10, 11).context).toEqual({ maximum: 10, actual: 11 });
    expect(texts.notMultipleOf(5, 7).context).toEqual({ base: 5, actual: 7 });
    expect(texts.tooManyItems(2, 3).context).toEqual({ max_items: 2, actual_items: 3 });
    expect(texts.tooFewItems(2, 1).context).toEqual({ min_items: 2, actual_items: 1 });
    expect(texts.itemsNotUnique(0, 2).context).toEqual({ index_a: 0, index_b: 2 });
    expect(texts.wrongType(['string'], 'number').context).toEqual({
      allowed_types: ['string'],
      actual_type: 'number',
    });
    expect(texts.notConstant('"a"').context).toEqual({ expected: '"a"' });
    expect(texts.passwordTooShort(8, 5).context).toEqual({ min_length: 8, actual_length: 5 });
    expect(texts.passwordTooLong(72, 80).context).toEqual({ max_length: 72, actual_length: 80 });
    expect(texts.passwordBreached(12).context).toEqual({ breaches: 12 });
    expect(texts.invalidEmail('x@').context).toEqual({ value: 'x@' });
    expect(texts.invalidPhone('12').context).toEqual({ value: '12' });
    expect(texts.systemError('r').context).toEqual({ reason: 'r' });
  });

  it('of an expired flow holds the expiry as a timestamp and as Unix seconds', () => {
    const expiredAt = new Date('2024-05-01T12:00:00.750Z');
    expect(texts.loginFlowExpired(expiredAt, later(600_000)).context).toEqual({
      expired_at: '2024-05-01T12:00:00.750Z',
      expired_at_unix: 1714564800,
    });
  });
});

describe('the minutes in an expired-flow text', () => {
  const minutes = (elapsedMs: number) =>
    /expired (\S+) minutes ago/.exec(texts.loginFlowExpired(T0, later(elapsedMs)).text)?.[1];

  it('have two decimals', () => {
    expect(minutes(0)).toBe('0.00');
    expect(minutes(60_000)).toBe('1.00');
    expect(minutes(61_000)).toBe('1.02');
    expect(minutes(3_600_000 * 3)).toBe('180.00');
  });

  it('round an exact half to the even digit, as Go does', () => {
    expect(minutes(7_500)).toBe('0.12'); // 0.125
    expect(minutes(22_500)).toBe('0.38'); // 0.375
    expect(minutes(37_500)).toBe('0.62'); // 0.625
    expect(minutes(52_500)).toBe('0.88'); // 0.875
    expect(minutes(60_000 + 7_500)).toBe('1.12'); // 1.125
  });

  it('are negative when the clock says the flow has not expired yet', () => {
    expect(minutes(-90_000)).toBe('-1.50');
  });

  it('never differ from the rounded value by more than half a hundredth', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (ms) => {
        const shown = Number(minutes(ms));
        expect(Math.abs(shown - ms / 60_000)).toBeLessThanOrEqual(0.005 + 1e-9);
      }),
    );
  });
});

describe('numbers in validation texts', () => {
  it('are printed as Go prints a float64: exponent form from 1e6 and below 1e-4', () => {
    expect(texts.belowMinimum(1200, 5).text).toBe('must be >= 1200 but found 5');
    expect(texts.belowMinimum(123456, 0.5).text).toBe('must be >= 123456 but found 0.5');
    expect(texts.belowMinimum(1_000_000, 1.5).text).toBe('must be >= 1e+06 but found 1.5');
    expect(texts.aboveMaximum(1_234_567, 0.0001).text).toBe('must be <= 1.234567e+06 but found 0.0001');
    expect(texts.aboveMaximum(0.00001, -2.5e-7).text).toBe('must be <= 1e-05 but found -2.5e-07');
    expect(texts.notMultipleOf(1e21, 1e100).text).toBe('1e+100 not multipleOf 1e+21');
  });

  it('keep the numbers themselves in the context', () => {
    expect(texts.belowMinimum(1_000_000, 1.5).context).toEqual({ minimum: 1_000_000, actual: 1.5 });
  });

  it('quote a pattern as Go’s %q does', () => {
    expect(texts.patternMismatch('^[a-z]+\\d"$').text).toBe('does not match pattern "^[a-z]+\\\\d\\"$"');
  });
});

describe('texts read back from storage', () => {
  it('come back equal, in Kratos’ field order', () => {
    const stored = JSON.parse(
      '{"context":{"actual_length":5,"min_length":8},"type":"error","text":"t","id":4000032}',
    );
    expect(JSON.stringify(uiTextFromJSON(stored))).toBe(
      '{"id":4000032,"text":"t","type":"error","context":{"actual_length":5,"min_length":8}}',
    );
  });

  it('lose an empty context', () => {
    expect(uiTextToJSON({ id: 1, text: 't', type: 'info', context: {} })).toEqual({
      id: 1,
      text: 't',
      type: 'info',
    });
  });

  it('are refused when they are not uiTexts', () => {
    for (const bad of [
      null,
      'x',
      [],
      { id: '1', text: 't', type: 'info' },
      { id: 1, text: 't', type: 'warning' },
    ]) {
      expect(() => uiTextFromJSON(bad)).toThrow(TypeError);
    }
  });

  it('survive a JSON round trip unchanged', () => {
    for (const [, make] of CATALOGUE) {
      const message = make();
      expect(uiTextFromJSON(JSON.parse(JSON.stringify(message)))).toEqual(message);
    }
  });
});
