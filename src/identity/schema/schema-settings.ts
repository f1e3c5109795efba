import { getPath, isPlainObject } from '../../config/object-path.js';
import type { IdentitySchemaSettings } from './identity-schemas.js';

/**
 * `identity.default_schema_id` and `identity.schemas` of a validated Kratos config document
 * (legacy `identity.default_schema_url` already rewritten into them by the config loader).
 */
export function readIdentitySchemaSettings(document: unknown): IdentitySchemaSettings {
  const configured = getPath(document, ['identity', 'schemas']);
  const schemas = (Array.isArray(configured) ? configured : []).filter(isPlainObject).map((entry) => ({
    id: String(entry.id),
    url: String(entry.url),
    selfserviceSelectable: entry.selfservice_selectable === true,
  }));
  const defaultSchemaId = getPath(document, ['identity', 'default_schema_id']);
  return { defaultSchemaId: typeof defaultSchemaId === 'string' ? defaultSchemaId : 'default', schemas };
}
