import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IdentitySchemas, loadIdentitySchemas } from '../../../src/identity/schema/identity-schemas.js';

export const PORTAL_SCHEMA = new URL(
  '../../../../shared/reference/portal/identity.schema.json',
  import.meta.url,
).pathname;
export const PORTAL_KRATOS_YML = new URL(
  '../../../../shared/reference/portal/kratos.yml.sample',
  import.meta.url,
).pathname;

/** This test run's temporary folder for schema files. */
export const schemaDir = mkdtempSync(join(tmpdir(), 'gatehouse-schema-'));

export function writeSchemaFile(name: string, content: unknown): string {
  const path = join(schemaDir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

export function base64Url(schema: unknown): string {
  return `base64://${Buffer.from(JSON.stringify(schema)).toString('base64')}`;
}

/** A draft-07 identity schema whose traits are `properties` (required as given). */
export function traitsSchema(properties: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { traits: { type: 'object', properties, ...extra } },
  };
}

/** Loads one schema, id `default`, given inline. */
export function loadInline(schema: unknown): Promise<IdentitySchemas> {
  return loadIdentitySchemas({
    defaultSchemaId: 'default',
    schemas: [{ id: 'default', url: base64Url(schema) }],
    cwd: schemaDir,
  });
}
