import { type JsonWebKeySet, type JWK, publicPart } from './json-web-key.js';

/**
 * How long verifiers may cache the published set (`Cache-Control: max-age`). A key added in a
 * rotation must be published at least this long, plus the nodes' re-read interval, before it
 * starts signing: docs/keys.md.
 */
export const JWKS_MAX_AGE_SECONDS = 60;

/**
 * What may be published of one or more key sets: the public half of every asymmetric key, kids
 * exactly as in the files, duplicates (same kid and key) listed once. Symmetric keys and private
 * members never appear.
 */
export function publicKeySet(sets: readonly JsonWebKeySet[]): { keys: JWK[] } {
  const keys: JWK[] = [];
  const seen = new Set<string>();
  for (const set of sets) {
    for (const jwk of set.keys) {
      const part = publicPart(jwk);
      if (!part) continue;
      const identity = JSON.stringify(part);
      if (seen.has(identity)) continue;
      seen.add(identity);
      keys.push(part);
    }
  }
  return { keys };
}
