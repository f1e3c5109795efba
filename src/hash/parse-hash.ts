import { argon2Format } from './formats/argon2.js';
import { bcryptFormat } from './formats/bcrypt.js';
import { type HashFormat, HashFormatError, type ParsedHash } from './hash-format.js';

/** Every format gatehouse verifies; adding one is a module in formats/ and a line here. */
export const hashFormats: readonly HashFormat[] = [argon2Format, bcryptFormat];

const SUPPORTED = 'argon2id, argon2i, bcrypt ($2a$, $2b$, $2y$)';

/**
 * The format and parameters of a stored or imported hash. Throws a HashFormatError naming what is
 * wrong: the admin API answers it with 400, as Kratos does for a hash it cannot read.
 */
export function parseHash(hash: string): ParsedHash {
  const format = hashFormats.find((candidate) => candidate.claims(hash));
  if (format) return format.parse(hash);
  // Name the algorithm only when it looks like one, so that a secret pasted by mistake is not echoed.
  const named = /^\$([a-z0-9][a-z0-9-]{0,30})\$/.exec(hash)?.[1];
  throw new HashFormatError(
    named
      ? `unsupported hash algorithm "${named}"; supported: ${SUPPORTED}`
      : `unrecognised hash format; supported: ${SUPPORTED}`,
  );
}
