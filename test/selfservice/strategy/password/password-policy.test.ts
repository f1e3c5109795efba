import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadIdentityConfig } from '../../../../src/config/identity-config.js';
import {
  PasswordPolicy,
  type PasswordPolicyConfig,
  passwordTooLongMessage,
  readPasswordPolicyConfig,
} from '../../../../src/selfservice/strategy/password/password-policy.js';
import { minimalIdentityYaml, PORTAL, writeConfig } from '../../../config/config-fixtures.js';

// Kratos' defaults with the breach check off: these cases are about length and similarity.
const OFFLINE: PasswordPolicyConfig = {
  haveIBeenPwnedEnabled: false,
  haveIBeenPwnedHost: 'api.pwnedpasswords.com',
  maxBreaches: 0,
  ignoreNetworkErrors: true,
  minPasswordLength: 8,
  identifierSimilarityCheckEnabled: true,
};

function policy(overrides: Partial<PasswordPolicyConfig> = {}): PasswordPolicy {
  return new PasswordPolicy({ config: { ...OFFLINE, ...overrides } });
}

const TOO_SIMILAR = {
  id: 4000031,
  text: 'The password can not be used because it is too similar to the identifier.',
  type: 'error',
};

function tooShort(minLength: number, actualLength: number) {
  return {
    id: 4000032,
    text: `The password must be at least ${minLength} characters long, but got ${actualLength}.`,
    type: 'error',
    context: { min_length: minLength, actual_length: actualLength },
  };
}

describe('the password policy config', () => {
  it('has Kratos’ defaults when selfservice.methods.password.config is absent', () => {
    const file = writeConfig('password-policy-minimal.yml', minimalIdentityYaml());
    const document = loadIdentityConfig({ files: [file], env: {}, dev: true }).document;
    expect(readPasswordPolicyConfig(document)).toEqual({
      haveIBeenPwnedEnabled: true,
      haveIBeenPwnedHost: 'api.pwnedpasswords.com',
      maxBreaches: 0,
      ignoreNetworkErrors: true,
      minPasswordLength: 8,
      identifierSimilarityCheckEnabled: true,
    });
  });

  it('reads the portal’s v0.5 `password.max_breaches: 100` where the loader moved it', () => {
    const document = loadIdentityConfig({
      files: [join(PORTAL, 'kratos.yml.sample')],
      env: {},
      dev: true,
    }).document;
    expect(readPasswordPolicyConfig(document)).toMatchObject({ maxBreaches: 100, ignoreNetworkErrors: true });
  });

  it('reads every key under its Kratos name', () => {
    const document = {
      selfservice: {
        methods: {
          password: {
            config: {
              haveibeenpwned_enabled: false,
              haveibeenpwned_host: 'hibp.internal:8443',
              max_breaches: 7,
              ignore_network_errors: false,
              min_password_length: 12,
              identifier_similarity_check_enabled: false,
            },
          },
        },
      },
    };
    expect(readPasswordPolicyConfig(document)).toEqual({
      haveIBeenPwnedEnabled: false,
      haveIBeenPwnedHost: 'hibp.internal:8443',
      maxBreaches: 7,
      ignoreNetworkErrors: false,
      minPasswordLength: 12,
      identifierSimilarityCheckEnabled: false,
    });
  });
});

describe('the password policy', () => {
  // Kratos' own validator cases (selfservice/strategy/password/validator_test.go), minus the
  // ones that need the breach API; those are in haveibeenpwned.test.ts.
  const KRATOS_CASES: { id: string; pw: string; expected: unknown }[] = [
    { id: '', pw: '', expected: tooShort(8, 0) },
    { id: '', pw: '12', expected: tooShort(8, 2) },
    { id: '', pw: '1234', expected: tooShort(8, 4) },
    { id: '', pw: '123456', expected: tooShort(8, 6) },
    { id: '', pw: 'l3f9to', expected: tooShort(8, 6) },
    { id: '', pw: 'l3f9toh1uaf81n21', expected: undefined },
    { id: 'l3f9toh1uaf81n21', pw: 'l3f9toh1uaf81n21', expected: TOO_SIMILAR },
    { id: '', pw: 'l3f9toh1', expected: undefined },
    { id: '', pw: '0'.repeat(1000), expected: undefined },
    { id: 'hello@example.com', pw: 'hello@example.com12345', expected: TOO_SIMILAR },
    { id: 'hello@example.com', pw: '123hello@example.com123', expected: TOO_SIMILAR },
    { id: 'hello@example.com', pw: 'hello@exam', expected: TOO_SIMILAR },
    { id: 'hello@example.com', pw: 'HELLO@EXAMPLE.COM', expected: TOO_SIMILAR },
    { id: 'hello@example.com', pw: 'HELLO@example.com', expected: TOO_SIMILAR },
    { id: 'hello@exam', pw: 'hello@example.com', expected: TOO_SIMILAR },
    { id: 'hello@example.com', pw: 'h3ll0@example', expected: TOO_SIMILAR },
    { id: 'abcd', pw: '9d3c8a1b', expected: undefined },
    { id: 'a', pw: 'kjOklafe', expected: undefined },
    { id: 'ab', pw: '0000ab0000123', expected: undefined },
    { id: 'd4f6090b-5a84', pw: 'd4f6090b-5a84-2184-4404-8d1b-8da3eb00ebbe', expected: undefined },
    { id: 'asdflasdflasdf', pw: 'asdflasdflpiuhefnciluaksdzuföfhg', expected: undefined },
  ];

  it.each(KRATOS_CASES)(
    'judges identifier "$id" with password "$pw" as Kratos does',
    async ({ id, pw, expected }) => {
      expect(await policy().check([id], pw)).toEqual(expected);
    },
  );

  it('finds bob@example.com1 too similar to bob@example.com (one edit apart), in any case', async () => {
    expect(await policy().check(['bob@example.com'], 'bob@example.com1')).toEqual(TOO_SIMILAR);
    expect(await policy().check(['BOB@Example.com'], 'bob@example.com1')).toEqual(TOO_SIMILAR);
  });

  it('lets the same password through when the similarity check is disabled', async () => {
    expect(await policy().check(['bosqwfaxee'], 'bosqwfaxee')).toEqual(TOO_SIMILAR);
    expect(
      await policy({ identifierSimilarityCheckEnabled: false }).check(['bosqwfaxee'], 'bosqwfaxee'),
    ).toBe(undefined);
  });

  it('follows min_password_length', async () => {
    const ten = policy({ minPasswordLength: 10 });
    expect(await ten.check([''], 'kuobahcaas')).toBe(undefined);
    expect(await ten.check([''], 'rfqyfjied')).toEqual(tooShort(10, 9));
  });

  it('sends the too-short context with its keys in Go’s sorted order', async () => {
    const message = await policy().check([''], 'short');
    expect(JSON.stringify(message?.context)).toBe('{"actual_length":5,"min_length":8}');
  });

  it('sends no context with the too-similar message, as Kratos', async () => {
    const message = await policy().check(['bosqwfaxee'], 'bosqwfaxee');
    expect(message).not.toHaveProperty('context');
  });

  describe('counts the length in UTF-8 bytes, not characters', () => {
    it.each([
      { pw: 'ééé', characters: 3, bytes: 6 },
      { pw: '😀', characters: 1, bytes: 4 },
      { pw: 'abcdefg', characters: 7, bytes: 7 },
    ])('refuses "$pw" ($characters characters) as $bytes long', async ({ pw, bytes }) => {
      expect(await policy().check([''], pw)).toEqual(tooShort(8, bytes));
    });

    it.each([
      { pw: 'éééé', characters: 4 },
      { pw: '😀😀', characters: 2 },
      { pw: '日本語', characters: 3 },
    ])('accepts "$pw" ($characters characters, at least 8 bytes)', async ({ pw }) => {
      expect(await policy().check([''], pw)).toBe(undefined);
    });

    it('holds for any string: too short exactly when its UTF-8 encoding has fewer than 8 bytes', async () => {
      const encoder = new TextEncoder();
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 9 }), async (pw) => {
          const bytes = encoder.encode(pw).length;
          expect(await policy().check([''], pw)).toEqual(bytes < 8 ? tooShort(8, bytes) : undefined);
        }),
      );
    });
  });

  describe('measures similarity as Kratos does', () => {
    it('finds a password fewer than 5 edits from the identifier too similar', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
          fc.string({ unit: 'grapheme-ascii', maxLength: 4 }),
          async (identifier, extra) => {
            fc.pre(identifier.length + extra.length >= 8);
            expect(await policy().check([identifier], identifier + extra)).toEqual(TOO_SIMILAR);
          },
        ),
      );
    });

    it('ignores ASCII case on both sides', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
          fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 24 }),
          async (identifier, password) => {
            const expected = await policy().check([identifier.toLowerCase()], password.toLowerCase());
            expect(await policy().check([identifier.toUpperCase()], password.toUpperCase())).toEqual(
              expected,
            );
          },
        ),
      );
    });

    it('finds a shared run of more than half the password too similar, even 5 edits away', async () => {
      // 5 edits apart; the shared "abcdefgh" is 8 of 13 bytes.
      expect(await policy().check(['abcdefgh'], 'abcdefgh12345')).toEqual(TOO_SIMILAR);
    });

    it('divides the shared run by the password’s bytes, not its characters', async () => {
      // Still 5 edits, but "abcdefgh" is 8 of 18 bytes (each ü is two), so no more than half.
      expect(await policy().check(['abcdefgh'], 'abcdefghüüüüü')).toBe(undefined);
    });

    it('continues a shared run only past single-byte characters (Kratos indexes its table by byte)', async () => {
      // A plain common-substring count would find all 16 characters of the identifier in the
      // password; Kratos' table restarts the run after every é, so its longest run is "aé".
      expect(await policy().check(['aé'.repeat(8)], `${'aé'.repeat(8)}12345`)).toBe(undefined);
      // The same shape in ASCII is too similar (16 of 21 bytes shared).
      expect(await policy().check(['ax'.repeat(8)], `${'ax'.repeat(8)}12345`)).toEqual(TOO_SIMILAR);
    });

    it('lower-cases İ to a plain i, as Go does', async () => {
      // JavaScript's full mapping would make each İ two characters (i + U+0307), 8 edits away.
      expect(await policy().check(['iiiiiiii'], 'İİİİİİİİ')).toEqual(TOO_SIMILAR);
    });

    it('skips the check when identifier or password is over 256 bytes', async () => {
      expect(await policy().check(['a'.repeat(256)], 'a'.repeat(256))).toEqual(TOO_SIMILAR);
      expect(await policy().check(['a'.repeat(257)], 'a'.repeat(250))).toBe(undefined);
      expect(await policy().check(['a'.repeat(256)], 'a'.repeat(257))).toBe(undefined);
    });

    it('applies the 256-byte bound again after lower-casing, which can lengthen a string', async () => {
      // Ⱥ is 2 bytes and its lower case ⱥ is 3: 85 of them lower to 255 bytes, 86 to 258.
      expect(await policy().check(['Ⱥ'.repeat(85)], 'Ⱥ'.repeat(85))).toEqual(TOO_SIMILAR);
      expect(await policy().check(['Ⱥ'.repeat(86)], 'Ⱥ'.repeat(86))).toBe(undefined);
    });

    it('skips an empty identifier', async () => {
      expect(await policy().check([''], 'abcdefgh')).toBe(undefined);
    });
  });

  it('checks the password against every identifier', async () => {
    expect(await policy().check(['bob', 'carol@example.com'], 'carol@example.com!')).toEqual(TOO_SIMILAR);
    expect(await policy().check(['bob', 'carol@example.com'], 'l3f9toh1uaf81n21')).toBe(undefined);
  });

  it('still checks the length when there is no identifier', async () => {
    expect(await policy().check([], 'short')).toEqual(tooShort(8, 5));
  });

  it('needs a range client when the breach check is on', () => {
    expect(() => new PasswordPolicy({ config: { ...OFFLINE, haveIBeenPwnedEnabled: true } })).toThrow(
      TypeError,
    );
  });
});

describe('the too-long message for bcrypt', () => {
  it('is 4000033 with the password’s length in bytes and bcrypt’s 72', () => {
    const message = passwordTooLongMessage('é'.repeat(37));
    expect(message).toEqual({
      id: 4000033,
      text: 'The password must be at most 72 characters long, but got 74.',
      type: 'error',
      context: { max_length: 72, actual_length: 74 },
    });
    expect(JSON.stringify(message.context)).toBe('{"actual_length":74,"max_length":72}');
  });
});
