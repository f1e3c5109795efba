import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeySet, generateSigningKey, SIGNING_ALGORITHMS } from '../../src/keys/generate-key-set.js';
import { type JWK, publicPart } from '../../src/keys/json-web-key.js';
import { publicKeySet } from '../../src/keys/public-key-set.js';

const PUBLISHABLE_MEMBERS = ['use', 'kty', 'kid', 'alg', 'n', 'e', 'crv', 'x', 'y'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const ASYMMETRIC_TYPES = ['RSA', 'EC', 'OKP'];

/**
 * Any key type: the registered ones and arbitrary strings. Names of Object.prototype members are
 * left to their own test below, so that this one fails only for what it is about.
 */
const keyType = fc.oneof(
  fc.constantFrom('RSA', 'EC', 'OKP', 'oct'),
  fc.string().filter((name) => !(name in Object.prototype)),
);

const text = fc.string({ unit: 'binary' });

/** An object shaped like a JWK: every registered member may be there (as a string), and anything else. */
const jwkLike = fc
  .record({
    extras: fc.dictionary(fc.string(), text),
    registered: fc.record(
      {
        kty: keyType,
        kid: text,
        alg: text,
        use: text,
        key_ops: fc.array(text),
        n: text,
        e: text,
        crv: text,
        x: text,
        y: text,
        d: text,
        p: text,
        q: text,
        dp: text,
        dq: text,
        qi: text,
        k: text,
        oth: fc.oneof(text, fc.array(fc.dictionary(fc.string(), text))),
        gatehouse: fc.record(
          { added_at: text, signing_since: text, signing_until: text, notes: fc.object() },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['kty'] },
    ),
  })
  .map(({ extras, registered }) => ({ ...extras, ...registered }) as JWK);

const keySets = fc.array(fc.record({ keys: fc.array(jwkLike, { maxLength: 6 }) }), { maxLength: 4 });

describe('what publicKeySet publishes, for any JWK-like input', () => {
  it('only the members use, kty, kid, alg, n, e, crv, x and y', () => {
    fc.assert(
      fc.property(keySets, (sets) => {
        for (const jwk of publicKeySet(sets).keys) {
          expect(Object.keys(jwk).filter((member) => !PUBLISHABLE_MEMBERS.includes(member))).toEqual([]);
        }
      }),
    );
  });

  it('never d, p, q, dp, dq, qi, k or oth', () => {
    fc.assert(
      fc.property(keySets, (sets) => {
        for (const jwk of publicKeySet(sets).keys) {
          expect(PRIVATE_MEMBERS.filter((member) => Object.hasOwn(jwk, member))).toEqual([]);
        }
      }),
    );
  });

  it('never a symmetric (oct) key, nor any key whose type is not RSA, EC or OKP', () => {
    fc.assert(
      fc.property(keySets, (sets) => {
        for (const jwk of publicKeySet(sets).keys) expect(ASYMMETRIC_TYPES).toContain(jwk.kty);
      }),
    );
  });

  it('every asymmetric key, in order, under exactly its kid', () => {
    const keysWithKids = fc.uniqueArray(
      jwkLike.chain((jwk) => text.map((kid) => ({ ...jwk, kid }))),
      { selector: (jwk) => jwk.kid, maxLength: 8 },
    );
    fc.assert(
      fc.property(keysWithKids, (keys) => {
        expect(publicKeySet([{ keys }]).keys.map((jwk) => jwk.kid)).toEqual(
          keys.filter((jwk) => ASYMMETRIC_TYPES.includes(jwk.kty!)).map((jwk) => jwk.kid),
        );
      }),
    );
  });

  // Member tables are plain objects; a type named like an Object.prototype member must be as
  // unknown as any other, not a crash (TypeError "members is not iterable").
  it('nothing for a key whose type is named like an Object.prototype member', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype)), (kty) => {
        expect(publicKeySet([{ keys: [{ kty, kid: 'odd', n: 'AQAB', e: 'AQAB', x: 'AQAB' }] }])).toEqual({
          keys: [],
        });
      }),
    );
  });
});

describe('what publicKeySet publishes for real keys', () => {
  const generated = new Map<string, JWK>();
  let all: JWK[];

  // Generated once: RSA key generation is too slow to run inside a property.
  beforeAll(async () => {
    for (const alg of SIGNING_ALGORITHMS) generated.set(alg, await generateSigningKey({ alg }));
    all = [...generated.values()];
  });

  it('for any selection and order of keys, exactly the public part of each', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(all), (keys) => {
        expect(publicKeySet([{ keys }]).keys).toEqual(keys.map(publicPart));
      }),
    );
  });

  it.each(SIGNING_ALGORITHMS)('%s: the published key imports as the public key of the private key', (alg) => {
    const privateJwk = generated.get(alg)!;
    const [published] = publicKeySet([{ keys: [privateJwk] }]).keys;
    const imported = createPublicKey({ key: published as JsonWebKey, format: 'jwk' });
    expect(
      imported.equals(createPublicKey(createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' }))),
    ).toBe(true);
  });

  it('a set passed twice is published once', () => {
    const once = publicKeySet([{ keys: all }]).keys;
    expect(publicKeySet([{ keys: all }, { keys: all }]).keys).toEqual(once);
    expect(once).toHaveLength(all.length);
  });

  it('keys in several sets are published once each, at their first place', () => {
    fc.assert(
      fc.property(fc.array(fc.shuffledSubarray(all), { maxLength: 4 }), (sets) => {
        const expected: JWK[] = [];
        for (const keys of sets) for (const jwk of keys) if (!expected.includes(jwk)) expected.push(jwk);
        expect(publicKeySet(sets.map((keys) => ({ keys }))).keys).toEqual(expected.map(publicPart));
      }),
    );
  });

  it('kids are published exactly as written, whatever characters they hold', () => {
    fc.assert(
      fc.property(fc.constantFrom(...all), text, (jwk, kid) => {
        expect(publicKeySet([{ keys: [{ ...jwk, kid }] }]).keys.map((published) => published.kid)).toEqual([
          kid,
        ]);
      }),
    );
  });

  it('a Hydra pair is published twice, under both kids, with the same key material', async () => {
    const set = await generateKeySet({ format: 'hydra', alg: 'ES256', kid: 'pair' });
    const published = publicKeySet([set]).keys;
    expect(published.map((jwk) => jwk.kid)).toEqual(['private:pair', 'public:pair']);
    expect({ ...published[0], kid: undefined }).toEqual({ ...published[1], kid: undefined });
  });
});
