import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RandomSource } from '../random.js';
import { BCRYPT_MAX_PASSWORD_BYTES } from './formats/bcrypt.js';
import { HashFormatError, type ParsedHash } from './hash-format.js';
import type { Argon2Config, HashAlgorithm, HasherConfig } from './hasher-config.js';
import { needsRehash } from './needs-rehash.js';
import { parseHash } from './parse-hash.js';

/** A password bcrypt cannot hash whole. Kratos answers it with message 4000033 at registration. */
export class PasswordTooLongError extends Error {
  override name = 'PasswordTooLongError';
  readonly maxBytes = BCRYPT_MAX_PASSWORD_BYTES;

  constructor() {
    super(`the password is longer than ${BCRYPT_MAX_PASSWORD_BYTES} bytes, the most bcrypt can hash`);
  }
}

/** One hash or verification as the worker ran it; times are milliseconds since the epoch. */
export interface HashRun {
  operation: 'hash' | 'verify';
  algorithm: HashAlgorithm;
  startedAt: number;
  finishedAt: number;
}

export interface PasswordHasherOptions {
  config: HasherConfig;
  /** Salts come from here. */
  random: RandomSource;
  /** CPUs the pool may use; all of this machine's when not given. */
  cpus?: number;
  /** Sees every finished run, e.g. to warn when hashing takes longer than expected. */
  onRun?: (run: HashRun) => void;
}

/**
 * How many hashes may run at once: as many as fit in the dedicated memory at the configured
 * argon2 memory, but leaving one CPU to the event loop, and at least one.
 */
export function hashPoolSize(argon2: Argon2Config, cpus: number): number {
  const fitInMemory = Math.floor(argon2.dedicatedMemoryBytes / (argon2.memoryKiB * 1024));
  return Math.max(1, Math.min(fitInMemory, cpus - 1));
}

type Task =
  | {
      op: 'hash-argon2id';
      password: string;
      salt: Uint8Array;
      memoryKiB: number;
      iterations: number;
      parallelism: number;
      keyLength: number;
    }
  | { op: 'hash-bcrypt'; password: string; salt: Uint8Array; cost: number }
  | { op: 'verify-argon2' | 'verify-bcrypt'; password: string; hash: string };

interface Outcome<T> {
  value: T;
  startedAt: number;
  finishedAt: number;
}

// A plain .mjs next to this file, both in src/ (tests) and dist/ (copied by scripts/copy-assets.mjs).
const WORKER = fileURLToPath(new URL('./hash-worker.mjs', import.meta.url));

const BCRYPT_SALT_BYTES = 16;

/**
 * Hashes and verifies passwords on a pool of worker threads, never on the event loop: one argon2
 * hash takes hundreds of milliseconds. Tasks beyond the pool's size wait in its queue.
 */
export class PasswordHasher {
  /** How many hashes run at once at most. */
  readonly concurrency: number;
  readonly #config: HasherConfig;
  readonly #random: RandomSource;
  readonly #onRun: ((run: HashRun) => void) | undefined;
  readonly #pool: Piscina<Task, Outcome<string | boolean>>;

  constructor(options: PasswordHasherOptions) {
    this.#config = options.config;
    this.#random = options.random;
    this.#onRun = options.onRun;
    this.concurrency = hashPoolSize(options.config.argon2, options.cpus ?? availableParallelism());
    this.#pool = new Piscina({
      filename: WORKER,
      minThreads: this.concurrency,
      maxThreads: this.concurrency,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
  }

  /** A new hash with the configured algorithm; throws PasswordTooLongError for bcrypt over 72 bytes. */
  async hash(password: string): Promise<string> {
    const { algorithm, argon2, bcrypt } = this.#config;
    if (algorithm === 'bcrypt') {
      if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) throw new PasswordTooLongError();
      const salt = this.#random.bytes(BCRYPT_SALT_BYTES);
      return this.#run<string>('hash', algorithm, { op: 'hash-bcrypt', password, salt, cost: bcrypt.cost });
    }
    const task: Task = {
      op: 'hash-argon2id',
      password,
      salt: this.#random.bytes(argon2.saltLength),
      memoryKiB: argon2.memoryKiB,
      iterations: argon2.iterations,
      parallelism: argon2.parallelism,
      keyLength: argon2.keyLength,
    };
    return this.#run<string>('hash', algorithm, task);
  }

  /**
   * Whether the password matches the hash. A hash gatehouse cannot read (see parseHash) matches
   * nothing, as in Kratos, where any failure to compare is "wrong credentials".
   */
  async verify(password: string, hash: string): Promise<boolean> {
    let parsed: ParsedHash;
    try {
      parsed = parseHash(hash);
    } catch (error) {
      if (error instanceof HashFormatError) return false;
      throw error;
    }
    // bcrypt would compare only the first 72 bytes, so a longer password that starts like the
    // right one would pass. Kratos refuses the comparison.
    if (parsed.algorithm === 'bcrypt' && Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) {
      return false;
    }
    const op = parsed.algorithm === 'bcrypt' ? 'verify-bcrypt' : 'verify-argon2';
    return this.#run<boolean>('verify', parsed.algorithm, { op, password, hash });
  }

  /** Whether a hash that verified should be replaced with a new one (see needsRehash). */
  needsRehash(hash: string): boolean {
    return needsRehash(hash, this.#config);
  }

  /** Waits for queued work to finish, then stops the threads. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #run<T extends string | boolean>(
    operation: HashRun['operation'],
    algorithm: HashAlgorithm,
    task: Task,
  ): Promise<T> {
    const outcome = await this.#pool.run(task);
    this.#onRun?.({ operation, algorithm, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt });
    return outcome.value as T;
  }
}
