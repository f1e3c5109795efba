import { createHash, createHmac } from 'node:crypto';
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

/**
 * The logout token that belongs to a session token. Kratos hands out one logout token per session,
 * the same on every `GET /self-service/logout/browser`; gatehouse keeps no token in the clear, so
 * it derives that token instead: 32 alphanumerics drawn (as newToken draws them) from an
 * HMAC-SHA256 stream keyed with the session token. It is stable for the session's life, so a
 * logout link rendered earlier in another tab keeps working; nobody without the session token can
 * compute it; and, being one-way, it gives nothing of the session token away.
 */
export function logoutTokenFor(sessionToken: string): string {
  let block = 0;
  const stream: RandomSource = {
    bytes(length) {
      const chunks: Buffer[] = [];
      for (let have = 0; have < length; have += 32) {
        chunks.push(createHmac('sha256', sessionToken).update(`gatehouse logout token ${block++}`).digest());
      }
      return Buffer.concat(chunks).subarray(0, length);
    },
    uuid() {
      throw new Error('logoutTokenFor: a token stream makes no uuids');
    },
  };
  return newToken('ory_lo_', stream);
}
