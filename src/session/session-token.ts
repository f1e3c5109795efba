import { createHash } from 'node:crypto';
import type { RandomSource } from '../random.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A token as Kratos makes them: a prefix (`ory_st_` session, `ory_lo_` logout) and 32 random
 * alphanumerics, about 190 bits. Bytes at or above 248 are skipped so every character is equally
 * likely (248 = 4 × 62).
 */
export function newToken(prefix: 'ory_st_' | 'ory_lo_', random: RandomSource): string {
  let token = prefix;
  while (token.length < prefix.length + 32) {
    for (const byte of random.bytes(48)) {
      if (byte >= 248) continue;
      token += ALPHABET[byte % 62];
      if (token.length === prefix.length + 32) break;
    }
  }
  return token;
}

/** What is stored instead of a token: its SHA-256, so a copy of the table signs nobody in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
