import { describeKey, isPrivateKey, type JsonWebKeySet, type JWK } from './json-web-key.js';
import { KeySetError } from './key-set-error.js';
import { JWKS_MAX_AGE_SECONDS } from './public-key-set.js';
import { chooseSigner, loadSigningKeySet } from './signing-key-set.js';

/**
 * gatehouse's notes on a key, kept in the key file under the member `gatehouse` (never published:
 * the public JWKS is built from an allow-list of members). Oathkeeper and JWT libraries ignore it.
 */
export interface RotationNotes {
  added_at?: string;
  signing_since?: string;
  signing_until?: string;
}

export function rotationNotes(jwk: JWK): RotationNotes {
  const notes = jwk.gatehouse;
  return typeof notes === 'object' && notes !== null ? (notes as RotationNotes) : {};
}

function withNotes(jwk: JWK, notes: RotationNotes): JWK {
  return { ...jwk, gatehouse: { ...rotationNotes(jwk), ...notes } };
}

/** The kid of the key that signs now and the kid the JWT header carries. */
export function currentSigner(set: JsonWebKeySet, source: string): { signerKid: string; headerKid: string } {
  const loaded = loadSigningKeySet(set, source);
  return { signerKid: loaded.signer.jwk.kid ?? '', headerKid: loaded.headerKid };
}

/**
 * Step 1 of a rotation: adds `key` (and its public twin, for a Hydra-style pair) where it is
 * published but does not sign yet, given Oathkeeper's choice of signing key.
 */
export function addKey(set: JsonWebKeySet, added: JWK[], now: Date, source: string): JsonWebKeySet {
  const before = currentSigner(set, source);
  const stamped = added.map((jwk) => withNotes(jwk, { added_at: now.toISOString() }));
  for (let position = 0; position <= set.keys.length; position++) {
    const keys = [...set.keys.slice(0, position), ...stamped, ...set.keys.slice(position)];
    const after = chooseSigner(keys, source);
    if (
      keys[after.signerIndex]?.kid === before.signerKid &&
      (after.headerKid || before.signerKid) === before.headerKid
    ) {
      return { keys };
    }
  }
  throw new KeySetError(
    `${source}: found no place for the new key where the current signing key keeps signing`,
  );
}

/**
 * How long a new key must have been published before it may sign: every node re-reads its key
 * file within `jwks_ttl` (30 s), and verifiers may cache the published set for its max-age.
 */
export const PUBLISH_DELAY_MS = (30 + JWKS_MAX_AGE_SECONDS) * 1000;

/**
 * Step 2: makes `kid` the signing key (its public twin, if any, names it in the JWT header).
 * The previous signer's notes record when it stopped signing, which `retire` relies on. Refused
 * (unless `force`) while the key is younger than PUBLISH_DELAY_MS: a verifier holding the old
 * set would reject what it signs.
 */
export function promoteKey(
  set: JsonWebKeySet,
  kid: string,
  now: Date,
  source: string,
  options: { force?: boolean } = {},
): JsonWebKeySet {
  const before = currentSigner(set, source);
  const target = set.keys.find((jwk) => jwk.kid === kid);
  if (!target) throw new KeySetError(`${source}: no key with kid "${kid}"`);
  if (!isPrivateKey(target)) {
    throw new KeySetError(`${source}: key "${kid}" is a public key; only a private key can sign`);
  }
  if (before.signerKid === kid) throw new KeySetError(`${source}: key "${kid}" signs already`);
  const addedAt = rotationNotes(target).added_at;
  if (!options.force && addedAt !== undefined && now.getTime() < Date.parse(addedAt) + PUBLISH_DELAY_MS) {
    throw new KeySetError(
      `${source}: key "${kid}" was added at ${addedAt}; verifiers may still hold a key set without it. Copy the file to every node and promote it from ${new Date(Date.parse(addedAt) + PUBLISH_DELAY_MS).toISOString()} (docs/keys.md), or pass --force`,
    );
  }
  const twinKid = kid.startsWith('private:') ? `public:${kid.slice('private:'.length)}` : undefined;
  const twin = twinKid ? set.keys.find((jwk) => jwk.kid === twinKid) : undefined;
  const moving = [target, ...(twin ? [twin] : [])];
  const rest = set.keys.filter((jwk) => !moving.includes(jwk));
  const stamp = (jwk: JWK): JWK => {
    if (jwk === target) return withNotes(jwk, { signing_since: now.toISOString(), signing_until: undefined });
    if (jwk.kid === before.signerKid) return withNotes(jwk, { signing_until: now.toISOString() });
    return jwk;
  };
  // A lone private key signs when it is the last private key; a pair signs when it comes first.
  for (const keys of [
    [...rest, ...moving],
    [...moving, ...rest],
  ]) {
    const after = chooseSigner(keys, source);
    const header = after.headerKid || kid;
    if (keys[after.signerIndex] === target && (header === kid || header === twinKid)) {
      return { keys: keys.map(stamp) };
    }
  }
  throw new KeySetError(`${source}: cannot arrange the keys so that "${kid}" signs`);
}

/**
 * Step 3: removes `kid` (and its public twin). Refused while the key signs, and while a token it
 * signed may still be valid: until `ttl` has passed since it stopped signing. A key gatehouse has
 * no notes on may have signed until now, so it is refused unless `force`.
 */
export function retireKey(
  set: JsonWebKeySet,
  kid: string,
  options: { now: Date; ttlMs: number; force?: boolean; source: string },
): JsonWebKeySet {
  const { now, ttlMs, force, source } = options;
  const index = set.keys.findIndex((jwk) => jwk.kid === kid);
  if (index < 0) throw new KeySetError(`${source}: no key with kid "${kid}"`);
  const target = set.keys[index]!;
  const current = currentSigner(set, source);
  if (current.signerKid === kid || current.headerKid === kid) {
    throw new KeySetError(`${source}: ${describeKey(target, index)} signs now; promote another key first`);
  }
  const twinKid = kid.startsWith('private:')
    ? `public:${kid.slice('private:'.length)}`
    : kid.startsWith('public:')
      ? `private:${kid.slice('public:'.length)}`
      : undefined;
  const notes = rotationNotes(target);
  if (!force) {
    const neverSigned = notes.added_at !== undefined && notes.signing_since === undefined;
    if (!neverSigned) {
      if (notes.signing_until === undefined) {
        throw new KeySetError(
          `${source}: gatehouse has no record of when key "${kid}" stopped signing, so tokens it signed may still be valid; wait the id_token ttl after it stopped, then retire it with --force`,
        );
      }
      const safeAt = Date.parse(notes.signing_until) + ttlMs;
      if (now.getTime() < safeAt) {
        throw new KeySetError(
          `${source}: key "${kid}" signed tokens until ${notes.signing_until}; they stay valid for the id_token ttl, so it can be retired from ${new Date(safeAt).toISOString()}`,
        );
      }
    }
  }
  const keys = set.keys.filter((jwk) => jwk.kid !== kid && (twinKid === undefined || jwk.kid !== twinKid));
  if (!keys.some(isPrivateKey))
    throw new KeySetError(`${source}: retiring "${kid}" would leave no private key`);
  return { keys };
}
