import { readFileSync } from 'node:fs';
import { EnvIndex } from './env-overlay.js';
import type { SchemaNode } from './json-schema-walk.js';
import type { ConfigSchema } from './load-config.js';
import { compileConfigSchema } from './schema-validation.js';

export type ConfigFormat = 'kratos' | 'oathkeeper';

const compiled = new Map<ConfigFormat, ConfigSchema>();

/**
 * gatehouse's copy of the Kratos or Oathkeeper config schema, compiled. Compiling takes a while,
 * so each is built on first use and kept: it depends on nothing but the schema file.
 */
export function configSchema(format: ConfigFormat): ConfigSchema {
  let schema = compiled.get(format);
  if (!schema) {
    const document = JSON.parse(
      readFileSync(new URL(`./schemas/${format}.config.schema.json`, import.meta.url), 'utf8'),
    ) as SchemaNode;
    schema = {
      name: format,
      schema: document,
      validate: compileConfigSchema(document),
      env: new EnvIndex(document),
    };
    compiled.set(format, schema);
  }
  return schema;
}
