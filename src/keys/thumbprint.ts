import { createHash } from 'node:crypto';
import type { JWK } from './json-web-key.js';

// The members RFC 7638 hashes, per key type, already in lexicographic order.
const REQUIRED = new Map<string, readonly string[]>([
  ['RSA', ['e', 'kty', 'n']],
  ['EC', ['crv', 'kty', 'x', 'y']],
  ['OKP', ['crv', 'kty', 'x']],
  ['oct', ['k', 'kty']],
]);

/** The RFC 7638 SHA-256 thumbprint of a key, base64url: the same for a private key and its public half. */
export function jwkThumbprint(jwk: JWK): string {
  const members = REQUIRED.get(jwk.kty ?? '');
  if (!members) throw new Error(`cannot compute a thumbprint for key type ${JSON.stringify(jwk.kty)}`);
  const canonical = `{${members.map((name) => `${JSON.stringify(name)}:${JSON.stringify(jwk[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}
