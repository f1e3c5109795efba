import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadIdentityConfig } from '../../../src/config/identity-config.js';
import { loadIdentitySchemas } from '../../../src/identity/schema/identity-schemas.js';
import { readIdentitySchemaSettings } from '../../../src/identity/schema/schema-settings.js';
import { TraitsValidationError } from '../../../src/identity/schema/traits-validation-error.js';
import { PORTAL_KRATOS_YML, PORTAL_SCHEMA } from './schema-fixtures.js';

async function loadPortal() {
  // The sample points at the path the portal's container mounts the schema at; read it from here.
  const settings = readIdentitySchemaSettings(
    loadIdentityConfig({ files: [PORTAL_KRATOS_YML], env: {}, dev: true }).document,
  );
  expect(settings).toEqual({
    defaultSchemaId: 'default',
    schemas: [
      { id: 'default', url: 'file:///etc/config/kratos/identity.schema.json', selfserviceSelectable: false },
    ],
  });
  return loadIdentitySchemas({
    defaultSchemaId: settings.defaultSchemaId,
    schemas: settings.schemas.map((schema) => ({ ...schema, url: `file://${PORTAL_SCHEMA}` })),
    cwd: '/',
  });
}

describe("the portal's identity schema", () => {
  it('loads as the default schema, its text kept as read', async () => {
    const schemas = await loadPortal();
    expect(schemas.defaultSchemaId).toBe('default');
    expect(schemas.list().map((schema) => schema.id)).toEqual(['default']);
    expect(schemas.get('default').raw).toBe(readFileSync(PORTAL_SCHEMA, 'utf8'));
  });

  it('annotates the email trait as a password identifier and recovery address', async () => {
    const [annotation, ...others] = (await loadPortal()).get('default').annotations;
    expect(others).toEqual([]);
    expect(annotation).toMatchObject({
      pointer: '#/traits/email',
      schemaPointer: '#/properties/traits/properties/email',
      format: 'email',
      passwordIdentifier: true,
      recoveryVia: 'email',
    });
    // The portal's schema carries no `verification.via`, so Kratos creates no verifiable address.
    expect(annotation?.verificationVia).toBeUndefined();
  });

  it('makes alice@example.com the identifier and recovery address of Alice@Example.com', async () => {
    const schemas = await loadPortal();
    expect(schemas.validateTraits('default', { email: 'Alice@Example.com' })).toEqual({
      passwordIdentifiers: ['alice@example.com'],
      codeIdentifiers: [],
      verifiableAddresses: [],
      recoveryAddresses: [{ value: 'alice@example.com', via: 'email' }],
    });
  });

  it('refuses traits without an email, or with one that is no address, naming the trait', async () => {
    const schemas = await loadPortal();
    expect(() => schemas.validate('default', {})).toThrow(
      'I[#/traits] S[#/properties/traits/required] missing properties: "email"',
    );
    let error: unknown;
    try {
      schemas.validate('default', { email: 'not-an-address' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TraitsValidationError);
    // The format keyword and the recovery extension both refuse it; Kratos says it once per place.
    expect((error as Error).message).toBe(
      'I[#/traits/email] S[#/properties/traits/properties/email/format] "not-an-address" is not valid "email"',
    );
  });
});
