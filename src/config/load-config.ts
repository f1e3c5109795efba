import type { ValidateFunction } from 'ajv';
import { ConfigError, type ConfigProblem, type ValueOrigin } from './config-error.js';
import { readConfigFile } from './config-file.js';
import { type EnvIndex, formatPath } from './env-overlay.js';
import type { SchemaNode } from './json-schema-walk.js';
import { deepMerge, type JsonObject, setPath } from './object-path.js';
import { applySchemaDefaults } from './schema-defaults.js';
import { describeSchemaErrors } from './schema-validation.js';

/** A compiled config schema and its environment-variable index, built once per process. */
export interface ConfigSchema {
  name: string;
  schema: SchemaNode;
  validate: ValidateFunction;
  env: EnvIndex;
}

export interface LoadConfigOptions {
  /** Files in order; later files win key by key. */
  files: readonly string[];
  /** Layers below the files (embedded defaults), e.g. the `--dev` defaults. */
  base?: JsonObject;
  /** Values from flags, applied after the environment. */
  flags?: { path: string[]; value: unknown; name: string }[];
  env: NodeJS.ProcessEnv;
  /** Rewrites of outdated keys, run on the file layers before the environment is applied. */
  rewriteLegacy?: (
    data: JsonObject,
    moveOrigin: (from: string[], to: string[]) => ValueOrigin | undefined,
  ) => ConfigProblem[];
}

export interface LoadedConfig {
  /** The validated document, schema defaults filled in. */
  document: JsonObject;
  warnings: ConfigProblem[];
  /** Where a key path's value came from (nearest described ancestor). */
  originOf(path: readonly (string | number)[]): ValueOrigin | undefined;
}

/**
 * Loads a config the way Ory's binaries do: schema defaults, then files, then environment
 * variables, then flags; then validates the result against the schema. Every problem names
 * where the value came from (file and line, or variable name) and the key path.
 */
export function loadConfig(schema: ConfigSchema, options: LoadConfigOptions): LoadedConfig {
  const origins = new Map<string, ValueOrigin>();
  let data: JsonObject = structuredClone(options.base ?? {});

  for (const file of options.files) {
    const parsed = readConfigFile(file);
    for (const [path, line] of parsed.lines) origins.set(path, { kind: 'file', file, line });
    data = deepMerge(data, parsed.data);
  }

  const originOf = (path: readonly (string | number)[]): ValueOrigin | undefined => {
    for (let length = path.length; length > 0; length--) {
      const origin = origins.get(path.slice(0, length).join('.'));
      if (origin) return origin;
    }
    return options.files.length > 0
      ? { kind: 'file', file: options.files[options.files.length - 1]! }
      : undefined;
  };

  const warnings =
    options.rewriteLegacy?.(data, (from, to) => {
      const origin = originOf(from);
      if (origin) origins.set(to.join('.'), origin);
      return origin;
    }) ?? [];

  const overrides = [
    ...schema.env.read(options.env),
    ...(options.flags ?? []).map((flag) => ({
      path: flag.path,
      value: flag.value,
      origin: { kind: 'flag', name: flag.name } as ValueOrigin,
    })),
  ];
  for (const { path, value, origin } of overrides) {
    const dotted = path.join('.');
    for (const key of origins.keys()) if (key === dotted || key.startsWith(`${dotted}.`)) origins.delete(key);
    origins.set(dotted, origin);
    setPath(data, path, value);
  }

  applySchemaDefaults(schema.schema, data);
  if (!schema.validate(data)) {
    const problems = describeSchemaErrors(schema.validate.errors ?? []).map((problem) => ({
      path: formatPath(problem.path),
      message: problem.message,
      origin: originOf(problem.path),
    }));
    throw new ConfigError(problems);
  }
  return { document: data, warnings, originOf };
}
