import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK as JoseJwk } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/keys/generate-key-set.js';
import { type JWK, publicPart } from '../../src/keys/json-web-key.js';
import { jwkThumbprint } from '../../src/keys/thumbprint.js';

const kinds = [
  { kind: 'RSA', alg: 'RS256' },
  { kind: 'EC P-256', alg: 'ES256' },
  { kind: 'EC P-384', alg: 'ES384' },
  { kind: 'EC P-521', alg: 'ES512' },
  { kind: 'OKP Ed25519', alg: 'EdDSA' },
];

/** Two different keys of each kind. */
const keys = new Map<string, [JWK, JWK]>();
for (const { kind, alg } of kinds) {
  keys.set(kind, [await generateSigningKey({ alg }), await generateSigningKey({ alg })]);
}

const joseThumbprint = (jwk: JWK) => calculateJwkThumbprint(jwk as JoseJwk, 'sha256');

describe('RFC 7638 key thumbprints', () => {
  it.each(kinds)('$kind: the thumbprint of the private key is the one jose calculates', async ({ kind }) => {
    const [jwk] = keys.get(kind)!;
    expect(jwkThumbprint(jwk)).toBe(await joseThumbprint(jwk));
  });

  it.each(kinds)('$kind: the public half has the same thumbprint as the private key', async ({ kind }) => {
    const [jwk] = keys.get(kind)!;
    expect(jwkThumbprint(publicPart(jwk)!)).toBe(await joseThumbprint(jwk));
  });

  it.each(kinds)('$kind: kid, alg and use do not change the thumbprint', ({ kind }) => {
    const [jwk] = keys.get(kind)!;
    expect(jwkThumbprint({ ...jwk, kid: 'renamed', alg: 'none', use: 'enc' })).toBe(jwkThumbprint(jwk));
  });

  it.each(kinds)('$kind: two different keys have different thumbprints', ({ kind }) => {
    const [first, second] = keys.get(kind)!;
    expect(jwkThumbprint(first)).not.toBe(jwkThumbprint(second));
  });

  it('a symmetric (oct) key: the thumbprint jose calculates', async () => {
    const jwk: JWK = { kty: 'oct', kid: 'hmac', k: randomBytes(32).toString('base64url') };
    expect(jwkThumbprint(jwk)).toBe(await joseThumbprint(jwk));
  });

  // Member lists are looked up in a plain object, so an Object.prototype name must not slip past
  // the "unknown key type" check (it gives TypeError "members.map is not a function").
  it.each(['FOO', 'constructor'])('a key of type "%s" is refused with a message naming the type', (kty) => {
    let message: string | undefined;
    try {
      jwkThumbprint({ kty, n: 'AQAB', e: 'AQAB' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(`cannot compute a thumbprint for key type "${kty}"`);
  });
});
