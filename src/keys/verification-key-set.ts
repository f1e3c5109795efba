import { createPublicKey, type KeyObject } from 'node:crypto';
import { describeKey, type JsonWebKeySet, type JWK, publicPart } from './json-web-key.js';
import { KeySetError } from './key-set-error.js';
import { checkKeys } from './signing-key-set.js';

/** Public keys to verify JWTs with, by kid. Public-only sets are fine here. */
export interface VerificationKeySet {
  source: string;
  /** Public parts of the asymmetric keys, in file order (symmetric keys are never exposed). */
  publicKeys: JWK[];
  byKid: Map<string, { jwk: JWK; key: KeyObject }>;
}

/** Loads a key set for verifying signatures: the `jwt` authenticator's JWKS and the cluster checks. */
export function loadVerificationKeySet(set: JsonWebKeySet, source: string): VerificationKeySet {
  checkKeys(set.keys, source);
  const publicKeys: JWK[] = [];
  const byKid = new Map<string, { jwk: JWK; key: KeyObject }>();
  for (const [index, jwk] of set.keys.entries()) {
    const part = publicPart(jwk);
    if (!part) continue;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: part as import('node:crypto').JsonWebKey, format: 'jwk' });
    } catch (error) {
      throw new KeySetError(
        `${source}: ${describeKey(jwk, index)} does not load as a public key (${(error as Error).message})`,
      );
    }
    publicKeys.push(part);
    if (part.kid) byKid.set(part.kid, { jwk: part, key });
  }
  return { source, publicKeys, byKid };
}
