/** An argon2 PHC string's parameters (`$argon2id$v=19$m=…,t=…,p=…$salt$key`). */
export interface Argon2Hash {
  algorithm: 'argon2';
  variant: 'argon2id' | 'argon2i';
  version: 19;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  saltLength: number;
  keyLength: number;
}

/** A modular-crypt bcrypt hash's parameters (`$2b$12$…`). */
export interface BcryptHash {
  algorithm: 'bcrypt';
  variant: '2' | '2a' | '2b' | '2y' | '2z';
  cost: number;
}

/** What a stored hash says about how it was made. A new format adds its type here. */
export type ParsedHash = Argon2Hash | BcryptHash;

/** One hash format: how to recognise it and read its parameters. */
export interface HashFormat<T extends ParsedHash = ParsedHash> {
  /** What `parse` returns as `algorithm`. */
  readonly algorithm: T['algorithm'];
  /** Whether the hash claims to be in this format (by its prefix), well-formed or not. */
  claims(hash: string): boolean;
  /** The hash's parameters; throws a HashFormatError saying what is wrong. */
  parse(hash: string): T;
}

/**
 * A hash that gatehouse cannot verify: unknown format, malformed, or parameters out of bounds.
 * The message names the problem and never repeats the hash, which is credential material.
 */
export class HashFormatError extends Error {
  override name = 'HashFormatError';
}
