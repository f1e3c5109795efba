import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ConfigProblem } from './config-error.js';
import type { SchemaNode } from './json-schema-walk.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule.default;

/** Compiles a config schema. Strict about the schema itself, so a typo in our copy fails loudly. */
export function compileConfigSchema(schema: SchemaNode): ValidateFunction {
  const ajv = new Ajv({
    strict: true,
    // Ory's schemas rely on keywords that draft-07 allows without a `type` beside them.
    strictTypes: false,
    strictRequired: false,
    allErrors: true,
    // Keeps each error's parent schema, which lists the keys allowed where an unknown one was found.
    verbose: true,
    allowUnionTypes: true,
    // Defaults are applied beforehand by applySchemaDefaults, with Ory's semantics.
    useDefaults: false,
    keywords: ['x-gatehouse'],
  });
  addFormats(ajv);
  return ajv.compile(schema);
}

const NOISY_KEYWORDS = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'not', 'then', 'else']);

/** Turns ajv's errors into one problem per key, most specific first. Never quotes a value. */
export function describeSchemaErrors(errors: ErrorObject[]): { path: string[]; message: string }[] {
  const specific = errors.filter((error) => !NOISY_KEYWORDS.has(error.keyword));
  const chosen = specific.length > 0 ? specific : errors;
  const seen = new Set<string>();
  const problems: { path: string[]; message: string }[] = [];
  for (const error of chosen) {
    const path = error.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    const described = describe(error, path);
    const key = `${described.path.join('.')}\u0000${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(described);
  }
  // Deeper paths first: they say more precisely what to change.
  return problems.sort((a, b) => b.path.length - a.path.length);
}

function describe(error: ErrorObject, path: string[]): { path: string[]; message: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as SchemaNode | undefined)?.properties ?? {}).sort();
      return {
        path: [...path, String(params.additionalProperty)],
        message: allowed.length > 0 ? `unknown key; allowed here: ${allowed.join(', ')}` : 'unknown key',
      };
    }
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required but missing' };
    case 'type':
      return { path, message: `must be ${article(String(params.type))}` };
    case 'enum':
      return {
        path,
        message: `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern': {
      const pattern = String(params.pattern);
      if (pattern.includes('(ns|us|ms|s|m|h)')) {
        return { path, message: 'must be a duration with a unit, such as "30s", "15m" or "720h"' };
      }
      if (pattern.includes('(B|KB|MB'))
        return { path, message: 'must be a size with a unit, such as "128MB"' };
      return { path, message: `must match the pattern ${pattern}` };
    }
    case 'format':
      return { path, message: `must be a valid ${String(params.format)}` };
    case 'minLength':
      return { path, message: `must be at least ${String(params.limit)} characters long` };
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters long` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `must be ${String(params.comparison)} ${String(params.limit)}` };
    case 'minItems':
      return { path, message: `must list at least ${String(params.limit)} item(s)` };
    case 'uniqueItems':
      return { path, message: 'must not list the same item twice' };
    default:
      return { path, message: error.message ?? `fails the schema's "${error.keyword}" rule` };
  }
}

function article(types: string): string {
  return types
    .split(',')
    .map((type) =>
      type === 'object'
        ? 'a map'
        : type === 'array'
          ? 'a list'
          : type === 'integer'
            ? 'a whole number'
            : `a ${type}`,
    )
    .join(' or ');
}

export type { ConfigProblem };
