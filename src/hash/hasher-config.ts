import { availableParallelism } from 'node:os';
import { parseByteSize } from '../config/byte-size.js';
import { ConfigError, type ConfigProblem } from '../config/config-error.js';
import { parseDuration } from '../config/duration.js';
import { getPath, type JsonObject } from '../config/object-path.js';
import { ARGON2_LIMITS } from './formats/argon2.js';
import { BCRYPT_LIMITS } from './formats/bcrypt.js';

/** The algorithms new hashes are made with (`hashers.algorithm`). */
export type HashAlgorithm = 'argon2' | 'bcrypt';

export interface Argon2Config {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  saltLength: number;
  keyLength: number;
  /** Memory that all concurrent hashes together may use; it bounds the worker pool. */
  dedicatedMemoryBytes: number;
  expectedDurationMs: number;
  expectedDeviationMs: number;
}

export interface BcryptConfig {
  cost: number;
}

/** How passwords are hashed: `hashers.*` of the Kratos config. */
export interface HasherConfig {
  algorithm: HashAlgorithm;
  argon2: Argon2Config;
  bcrypt: BcryptConfig;
}

/** Kratos' default cost, and the least it accepts outside dev mode. */
export const BCRYPT_DEFAULT_COST = 12;

export interface ReadHasherConfigOptions {
  /** CPUs of this machine; the argon2 parallelism default depends on it. */
  cpus?: number;
}

/**
 * Reads `hashers` from a loaded Kratos config. The fallbacks repeat the schema's defaults, so a
 * document that did not pass through the loader reads the same.
 *
 * `hashers.algorithm` is taken as the document says: the legacy-key rewrite has already set it to
 * `argon2` for configs that give only `hashers.argon2`.
 *
 * Throws a ConfigError when the configured algorithm would make hashes outside the bounds that
 * verification enforces: every such password would be locked out right after it was set.
 */
export function readHasherConfig(document: JsonObject, options: ReadHasherConfigOptions = {}): HasherConfig {
  const argon2 = (key: string) => getPath(document, ['hashers', 'argon2', key]);
  const cpus = options.cpus ?? availableParallelism();
  const dev = document.dev === true;
  const cost =
    (getPath(document, ['hashers', 'bcrypt', 'cost']) as number | undefined) ?? BCRYPT_DEFAULT_COST;
  const config: HasherConfig = {
    algorithm: (getPath(document, ['hashers', 'algorithm']) as HashAlgorithm | undefined) ?? 'bcrypt',
    argon2: {
      memoryKiB: Math.floor(parseByteSize((argon2('memory') as string | undefined) ?? '128MB') / 1024),
      iterations: (argon2('iterations') as number | undefined) ?? 1,
      // As Kratos: twice the CPUs when not set (the schema has no default for it), but no more
      // than verification accepts.
      parallelism:
        (argon2('parallelism') as number | undefined) ?? Math.min(2 * cpus, ARGON2_LIMITS.parallelism.max),
      saltLength: (argon2('salt_length') as number | undefined) ?? 16,
      keyLength: (argon2('key_length') as number | undefined) ?? 32,
      dedicatedMemoryBytes: parseByteSize((argon2('dedicated_memory') as string | undefined) ?? '1GB'),
      expectedDurationMs: parseDuration((argon2('expected_duration') as string | undefined) ?? '500ms'),
      expectedDeviationMs: parseDuration((argon2('expected_deviation') as string | undefined) ?? '500ms'),
    },
    // As Kratos: a cost below 12 only counts in dev mode; otherwise 12 is used.
    bcrypt: { cost: dev ? cost : Math.max(cost, BCRYPT_DEFAULT_COST) },
  };
  const problems = unverifiable(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function unverifiable(config: HasherConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (key: string, message: string) => problems.push({ path: `hashers.${key}`, message });
  if (config.algorithm === 'bcrypt') {
    if (config.bcrypt.cost > BCRYPT_LIMITS.maxCost) {
      problem(
        'bcrypt.cost',
        `must be at most ${BCRYPT_LIMITS.maxCost}: gatehouse verifies no costlier bcrypt hash`,
      );
    }
    return problems;
  }
  const { memoryKiB, iterations, parallelism } = config.argon2;
  const { maxMemoryKiB, iterations: t, parallelism: p } = ARGON2_LIMITS;
  const beyond = 'gatehouse verifies no argon2 hash beyond that';
  if (memoryKiB > maxMemoryKiB)
    problem('argon2.memory', `must be at most 1GB (${maxMemoryKiB}KB): ${beyond}`);
  if (iterations > t.max) problem('argon2.iterations', `must be at most ${t.max}: ${beyond}`);
  if (parallelism > p.max) problem('argon2.parallelism', `must be at most ${p.max}: ${beyond}`);
  if (memoryKiB < 8 * parallelism) {
    problem('argon2.memory', 'must be at least 8KB per lane (argon2.parallelism × 8KB)');
  }
  return problems;
}
