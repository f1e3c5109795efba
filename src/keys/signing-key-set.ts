import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import {
  ALGORITHMS_BY_KEY,
  describeKey,
  isPrivateKey,
  isSymmetricKey,
  type JsonWebKeySet,
  type JWK,
  keyFamily,
  keyShapeProblems,
  publicPart,
} from './json-web-key.js';
import { KeySetError } from './key-set-error.js';

/** A key set ready to sign id_tokens: the key that signs and the kid the JWT header carries. */
export interface SigningKeySet {
  /** Where the set came from, for messages. */
  source: string;
  keys: JWK[];
  signer: { jwk: JWK; alg: string; key: KeyObject };
  /** The `kid` of the JWT header; as Oathkeeper picks it, not always the signing key's own kid. */
  headerKid: string;
  /** The public half of every asymmetric key, as published at /.well-known/jwks.json. */
  publicKeys: JWK[];
}

export const MIN_RSA_BITS = 2048;

/**
 * Loads a key set for signing, choosing the signing key and the header kid exactly as Oathkeeper
 * does, and refusing a set that would sign tokens nobody can verify (or anybody can forge).
 *
 * Oathkeeper walks the keys in order: a private key becomes the signing key, a public key's kid
 * becomes the header kid, and the walk stops once both are known. So with only private keys the
 * last one signs under its own kid, and in a Hydra-style pair (`private:<id>`, `public:<id>`) the
 * private key signs while the header names the public entry.
 */
export function loadSigningKeySet(set: JsonWebKeySet, source: string): SigningKeySet {
  checkKeys(set.keys, source);

  const choice = chooseSigner(set.keys, source);
  const signer = choice.signerIndex < 0 ? undefined : set.keys[choice.signerIndex];
  const signerIndex = choice.signerIndex;
  let headerKid = choice.headerKid;
  const headerIndex = choice.headerIndex;
  if (!signer) {
    throw new KeySetError(
      `${source}: no private key; the id_token mutator signs with one (is this the output of \`gatehouse keys public\`?)`,
    );
  }
  const name = describeKey(signer, signerIndex);
  if (headerKid === '') {
    if (!signer.kid) throw new KeySetError(`${source}: ${name}, the signing key, has no "kid"; add one`);
    headerKid = signer.kid;
  } else if (!samePublicKey(signer, set.keys[headerIndex]!)) {
    throw new KeySetError(
      `${source}: the JWT header would carry kid "${headerKid}" (the public entry before the walk stops), but that entry is not the public half of ${name}, which signs; tokens would not verify. Put the matching public key there, or remove the stray public entry`,
    );
  }
  if (!signer.alg) {
    throw new KeySetError(
      `${source}: ${name}, the signing key, has no "alg"; add e.g. "alg": "${defaultAlg(signer)}"`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: signer as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch (error) {
    throw new KeySetError(`${source}: ${name} does not load as a private key (${(error as Error).message})`);
  }
  return {
    source,
    keys: set.keys,
    signer: { jwk: signer, alg: signer.alg, key },
    headerKid,
    publicKeys: set.keys.map(publicPart).filter((jwk): jwk is JWK => jwk !== undefined),
  };
}

/**
 * Oathkeeper's walk: a private key becomes the signer, a public key's kid the header kid, and the
 * walk stops once both are known. `signerIndex` is -1 when there is no private key; `headerKid` is
 * empty when no public key was met before the walk stopped.
 */
export function chooseSigner(
  keys: readonly JWK[],
  source = 'key set',
): { signerIndex: number; headerKid: string; headerIndex: number } {
  let signerIndex = -1;
  let headerKid = '';
  let headerIndex = -1;
  for (const [index, jwk] of keys.entries()) {
    if (isSymmetricKey(jwk)) {
      throw new KeySetError(
        `${source}: ${describeKey(jwk, index)} is a symmetric (oct) key; an id_token signed with it cannot be verified from the public JWKS, so gatehouse refuses it: use RS256 or ES256`,
      );
    }
    if (isPrivateKey(jwk)) {
      signerIndex = index;
    } else {
      headerKid = jwk.kid ?? '';
      headerIndex = index;
    }
    if (signerIndex >= 0 && headerKid !== '') break;
  }
  return { signerIndex, headerKid, headerIndex };
}

/** Checks every key: shape, unique kid, fitting alg, RSA size, Hydra twins that match. */
export function checkKeys(keys: JWK[], source: string): void {
  const problems = keys.flatMap((jwk, index) => keyShapeProblems(jwk, index));
  if (problems.length > 0) throw new KeySetError(`${source}: ${problems.join('; ')}`);
  const seen = new Set<string>();
  for (const [index, jwk] of keys.entries()) {
    const name = describeKey(jwk, index);
    if (jwk.kid !== undefined) {
      if (seen.has(jwk.kid)) {
        throw new KeySetError(
          `${source}: kid "${jwk.kid}" is used by more than one key; every key needs its own kid`,
        );
      }
      seen.add(jwk.kid);
    }
    if (isSymmetricKey(jwk)) continue;
    if (jwk.alg !== undefined) {
      const fitting = ALGORITHMS_BY_KEY.get(keyFamily(jwk)) ?? [];
      const known = [...ALGORITHMS_BY_KEY.values()].flat();
      if (!known.includes(jwk.alg)) {
        throw new KeySetError(
          `${source}: ${name} has unsupported alg "${jwk.alg}"; supported: ${known.join(', ')}`,
        );
      }
      if (!fitting.includes(jwk.alg)) {
        throw new KeySetError(
          `${source}: ${name} has alg "${jwk.alg}", which does not fit a ${keyFamily(jwk).replace(':', ' ')} key (use ${fitting.join(' or ')})`,
        );
      }
    }
    if (jwk.kty === 'RSA') {
      const bits = rsaBits(jwk);
      if (bits < MIN_RSA_BITS) {
        throw new KeySetError(
          `${source}: ${name} is an RSA key of ${bits} bits; at least ${MIN_RSA_BITS} are required`,
        );
      }
    }
  }
  // A private key whose private members belong to another key than its public ones signs
  // tokens that its own published half cannot verify. Node does not check this on import, so a
  // probe signature made with the private part must verify with the public part alone.
  for (const [index, jwk] of keys.entries()) {
    if (!isPrivateKey(jwk)) continue;
    let matches: boolean;
    try {
      const privateKey = createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
      const publicKey = createPublicKey({
        key: publicPart(jwk) as import('node:crypto').JsonWebKey,
        format: 'jwk',
      });
      const digest = jwk.kty === 'OKP' ? null : 'sha256';
      const probe = Buffer.from('gatehouse key pair probe');
      matches = verify(digest, probe, publicKey, sign(digest, probe, privateKey));
    } catch (error) {
      throw new KeySetError(
        `${source}: ${describeKey(jwk, index)} does not load as a private key (${(error as Error).message})`,
      );
    }
    if (!matches) {
      throw new KeySetError(
        `${source}: ${describeKey(jwk, index)}: its private part does not belong to its public part; tokens it signs would not verify`,
      );
    }
  }
  // Hydra-style pairs: `public:<id>` must be the public half of `private:<id>`.
  for (const [index, jwk] of keys.entries()) {
    if (!jwk.kid?.startsWith('public:')) continue;
    const twinKid = `private:${jwk.kid.slice('public:'.length)}`;
    const twin = keys.find((candidate) => candidate.kid === twinKid);
    if (twin && !samePublicKey(twin, jwk)) {
      throw new KeySetError(
        `${source}: ${describeKey(jwk, index)} is not the public half of key "${twinKid}"`,
      );
    }
  }
}

/** Bits of an RSA modulus, from its base64url encoding. */
export function rsaBits(jwk: JWK): number {
  const modulus = Buffer.from(jwk.n ?? '', 'base64url');
  let start = 0;
  while (start < modulus.length && modulus[start] === 0) start++;
  if (start === modulus.length) return 0;
  return (modulus.length - start) * 8 - Math.clz32(modulus[start]!) + 24;
}

function samePublicKey(a: JWK, b: JWK): boolean {
  const left = publicPart(a);
  const right = publicPart(b);
  if (!left || !right || left.kty !== right.kty) return false;
  return ['n', 'e', 'crv', 'x', 'y'].every((member) => left[member] === right[member]);
}

function defaultAlg(jwk: JWK): string {
  return ALGORITHMS_BY_KEY.get(keyFamily(jwk))?.[0] ?? 'RS256';
}
