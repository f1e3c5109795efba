import { HashFormatError, type ParsedHash } from './hash-format.js';
import type { HasherConfig } from './hasher-config.js';
import { parseHash } from './parse-hash.js';

/**
 * Whether a hash that just verified should be replaced by a new one: it was made by another
 * algorithm than the configured one, or with weaker parameters. Stronger parameters are kept, so
 * that lowering the config does not rehash everyone. An unreadable hash always needs replacing.
 */
export function needsRehash(hash: string | ParsedHash, config: HasherConfig): boolean {
  let parsed: ParsedHash;
  try {
    parsed = typeof hash === 'string' ? parseHash(hash) : hash;
  } catch (error) {
    if (error instanceof HashFormatError) return true;
    throw error;
  }
  if (parsed.algorithm !== config.algorithm) return true;
  switch (parsed.algorithm) {
    case 'argon2': {
      const wanted = config.argon2;
      return (
        // New argon2 hashes are argon2id, which resists side channels and GPUs both.
        parsed.variant !== 'argon2id' ||
        parsed.memoryKiB < wanted.memoryKiB ||
        parsed.iterations < wanted.iterations ||
        parsed.parallelism < wanted.parallelism ||
        parsed.keyLength < wanted.keyLength
      );
    }
    case 'bcrypt':
      return parsed.cost < config.bcrypt.cost;
  }
}
