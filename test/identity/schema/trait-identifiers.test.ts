import { describe, expect, it } from 'vitest';
import { extractTraitIdentifiers } from '../../../src/identity/schema/trait-identifiers.js';
import { loadInline, traitsSchema } from './schema-fixtures.js';

const EVERYTHING = {
  credentials: { password: { identifier: true } },
  verification: { via: 'email' },
  recovery: { via: 'email' },
};

describe('identifiers and addresses from ory.sh/kratos annotations', () => {
  it('reads a trait that is an array of e-mail addresses, annotated on its items', async () => {
    const schemas = await loadInline(
      traitsSchema({
        emails: { type: 'array', items: { type: 'string', format: 'email', 'ory.sh/kratos': EVERYTHING } },
      }),
    );
    expect(schemas.get('default').annotations.map((a) => [a.pointer, a.schemaPointer])).toEqual([
      ['#/traits/emails/*', '#/properties/traits/properties/emails/items'],
    ]);
    expect(
      schemas.validateTraits('default', {
        emails: ['Ann@Example.com', 'bob@example.com', 'ann@example.COM'],
      }),
    ).toEqual({
      passwordIdentifiers: ['ann@example.com', 'bob@example.com'],
      codeIdentifiers: [],
      verifiableAddresses: [
        { value: 'ann@example.com', via: 'email' },
        { value: 'bob@example.com', via: 'email' },
      ],
      recoveryAddresses: [
        { value: 'ann@example.com', via: 'email' },
        { value: 'bob@example.com', via: 'email' },
      ],
    });
    expect(() => schemas.validate('default', { emails: ['ann@example.com', 'nope'] })).toThrow(
      'I[#/traits/emails/1] S[#/properties/traits/properties/emails/items/format] "nope" is not valid "email"',
    );
  });

  it('follows $ref, allOf and nested objects to the annotated trait', async () => {
    const schemas = await loadInline({
      ...traitsSchema({
        contact: { type: 'object', properties: { email: { $ref: '#/definitions/address' } } },
        username: {
          allOf: [
            { type: 'string' },
            { 'ory.sh/kratos': { credentials: { password: { identifier: true } } } },
          ],
        },
      }),
      definitions: { address: { type: 'string', format: 'email', 'ory.sh/kratos': EVERYTHING } },
    });
    expect(schemas.get('default').annotations.map((a) => [a.pointer, a.schemaPointer])).toEqual([
      ['#/traits/contact/email', '#/definitions/address'],
      ['#/traits/username', '#/properties/traits/properties/username/allOf/1'],
    ]);
    expect(
      schemas.validateTraits('default', { contact: { email: 'Ann@example.com' }, username: 'Ann' }),
    ).toMatchObject({
      passwordIdentifiers: ['ann@example.com', 'ann'],
      verifiableAddresses: [{ value: 'ann@example.com', via: 'email' }],
    });
  });

  it('collects code identifiers sorted by address, then channel, as Kratos stores them', async () => {
    const schemas = await loadInline(
      traitsSchema({
        email: {
          type: 'string',
          format: 'email',
          'ory.sh/kratos': { credentials: { code: { identifier: true, via: 'email' } } },
        },
        phone: {
          type: 'string',
          format: 'tel',
          'ory.sh/kratos': { credentials: { code: { identifier: true, via: 'sms' } } },
        },
      }),
    );
    expect(
      schemas.validateTraits('default', { email: 'Zed@example.com', phone: '+4917667111638' }),
    ).toMatchObject({
      passwordIdentifiers: [],
      codeIdentifiers: [
        { value: '+4917667111638', via: 'sms' },
        { value: 'zed@example.com', via: 'email' },
      ],
    });
    expect(() => schemas.validate('default', { email: 'zed@example.com', phone: 'call me' })).toThrow(
      'I[#/traits/phone] S[#/properties/traits/properties/phone/format] "call me" is not valid "tel"',
    );
  });

  it('is a pure function of annotations and traits: unusable values are skipped, never thrown about', () => {
    const annotations = [
      {
        path: [
          { kind: 'property' as const, name: 'traits' },
          { kind: 'property' as const, name: 'id' },
        ],
        pointer: '#/traits/id',
        schemaPointer: '#/properties/traits/properties/id',
        passwordIdentifier: true,
        recoveryVia: 'email' as const,
      },
    ];
    expect(extractTraitIdentifiers(annotations, { id: 4711 })).toEqual({
      passwordIdentifiers: ['4711'],
      codeIdentifiers: [],
      verifiableAddresses: [],
      recoveryAddresses: [],
    });
    expect(extractTraitIdentifiers(annotations, { id: { nested: true } }).passwordIdentifiers).toEqual([]);
    expect(extractTraitIdentifiers(annotations, 'no traits').passwordIdentifiers).toEqual([]);
  });
});
