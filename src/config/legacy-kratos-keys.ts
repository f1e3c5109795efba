import type { ConfigProblem } from './config-error.js';
import { deletePath, getPath, hasPath, isPlainObject, type JsonObject, setPath } from './object-path.js';

/** Records that a value moved from one key path to another, so errors still point at its line. */
export type MoveOrigin = (from: string[], to: string[]) => ConfigProblem['origin'];

/**
 * Rewrites keys of Kratos v0.5-era configs to today's layout, in place. Today's schema rejects
 * those keys outright, so this runs before validation. Returns one warning per rewritten key.
 *
 * Every rewrite keeps what the old key meant; none changes behaviour except where the old
 * default differs from the new one, and then the old behaviour is kept and the warning says so.
 */
export function rewriteLegacyKratosKeys(data: JsonObject, moveOrigin: MoveOrigin): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const warn = (from: string[], to: string[], message: string) => {
    warnings.push({ path: from.join('.'), message, origin: moveOrigin(from, to) });
  };

  const whitelisted = ['selfservice', 'whitelisted_return_urls'];
  if (hasPath(data, whitelisted)) {
    const target = ['selfservice', 'allowed_return_urls'];
    const old = asList(getPath(data, whitelisted));
    const current = asList(getPath(data, target));
    setPath(data, target, [...new Set([...current, ...old])]);
    deletePath(data, whitelisted);
    warn(
      whitelisted,
      target,
      'renamed in Kratos v0.6: read as selfservice.allowed_return_urls; rename the key',
    );
  }

  const schemaUrl = ['identity', 'default_schema_url'];
  if (hasPath(data, schemaUrl)) {
    const url = getPath(data, schemaUrl);
    deletePath(data, schemaUrl);
    const schemas = asObjectList(getPath(data, ['identity', 'schemas']));
    if (!schemas.some((schema) => schema.id === 'default')) schemas.unshift({ id: 'default', url });
    setPath(data, ['identity', 'schemas'], schemas);
    if (!hasPath(data, ['identity', 'default_schema_id']))
      setPath(data, ['identity', 'default_schema_id'], 'default');
    warn(
      schemaUrl,
      ['identity', 'schemas', '0', 'url'],
      'replaced in Kratos v0.6: read as identity.schemas [{id: default, url: ...}] with identity.default_schema_id: default; existing identities keep the schema id "default"',
    );
  }

  const password = getPath(data, ['password']);
  if (isPlainObject(password)) {
    for (const [key, value] of Object.entries(password)) {
      const target = ['selfservice', 'methods', 'password', 'config', key];
      if (!hasPath(data, target)) setPath(data, target, value);
      warn(['password', key], target, `moved in Kratos v0.6: read as ${target.join('.')}; move the key`);
    }
    deletePath(data, ['password']);
  }

  const argon2 = getPath(data, ['hashers', 'argon2']);
  if (isPlainObject(argon2)) {
    if (typeof argon2.memory === 'number') {
      const kibibytes = argon2.memory;
      argon2.memory = `${kibibytes}KB`;
      warn(
        ['hashers', 'argon2', 'memory'],
        ['hashers', 'argon2', 'memory'],
        `a plain number (KiB) is a Kratos v0.5 value: read as "${kibibytes}KB"; write it with a unit`,
      );
    }
    if (!hasPath(data, ['hashers', 'algorithm'])) {
      setPath(data, ['hashers', 'algorithm'], 'argon2');
      warn(
        ['hashers', 'argon2'],
        ['hashers', 'argon2'],
        'hashers.algorithm is not set; Kratos v0.5 hashed with argon2 then, so gatehouse keeps argon2 (today the default would be bcrypt and every password would be rehashed at next login); set hashers.algorithm explicitly',
      );
    }
  }

  // In v0.5 the link method was on by default and was the only way to recover or verify an
  // account; today code is the default. Configs written for v0.5 keep sending links.
  const version = getPath(data, ['version']);
  if (typeof version === 'string' && /^v0\.[0-5]\./.test(version)) {
    for (const flow of ['recovery', 'verification']) {
      const enabled = getPath(data, ['selfservice', 'flows', flow, 'enabled']) === true;
      if (!enabled || hasPath(data, ['selfservice', 'flows', flow, 'use'])) continue;
      setPath(data, ['selfservice', 'flows', flow, 'use'], 'link');
      if (!hasPath(data, ['selfservice', 'methods', 'link', 'enabled'])) {
        setPath(data, ['selfservice', 'methods', 'link', 'enabled'], true);
      }
      warn(
        ['selfservice', 'flows', flow],
        ['selfservice', 'flows', flow],
        `config is for Kratos ${version}, which sent ${flow} links: read as selfservice.flows.${flow}.use: link; set it (or "code") explicitly`,
      );
    }
  }
  return warnings;
}

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

function asObjectList(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}
