import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeySet } from '../../src/keys/generate-key-set.js';
import type { JsonWebKeySet } from '../../src/keys/json-web-key.js';
import { publicKeySet } from '../../src/keys/public-key-set.js';
import {
  addKey,
  currentSigner,
  PUBLISH_DELAY_MS,
  promoteKey,
  retireKey,
  rotationNotes,
} from '../../src/keys/rotation.js';

const SOURCE = 'id_token.jwks.json';
const T0 = new Date('2026-05-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const TTL = 15 * 60_000;
const kids = (set: JsonWebKeySet) => set.keys.map((jwk) => jwk.kid);

describe('rotating a single-key set (Oathkeeper: the last private key signs)', () => {
  let original: JsonWebKeySet;
  let added: JsonWebKeySet;
  let oldKid: string;
  let newKid: string;
  beforeAll(async () => {
    original = await generateKeySet({ alg: 'ES256' });
    added = await generateKeySet({ alg: 'ES256' });
    oldKid = original.keys[0]!.kid!;
    newKid = added.keys[0]!.kid!;
  });

  it('adds the new key where it is published but does not sign', () => {
    const next = addKey(original, added.keys, T0, SOURCE);
    expect(kids(next)).toEqual([newKid, oldKid]);
    expect(currentSigner(next, SOURCE)).toEqual({ signerKid: oldKid, headerKid: oldKid });
    expect(publicKeySet([next]).keys.map((jwk) => jwk.kid)).toEqual([newKid, oldKid]);
    expect(rotationNotes(next.keys[0]!)).toEqual({ added_at: T0.toISOString() });
  });

  it('promotes it only once verifiers can have fetched it', () => {
    const next = addKey(original, added.keys, T0, SOURCE);
    expect(() => promoteKey(next, newKid, minutes(1), SOURCE)).toThrow(
      `${SOURCE}: key "${newKid}" was added at ${T0.toISOString()}; verifiers may still hold a key set without it. Copy the file to every node and promote it from ${new Date(T0.getTime() + PUBLISH_DELAY_MS).toISOString()} (docs/keys.md), or pass --force`,
    );
    expect(
      currentSigner(promoteKey(next, newKid, minutes(1), SOURCE, { force: true }), SOURCE).signerKid,
    ).toBe(newKid);
  });

  it('promotes it: the new key signs under its own kid, and the old one records when it stopped', () => {
    const next = promoteKey(addKey(original, added.keys, T0, SOURCE), newKid, minutes(5), SOURCE);
    expect(currentSigner(next, SOURCE)).toEqual({ signerKid: newKid, headerKid: newKid });
    const byKid = new Map(next.keys.map((jwk) => [jwk.kid, rotationNotes(jwk)]));
    expect(byKid.get(newKid)).toMatchObject({ signing_since: minutes(5).toISOString() });
    expect(byKid.get(oldKid)).toEqual({ signing_until: minutes(5).toISOString() });
  });

  it('retires the old key only once tokens it signed have expired', () => {
    const promoted = promoteKey(addKey(original, added.keys, T0, SOURCE), newKid, minutes(5), SOURCE);
    expect(() => retireKey(promoted, oldKid, { now: minutes(19), ttlMs: TTL, source: SOURCE })).toThrow(
      `${SOURCE}: key "${oldKid}" signed tokens until ${minutes(5).toISOString()}; they stay valid for the id_token ttl, so it can be retired from ${minutes(20).toISOString()}`,
    );
    const retired = retireKey(promoted, oldKid, { now: minutes(20), ttlMs: TTL, source: SOURCE });
    expect(kids(retired)).toEqual([newKid]);
  });

  it('never retires the key that signs', () => {
    expect(() => retireKey(original, oldKid, { now: T0, ttlMs: TTL, source: SOURCE })).toThrow(
      `${SOURCE}: key "${oldKid}" signs now; promote another key first`,
    );
  });

  it('retires a key that was added but never signed at once', () => {
    const next = addKey(original, added.keys, T0, SOURCE);
    expect(kids(retireKey(next, newKid, { now: T0, ttlMs: TTL, source: SOURCE }))).toEqual([oldKid]);
  });

  it('refuses to retire a key it knows nothing about unless forced', async () => {
    const legacy = await generateKeySet({ alg: 'ES256' });
    const set = { keys: [legacy.keys[0]!, ...original.keys] };
    const legacyKid = legacy.keys[0]!.kid!;
    expect(() => retireKey(set, legacyKid, { now: T0, ttlMs: TTL, source: SOURCE })).toThrow(
      `gatehouse has no record of when key "${legacyKid}" stopped signing`,
    );
    expect(kids(retireKey(set, legacyKid, { now: T0, ttlMs: TTL, force: true, source: SOURCE }))).toEqual([
      oldKid,
    ]);
  });

  it('refuses to promote an unknown key, a public key, or the key that signs already', async () => {
    // A public key after the walk has stopped is published but plays no part in signing.
    const pair = await generateKeySet({ format: 'hydra', alg: 'ES256', kid: 'pair' });
    const withPublic = { keys: [...pair.keys, ...publicKeySet([added]).keys] };
    expect(() => promoteKey(original, 'nope', T0, SOURCE)).toThrow(`${SOURCE}: no key with kid "nope"`);
    expect(() => promoteKey(withPublic, newKid, T0, SOURCE)).toThrow(
      `${SOURCE}: key "${newKid}" is a public key; only a private key can sign`,
    );
    expect(() => promoteKey(original, oldKid, T0, SOURCE)).toThrow(
      `${SOURCE}: key "${oldKid}" signs already`,
    );
  });
});

describe('rotating a Hydra-style set (private:<id> + public:<id>)', () => {
  it('adds, promotes and retires a pair, keeping the header kid on the public twin', async () => {
    const original = await generateKeySet({ format: 'hydra', alg: 'ES256', kid: 'old' });
    const added = await generateKeySet({ format: 'hydra', alg: 'ES256', kid: 'new' });
    expect(currentSigner(original, SOURCE)).toEqual({ signerKid: 'private:old', headerKid: 'public:old' });

    const withNew = addKey(original, added.keys, T0, SOURCE);
    expect(kids(withNew)).toEqual(['private:old', 'public:old', 'private:new', 'public:new']);
    expect(currentSigner(withNew, SOURCE)).toEqual({ signerKid: 'private:old', headerKid: 'public:old' });

    const promoted = promoteKey(withNew, 'private:new', minutes(2), SOURCE);
    expect(kids(promoted)).toEqual(['private:new', 'public:new', 'private:old', 'public:old']);
    expect(currentSigner(promoted, SOURCE)).toEqual({ signerKid: 'private:new', headerKid: 'public:new' });

    expect(() => retireKey(promoted, 'public:new', { now: minutes(30), ttlMs: TTL, source: SOURCE })).toThrow(
      'signs now; promote another key first',
    );
    const retired = retireKey(promoted, 'private:old', { now: minutes(17), ttlMs: TTL, source: SOURCE });
    expect(kids(retired)).toEqual(['private:new', 'public:new']);
  });
});
