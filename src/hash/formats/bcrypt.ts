import { type BcryptHash, type HashFormat, HashFormatError } from '../hash-format.js';

/** bcrypt reads only this many bytes of a password; the rest would be ignored without a word. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

// Kratos' bound on imported and compared hashes (each step doubles the work of a login); the
// least is bcrypt's own.
export const BCRYPT_LIMITS = { minCost: 4, maxCost: 15 } as const;

// Kratos reads all of these minor versions the same way (Go's bcrypt ignores the minor letter).
const PREFIX = /^\$2[abyz]?\$/;
const LAYOUT = /^\$(2[abyz]?)\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export const bcryptFormat: HashFormat<BcryptHash> = {
  algorithm: 'bcrypt',

  claims: (hash) => PREFIX.test(hash),

  parse(hash) {
    const match = LAYOUT.exec(hash);
    if (!match) {
      throw new HashFormatError(
        'malformed bcrypt hash: expected $2b$<two-digit cost>$ and 53 characters of salt and hash',
      );
    }
    const cost = Number(match[2]);
    const { minCost, maxCost } = BCRYPT_LIMITS;
    if (cost < minCost || cost > maxCost) {
      throw new HashFormatError(`bcrypt hash: cost ${cost} not within ${minCost}–${maxCost}`);
    }
    return { algorithm: 'bcrypt', variant: match[1] as BcryptHash['variant'], cost };
  },
};
