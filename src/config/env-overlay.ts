import { ConfigError, type ConfigProblem, type ValueOrigin } from './config-error.js';
import { listSchemaPaths, type SchemaNode, schemaTypes } from './json-schema-walk.js';

/** One value taken from the environment: where it goes and where it came from. */
export interface EnvValue {
  /** Real key path; array indexes are numbers. */
  path: (string | number)[];
  value: unknown;
  origin: ValueOrigin;
}

interface EnvTarget {
  segments: string[];
  nodes: SchemaNode[];
  /** Matches the normalised variable name; `#` segments capture an index. */
  pattern: RegExp;
}

/**
 * Index of the environment variable names a schema accepts, by Ory's rule: lower-case the name,
 * read every `_` as `.`, and compare with each schema path whose `_` are read as `.` too. So
 * `SERVE_PUBLIC_BASE_URL` sets `serve.public.base_url` and `SECRETS_COOKIE_0` sets `secrets.cookie[0]`.
 */
export class EnvIndex {
  private readonly exact = new Map<string, EnvTarget>();
  private readonly indexed: EnvTarget[] = [];

  constructor(private readonly schema: SchemaNode) {
    for (const { segments, nodes } of listSchemaPaths(schema).values()) {
      const normalised = segments.map((segment) =>
        segment === '#' ? '#' : segment.replace(/_/g, '.').toLowerCase(),
      );
      const target: EnvTarget = {
        segments,
        nodes,
        pattern: new RegExp(
          `^${normalised.map((segment) => (segment === '#' ? '(\\d+)' : escapeRegExp(segment))).join('\\.')}$`,
        ),
      };
      if (segments.includes('#')) this.indexed.push(target);
      else this.exact.set(normalised.join('.'), target);
    }
  }

  /** The values the given environment sets; unknown names are ignored, as Ory does. */
  read(env: NodeJS.ProcessEnv): EnvValue[] {
    const values: EnvValue[] = [];
    const problems: ConfigProblem[] = [];
    // Sorted so that `SECRETS_COOKIE` (whole list) comes before `SECRETS_COOKIE_0` (one item).
    for (const name of Object.keys(env).sort()) {
      const raw = env[name];
      if (raw === undefined) continue;
      const key = name.toLowerCase().replace(/_/g, '.');
      let target = this.exact.get(key);
      let path: (string | number)[] | undefined = target?.segments;
      if (!target) {
        for (const candidate of this.indexed) {
          const match = candidate.pattern.exec(key);
          if (!match) continue;
          let group = 1;
          path = candidate.segments.map((segment) => (segment === '#' ? Number(match[group++]) : segment));
          target = candidate;
          break;
        }
      }
      if (!target || !path) continue;
      const origin: ValueOrigin = { kind: 'env', name };
      try {
        values.push({ path, value: castEnvValue(this.schema, target.nodes, raw), origin });
      } catch (error) {
        problems.push({ path: formatPath(path), message: (error as Error).message, origin });
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return values;
  }
}

function castEnvValue(root: SchemaNode, nodes: SchemaNode[], raw: string): unknown {
  const types = new Set(nodes.flatMap((node) => schemaTypes(root, node)));
  if (types.has('string') || types.size === 0) {
    // A value that only makes sense as JSON (object or list) is parsed when the schema allows it.
    if (types.size === 0 && /^\s*[[{]/.test(raw)) return parseJson(raw);
    return raw;
  }
  if (types.has('boolean')) {
    if (/^(1|t|true)$/i.test(raw)) return true;
    if (/^(0|f|false)$/i.test(raw)) return false;
    throw new Error(`expected true or false, got "${raw}"`);
  }
  if (types.has('integer')) {
    if (!/^[-+]?\d+$/.test(raw.trim())) throw new Error(`expected a whole number, got "${raw}"`);
    return Number(raw);
  }
  if (types.has('number')) {
    const number = Number(raw);
    if (raw.trim() === '' || Number.isNaN(number)) throw new Error(`expected a number, got "${raw}"`);
    return number;
  }
  if (types.has('array')) {
    if (/^\s*\[/.test(raw)) return parseJson(raw);
    return raw === '' ? [] : raw.split(',').map((item) => item.trim());
  }
  if (types.has('object')) return parseJson(raw);
  return raw;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new Error(`expected JSON: ${(error as Error).message}`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `serve.public.port`, `secrets.cookie[0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
