import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { type JsonWebKeySet, type JWK, publicPart } from './json-web-key.js';
import { MIN_RSA_BITS } from './signing-key-set.js';

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
  alg?: string;
  /** RSA modulus length; at least 2048. Other key types have a fixed size. */
  bits?: number;
  kid?: string;
}

const FIXED_BITS: Record<string, number> = { ES256: 256, ES384: 384, ES512: 521, EdDSA: 256 };

/**
 * One private signing key as a JWK with `use: sig`, `kid` and `alg`, members in the order
 * Oathkeeper's generator writes them.
 */
export async function generateSigningKey(options: GenerateKeyOptions = {}): Promise<JWK> {
  const alg = options.alg ?? 'RS256';
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    const symmetric = /^HS\d+$/.test(alg)
      ? ' (symmetric keys cannot be published for upstreams to verify)'
      : '';
    throw new Error(
      `unsupported algorithm "${alg}"${symmetric}; use one of ${SIGNING_ALGORITHMS.join(', ')}`,
    );
  }
  const isRsa = alg.startsWith('RS') || alg.startsWith('PS');
  const bits = options.bits ?? (isRsa ? MIN_RSA_BITS : undefined);
  if (isRsa && (bits === undefined || !Number.isInteger(bits) || bits < MIN_RSA_BITS)) {
    throw new Error(
      `RSA keys of fewer than ${MIN_RSA_BITS} bits are refused (asked for ${bits}): they are within reach of factoring`,
    );
  }
  if (!isRsa && bits !== undefined && bits !== 0 && bits !== FIXED_BITS[alg]) {
    throw new Error(`${alg} keys have ${FIXED_BITS[alg]} bits; leave --bits out`);
  }
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(isRsa ? { modulusLength: bits } : {}),
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const { kty, crv, ...material } = (await exportJWK(privateKey)) as JWK;
  return {
    use: 'sig',
    kty,
    kid: options.kid ?? randomUUID(),
    ...(crv ? { crv } : {}),
    alg,
    ...material,
  };
}

export type KeySetFormat = 'single' | 'hydra';

/**
 * A new key set. `single`: one private key (what `oathkeeper credentials generate` writes).
 * `hydra`: the private key as `private:<id>` followed by its public half as `public:<id>`, the
 * layout of sets made with Ory Hydra's generator; Oathkeeper then signs with the private key and
 * names `public:<id>` in the JWT header.
 */
export async function generateKeySet(
  options: GenerateKeyOptions & { format?: KeySetFormat } = {},
): Promise<JsonWebKeySet> {
  if (options.format === 'hydra') {
    const id = options.kid ?? randomUUID();
    const key = await generateSigningKey({ ...options, kid: `private:${id}` });
    return { keys: [key, { ...publicPart(key)!, kid: `public:${id}` }] };
  }
  return { keys: [await generateSigningKey(options)] };
}
