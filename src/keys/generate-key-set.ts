import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export const SIGNING_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface GenerateKeyOptions {
  alg?: SigningAlgorithm;
  /** RSA modulus length; at least 2048. */
  bits?: number;
  kid?: string;
}

export interface JsonWebKeySet {
  keys: JWK[];
}

const EC_CURVES: Partial<Record<SigningAlgorithm, string>> = {
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
};

/** One private signing key as a JWK, with `kid`, `use: sig` and `alg` set, as Oathkeeper writes it. */
export async function generateSigningKey(options: GenerateKeyOptions = {}): Promise<JWK> {
  const alg = options.alg ?? 'RS256';
  if (!SIGNING_ALGORITHMS.includes(alg)) {
    throw new Error(`unsupported algorithm "${alg}"; use one of ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  const isRsa = alg.startsWith('RS') || alg.startsWith('PS');
  const bits = options.bits ?? (isRsa ? 2048 : undefined);
  if (isRsa && (bits === undefined || bits < 2048)) {
    throw new Error(`RSA keys shorter than 2048 bits are refused (asked for ${bits}); they can be factored`);
  }
  if (!isRsa && bits !== undefined && bits !== 0) {
    const expected = { ES256: 256, ES384: 384, ES512: 521, EdDSA: 256 }[alg as 'ES256'];
    if (bits !== expected) throw new Error(`${alg} keys have ${expected} bits; leave --bits out`);
  }
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(isRsa ? { modulusLength: bits } : {}),
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const jwk = await exportJWK(privateKey);
  if (EC_CURVES[alg] && jwk.crv !== EC_CURVES[alg]) throw new Error(`unexpected curve ${jwk.crv} for ${alg}`);
  return { use: 'sig', kid: options.kid ?? randomUUID(), alg, ...jwk };
}

/** A key set with one private signing key. */
export async function generateKeySet(options: GenerateKeyOptions = {}): Promise<JsonWebKeySet> {
  return { keys: [await generateSigningKey(options)] };
}
