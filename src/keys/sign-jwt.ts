import { SignJWT } from 'jose';
import type { SigningKeySet } from './signing-key-set.js';

/** Signs claims as a compact JWT with the set's signing key; the header carries `alg`, `kid` and `typ`. */
export function signJwt(keySet: SigningKeySet, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: keySet.signer.alg, kid: keySet.headerKid, typ: 'JWT' })
    .sign(keySet.signer.key);
}
