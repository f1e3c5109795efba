import { beforeAll, describe, expect, it } from 'vitest';
import type { IdentitySchemas } from '../../../src/identity/schema/identity-schemas.js';
import {
  TraitsValidationError,
  UnknownSchemaError,
} from '../../../src/identity/schema/traits-validation-error.js';
import { loadInline, traitsSchema } from './schema-fixtures.js';

const PERSON = traitsSchema(
  {
    email: {
      type: 'string',
      format: 'email',
      'ory.sh/kratos': { credentials: { password: { identifier: true } } },
    },
    age: { type: 'integer', minimum: 18 },
    name: {
      type: 'object',
      properties: { first: { type: 'string', minLength: 2 }, last: { type: 'string', maxLength: 5 } },
    },
    plan: { enum: ['free', 'pro'] },
    tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, maxItems: 2, uniqueItems: true },
    'display name': { type: 'string' },
  },
  { required: ['email'], additionalProperties: false },
);

let schemas: IdentitySchemas;
beforeAll(async () => {
  schemas = await loadInline(PERSON);
});

/** The error validate throws for these traits (fails the test if it throws none). */
function refusal(traits: unknown): TraitsValidationError {
  try {
    schemas.validate('default', traits);
  } catch (error) {
    expect(error).toBeInstanceOf(TraitsValidationError);
    return error as TraitsValidationError;
  }
  throw new Error('the traits were accepted');
}

describe('traits validation', () => {
  it('accepts traits that match, and returns their identifiers', () => {
    expect(
      schemas.validateTraits('default', { email: 'Bob@example.com', age: 30, plan: 'pro' }),
    ).toMatchObject({
      passwordIdentifiers: ['bob@example.com'],
    });
  });

  it('names the object and the property when a required trait is missing', () => {
    const error = refusal({ age: 30 });
    expect(error.message).toBe('I[#/traits] S[#/properties/traits/required] missing properties: "email"');
    expect(error.causes).toEqual([
      {
        instancePtr: '#/traits',
        schemaPtr: '#/properties/traits/required',
        keyword: 'required',
        message: 'missing properties: "email"',
        missing: ['email'],
      },
    ]);
  });

  it('names the trait whose format is wrong, in Kratos words', () => {
    expect(refusal({ email: 'x' }).message).toBe(
      'I[#/traits/email] S[#/properties/traits/properties/email/format] "x" is not valid "email"',
    );
  });

  it('names a property the schema does not allow', () => {
    expect(refusal({ email: 'bob@example.com', nickname: 'b' }).message).toBe(
      'I[#/traits] S[#/properties/traits/additionalProperties] additionalProperties "nickname" not allowed',
    );
  });

  it('names the trait of the wrong type, with the expected and the given type', () => {
    expect(refusal({ email: 'bob@example.com', age: 'thirty' }).message).toBe(
      'I[#/traits/age] S[#/properties/traits/properties/age/type] expected integer, but got string',
    );
  });

  it('words the other keywords as Kratos does', () => {
    const lines = (traits: Record<string, unknown>) =>
      refusal({ email: 'bob@example.com', ...traits }).message.split('\n');
    expect(lines({ age: 12 })).toEqual([
      'I[#/traits/age] S[#/properties/traits/properties/age/minimum] must be >= 18 but found 12',
    ]);
    expect(lines({ plan: 'gold' })).toEqual([
      'I[#/traits/plan] S[#/properties/traits/properties/plan/enum] value must be one of "free", "pro"',
    ]);
    expect(lines({ name: { first: 'A' } })).toEqual([
      'I[#/traits/name/first] S[#/properties/traits/properties/name/properties/first/minLength] length must be >= 2, but got 1',
    ]);
    expect(lines({ tags: ['a', 'B'] })).toEqual([
      'I[#/traits/tags/1] S[#/properties/traits/properties/tags/items/pattern] does not match pattern "^[a-z]+$"',
    ]);
    expect(lines({ tags: ['a', 'a'] })).toEqual([
      'I[#/traits/tags] S[#/properties/traits/properties/tags/uniqueItems] items at index 0 and 1 are equal',
    ]);
  });

  it('escapes trait names in pointers as Kratos does', () => {
    expect(refusal({ email: 'bob@example.com', 'display name': 7 }).message).toBe(
      'I[#/traits/display%20name] S[#/properties/traits/properties/display%20name/type] expected string, but got number',
    );
  });

  it('groups several problems under the value they occur in, one indented line each', () => {
    const error = refusal({ email: 'x', age: 'old', name: { first: 'A', last: 'Longname' } });
    expect(error.message.split('\n')).toEqual([
      'I[#/traits] S[#/properties/traits] validation failed',
      '  I[#/traits/email] S[#/properties/traits/properties/email/format] "x" is not valid "email"',
      '  I[#/traits/age] S[#/properties/traits/properties/age/type] expected integer, but got string',
      '  I[#/traits/name] S[#/properties/traits/properties/name] validation failed',
      '    I[#/traits/name/first] S[#/properties/traits/properties/name/properties/first/minLength] length must be >= 2, but got 1',
      '    I[#/traits/name/last] S[#/properties/traits/properties/name/properties/last/maxLength] length must be <= 5, but got 8',
    ]);
  });

  it('reads missing traits as an empty object, and refuses traits that are no object', () => {
    expect(refusal(undefined).message).toContain('missing properties: "email"');
    expect(refusal(['bob@example.com']).message).toBe(
      'I[#/traits] S[#/properties/traits/type] expected object, but got array',
    );
  });

  it('answers 400 with the validation text as reason', () => {
    expect(refusal({ email: 'x' }).toHttpError().toJSON()).toEqual({
      error: {
        code: 400,
        status: 'Bad Request',
        reason: 'I[#/traits/email] S[#/properties/traits/properties/email/format] "x" is not valid "email"',
        message: 'The request was malformed or contained invalid parameters',
      },
    });
  });

  it('finds a schema by its id or by its id in base64url, and refuses other ids', () => {
    expect(schemas.has('default')).toBe(true);
    expect(schemas.has('ZGVmYXVsdA')).toBe(true);
    expect(schemas.has('')).toBe(true);
    expect(schemas.has('customer')).toBe(false);
    let error: unknown;
    try {
      schemas.validate('customer', { email: 'bob@example.com' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnknownSchemaError);
    expect((error as UnknownSchemaError).toHttpError().toJSON()).toEqual({
      error: {
        code: 400,
        status: 'Bad Request',
        reason: 'Unable to find JSON Schema ID: customer',
        message: 'The request was malformed or contained invalid parameters',
      },
    });
  });
});

describe('checks the ory.sh/kratos extension adds while validating', () => {
  it('checks an address verified by email as an e-mail address even without a format', async () => {
    const loose = await loadInline(
      traitsSchema({ email: { type: 'string', 'ory.sh/kratos': { verification: { via: 'email' } } } }),
    );
    expect(() => loose.validate('default', { email: 'bob' })).toThrow(
      'I[#/traits/email] S[#/properties/traits/properties/email/format] "bob" is not valid "email"',
    );
    expect(loose.validateTraits('default', { email: 'Bob@Example.com' }).verifiableAddresses).toEqual([
      { value: 'bob@example.com', via: 'email' },
    ]);
  });

  it('reports both the format keyword and the verification extension, as Kratos does', async () => {
    const verified = await loadInline(
      traitsSchema({
        email: { type: 'string', format: 'email', 'ory.sh/kratos': { verification: { via: 'email' } } },
      }),
    );
    expect(() => verified.validate('default', { email: 'x' })).toThrow(
      [
        'I[#/traits/email] S[#/properties/traits/properties/email] validation failed',
        '  I[#/traits/email] S[#/properties/traits/properties/email/format] "x" is not valid "email"',
        '  I[#/traits/email] S[#/properties/traits/properties/email/format] "x" can not be normalized for format "email"',
      ].join('\n'),
    );
  });

  it('refuses an address verified by sms when the schema gives no format', async () => {
    const phone = await loadInline(
      traitsSchema({ phone: { type: 'string', 'ory.sh/kratos': { verification: { via: 'sms' } } } }),
    );
    expect(() => phone.validate('default', { phone: '+4917667111638' })).toThrow(
      /^I\[#\/traits\/phone\] S\[#\/properties\/traits\/properties\/phone\/format\] no format specified/,
    );
  });

  it('refuses an e-mail code identifier that cannot be normalised', async () => {
    const code = await loadInline(
      traitsSchema({
        email: {
          type: 'string',
          'ory.sh/kratos': { credentials: { code: { identifier: true, via: 'email' } } },
        },
      }),
    );
    expect(() => code.validate('default', { email: 'bob\u200b@example.com' })).toThrow(
      'I[#/traits/email] S[#/properties/traits/properties/email/format] "bob\\u200b@example.com" can not be normalized for format "email"',
    );
  });

  it('lets a no-validate format through, with the schema pattern as the only gate', async () => {
    const lax = await loadInline(
      traitsSchema({
        handle: {
          type: 'string',
          format: 'no-validate',
          pattern: '^@',
          'ory.sh/kratos': { verification: { via: 'email' }, recovery: { via: 'email' } },
        },
      }),
    );
    expect(lax.validateTraits('default', { handle: '@Bob' })).toMatchObject({
      verifiableAddresses: [{ value: '@bob', via: 'email' }],
      recoveryAddresses: [{ value: '@bob', via: 'email' }],
    });
    expect(() => lax.validate('default', { handle: 'bob' })).toThrow('does not match pattern "^@"');
  });

  it('admits e-mail addresses Kratos admits and ajv-formats would not', async () => {
    expect(() => schemas.validate('default', { email: 'root@localhost' })).not.toThrow();
    expect(() => schemas.validate('default', { email: 'дмитрий@example.com' })).not.toThrow();
    expect(() => schemas.validate('default', { email: 'a..b@example.com' })).toThrow('is not valid "email"');
    expect(() => schemas.validate('default', { email: 'bob@-example.com' })).toThrow('is not valid "email"');
  });
});
