import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeySet, generateSigningKey, SIGNING_ALGORITHMS } from '../../src/keys/generate-key-set.js';
import { type JWK, parseKeySetJson, publicPart } from '../../src/keys/json-web-key.js';
import { formatKeySet } from '../../src/keys/key-file.js';
import { KeySetError } from '../../src/keys/key-set-error.js';
import { publicKeySet } from '../../src/keys/public-key-set.js';
import { loadSigningKeySet } from '../../src/keys/signing-key-set.js';
import { loadVerificationKeySet } from '../../src/keys/verification-key-set.js';

/** The source name every message must start with; a path, as the loaders are given in practice. */
const SOURCE = 'conf/id_token.jwks.json';

const rsa = await generateSigningKey({ alg: 'RS256', kid: 'rsa' });
const p256 = await generateSigningKey({ alg: 'ES256', kid: 'p256' });
const p384 = await generateSigningKey({ alg: 'ES384', kid: 'p384' });
const ed = await generateSigningKey({ alg: 'EdDSA', kid: 'ed' });
/** A key unrelated to all of the above, for public entries that belong to "another key". */
const stranger = await generateSigningKey({ alg: 'ES256', kid: 'stranger' });

const weakRsa: JWK = {
  ...(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as JWK),
  kid: 'weak',
  alg: 'RS256',
  use: 'sig',
};
const hmac: JWK = {
  kty: 'oct',
  kid: 'hmac',
  alg: 'HS256',
  use: 'sig',
  k: randomBytes(32).toString('base64url'),
};

const withKid = (jwk: JWK, kid: string): JWK => ({ ...jwk, kid });
const publicHalf = (jwk: JWK, kid = jwk.kid): JWK => ({ ...publicPart(jwk)!, kid });
function without(jwk: JWK, member: string): JWK {
  const { [member]: _dropped, ...rest } = jwk;
  return rest as JWK;
}

/** Runs a loader that must refuse the set; returns its KeySetError (anything else fails the test as is). */
function refusal(load: () => unknown): KeySetError {
  try {
    load();
  } catch (error) {
    if (error instanceof KeySetError) return error;
    throw error;
  }
  throw new Error('the key set was accepted');
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** Every 12-character stretch of every private member value in the set: none may appear in a message. */
function privateStretches(keys: JWK[]): string[] {
  const stretches: string[] = [];
  for (const jwk of keys) {
    for (const member of PRIVATE_MEMBERS) {
      const value = jwk[member];
      if (typeof value !== 'string') continue;
      for (let start = 0; start + 12 <= value.length; start++) stretches.push(value.slice(start, start + 12));
    }
  }
  return stretches;
}

interface Rejection {
  name: string;
  keys: JWK[];
  message: string;
}

/** Sets that neither loader takes: the checks shared by signing and verification. */
const malformed: Rejection[] = [
  {
    name: 'an RSA key of fewer than 2048 bits',
    keys: [weakRsa],
    message: `${SOURCE}: key "weak" is an RSA key of 1024 bits; at least 2048 are required`,
  },
  {
    name: 'an unknown alg',
    keys: [{ ...rsa, alg: 'RS999' }],
    message: `${SOURCE}: key "rsa" has unsupported alg "RS999"; supported: ${SIGNING_ALGORITHMS.join(', ')}`,
  },
  {
    name: 'an RSA key with alg ES256',
    keys: [{ ...rsa, alg: 'ES256' }],
    message: `${SOURCE}: key "rsa" has alg "ES256", which does not fit a RSA key (use RS256 or RS384 or RS512 or PS256 or PS384 or PS512)`,
  },
  {
    name: 'a P-256 key with alg ES384',
    keys: [{ ...p256, alg: 'ES384' }],
    message: `${SOURCE}: key "p256" has alg "ES384", which does not fit a EC P-256 key (use ES256)`,
  },
  {
    name: 'two keys with the same kid',
    keys: [p256, withKid(p384, 'p256')],
    message: `${SOURCE}: kid "p256" is used by more than one key; every key needs its own kid`,
  },
  {
    name: 'a modulus "n" containing "+"',
    keys: [{ ...rsa, n: `${rsa.n!.slice(0, 20)}+${rsa.n!.slice(21)}` }],
    message: `${SOURCE}: key "rsa": member "n" is not base64url`,
  },
  {
    name: 'a modulus "n" with "=" padding',
    keys: [{ ...rsa, n: `${rsa.n}=` }],
    message: `${SOURCE}: key "rsa": member "n" is not base64url`,
  },
  {
    name: 'a private exponent "d" containing "/"',
    keys: [{ ...rsa, d: `${rsa.d!.slice(0, 20)}/${rsa.d!.slice(21)}` }],
    message: `${SOURCE}: key "rsa": member "d" is not base64url`,
  },
  {
    name: 'an EC private key "d" containing "/"',
    keys: [{ ...p256, d: `/${p256.d!.slice(1)}` }],
    message: `${SOURCE}: key "p256": member "d" is not base64url`,
  },
  {
    name: 'a Hydra pair whose public entry is the public half of another key',
    keys: [withKid(p256, 'private:pair'), publicHalf(stranger, 'public:pair')],
    message: `${SOURCE}: key "public:pair" is not the public half of key "private:pair"`,
  },
  {
    name: 'an unknown key type',
    keys: [{ kty: 'FOO', kid: 'foo', alg: 'RS256', x: 'AQAB' }],
    message: `${SOURCE}: key "foo": unknown key type "FOO"; expected RSA, EC or OKP`,
  },
  {
    name: 'a private key whose "d" belongs to another key',
    keys: [{ ...p256, d: stranger.d }],
    message: `${SOURCE}: key "p256": its private part does not belong to its public part; tokens it signs would not verify`,
  },
  {
    name: 'an EC key on a curve no JWT algorithm here uses',
    keys: [{ ...publicHalf(p256), crv: 'secp256k1' }],
    message: `${SOURCE}: key "p256": unsupported curve "secp256k1"; supported for EC: P-256, P-384, P-521`,
  },
  {
    name: 'a key without kty',
    keys: [without(p256, 'kty')],
    message: `${SOURCE}: key "p256": unknown key type null; expected RSA, EC or OKP`,
  },
];

/** Sets only the signing loader refuses: they can be published, but not sign verifiable tokens. */
const unfitForSigning: Rejection[] = [
  {
    name: 'a set of public keys only',
    keys: [publicHalf(p256), publicHalf(ed)],
    message: `${SOURCE}: no private key; the id_token mutator signs with one (is this the output of \`gatehouse keys public\`?)`,
  },
  {
    name: 'an RSA signing key without alg',
    keys: [without(rsa, 'alg')],
    message: `${SOURCE}: key "rsa", the signing key, has no "alg"; add e.g. "alg": "RS256"`,
  },
  {
    name: 'a P-384 signing key without alg (the hint names the one alg that fits)',
    keys: [without(p384, 'alg')],
    message: `${SOURCE}: key "p384", the signing key, has no "alg"; add e.g. "alg": "ES384"`,
  },
  {
    name: 'a signing key without kid and no public entry to name',
    keys: [without(p256, 'kid')],
    message: `${SOURCE}: key #1 (no kid), the signing key, has no "kid"; add one`,
  },
  {
    name: 'a stray public entry before the private key',
    keys: [publicHalf(stranger, 'A'), withKid(p256, 'B')],
    message: `${SOURCE}: the JWT header would carry kid "A" (the public entry before the walk stops), but that entry is not the public half of key "B", which signs; tokens would not verify. Put the matching public key there, or remove the stray public entry`,
  },
  {
    name: 'a stray public entry after the private key',
    keys: [withKid(p256, 'B'), publicHalf(stranger, 'A')],
    message: `${SOURCE}: the JWT header would carry kid "A" (the public entry before the walk stops), but that entry is not the public half of key "B", which signs; tokens would not verify. Put the matching public key there, or remove the stray public entry`,
  },
  {
    name: 'a symmetric (oct) key next to a private key',
    keys: [p256, hmac],
    message: `${SOURCE}: key "hmac" is a symmetric (oct) key; an id_token signed with it cannot be verified from the public JWKS, so gatehouse refuses it: use RS256 or ES256`,
  },
];

describe('which key signs and which kid the JWT header carries', () => {
  it('with only private keys, the last one signs under its own kid and alg', () => {
    const loaded = loadSigningKeySet({ keys: [p256, p384, ed] }, SOURCE);
    expect(loaded.signer.jwk.kid).toBe('ed');
    expect(loaded.headerKid).toBe('ed');
    expect(loaded.signer.alg).toBe('EdDSA');
  });

  it('[public A, private B] with A the public half of B: B signs, the header names A', () => {
    const loaded = loadSigningKeySet({ keys: [publicHalf(p256, 'A'), withKid(p256, 'B')] }, SOURCE);
    expect(loaded.signer.jwk.kid).toBe('B');
    expect(loaded.headerKid).toBe('A');
    expect(loaded.signer.alg).toBe('ES256');
  });

  it('[private B, public A] with A the public half of B: B signs, the header names A', () => {
    const loaded = loadSigningKeySet({ keys: [withKid(p256, 'B'), publicHalf(p256, 'A')] }, SOURCE);
    expect(loaded.signer.jwk.kid).toBe('B');
    expect(loaded.headerKid).toBe('A');
    expect(loaded.signer.alg).toBe('ES256');
  });

  it('a generated Hydra pair [private:<id>, public:<id>]: the private key signs, the header names public:<id>', async () => {
    const set = await generateKeySet({ format: 'hydra' });
    const id = set.keys[0]!.kid!.slice('private:'.length);
    expect(set.keys.map((jwk) => jwk.kid)).toEqual([`private:${id}`, `public:${id}`]);
    const loaded = loadSigningKeySet(set, SOURCE);
    expect(loaded.signer.jwk.kid).toBe(`private:${id}`);
    expect(loaded.headerKid).toBe(`public:${id}`);
    expect(loaded.signer.alg).toBe('RS256');
  });

  it('a single generated key signs under its own kid, RS256 by default', async () => {
    const set = await generateKeySet();
    const loaded = loadSigningKeySet(set, SOURCE);
    expect(loaded.signer.jwk.kid).toBe(set.keys[0]!.kid);
    expect(loaded.headerKid).toBe(set.keys[0]!.kid);
    expect(loaded.signer.alg).toBe('RS256');
  });

  it('the walk stops once a private key and a public entry are met: a later private key does not sign', () => {
    const keys = [withKid(p256, 'B'), publicHalf(p256, 'A'), ed];
    const loaded = loadSigningKeySet({ keys }, SOURCE);
    expect(loaded.signer.jwk.kid).toBe('B');
    expect(loaded.headerKid).toBe('A');
    expect(loaded.signer.alg).toBe('ES256');
  });

  it('"use" plays no part: a private key marked "enc" or without "use" signs all the same', () => {
    expect(loadSigningKeySet({ keys: [{ ...ed, use: 'enc' }] }, SOURCE).signer.jwk.kid).toBe('ed');
    expect(loadSigningKeySet({ keys: [without(ed, 'use')] }, SOURCE).signer.jwk.kid).toBe('ed');
  });

  it('the signing key object is the private key of the chosen entry', () => {
    const loaded = loadSigningKeySet({ keys: [publicHalf(p384, 'A'), withKid(p384, 'B')] }, SOURCE);
    expect(loaded.signer.key.type).toBe('private');
    expect(
      createPublicKey(loaded.signer.key).equals(
        createPublicKey(createPrivateKey({ key: p384, format: 'jwk' })),
      ),
    ).toBe(true);
  });
});

describe('key sets the signing loader refuses, with a message naming the source and the key', () => {
  it.each([...malformed, ...unfitForSigning])('$name', ({ keys, message }) => {
    expect(refusal(() => loadSigningKeySet({ keys }, SOURCE)).message).toBe(message);
  });

  it.each([...malformed, ...unfitForSigning].filter(({ keys }) => privateStretches(keys).length > 0))(
    'the message about $name quotes no private key material',
    ({ keys }) => {
      const message = refusal(() => loadSigningKeySet({ keys }, SOURCE)).message;
      expect(privateStretches(keys).filter((stretch) => message.includes(stretch))).toEqual([]);
    },
  );

  it('a private key whose members do not form a key: "does not load as a private key", without the key', () => {
    const keys = [{ ...p256, x: p256.y }];
    const message = refusal(() => loadSigningKeySet({ keys }, SOURCE)).message;
    expect(message).toMatch(/^conf\/id_token\.jwks\.json: key "p256" does not load as a private key \(.+\)$/);
    expect(privateStretches(keys).filter((stretch) => message.includes(stretch))).toEqual([]);
  });

  // Key types are looked up in plain objects; a type named like an Object.prototype member must
  // still be an unknown type, not a crash (TypeError "members is not iterable").
  it.each(['constructor', '__proto__'])('a key of type "%s" is an unknown key type', (kty) => {
    expect(refusal(() => loadSigningKeySet({ keys: [{ kty, kid: 'odd', x: 'AQAB' }] }, SOURCE)).message).toBe(
      `${SOURCE}: key "odd": unknown key type "${kty}"; expected RSA, EC or OKP`,
    );
  });
});

describe('key-set JSON', () => {
  it('a file cut off in the middle of "d" is reported by line and column', () => {
    const text = formatKeySet({ keys: [p256] });
    const cut = text.slice(0, text.indexOf(p256.d!) + Math.floor(p256.d!.length / 2));
    const lines = cut.split('\n');
    expect(refusal(() => parseKeySetJson(cut, SOURCE)).message).toBe(
      `${SOURCE}: not valid JSON at line ${lines.length}, column ${lines.at(-1)!.length + 1}`,
    );
  });

  it('the message about a file cut off in "d" quotes nothing of "d"', () => {
    const text = formatKeySet({ keys: [rsa] });
    const cut = text.slice(0, text.indexOf(rsa.d!) + Math.floor(rsa.d!.length / 2));
    const message = refusal(() => parseKeySetJson(cut, SOURCE)).message;
    expect(privateStretches([rsa]).filter((stretch) => message.includes(stretch))).toEqual([]);
  });

  // A trailing comma is the likeliest slip when editing a key file by hand. Node reports it as
  // "Unexpected token" without a position, so the loader must find the position itself.
  it('a trailing comma after the last key is reported by line and column', () => {
    const text = `{\n  "keys": [\n    ${JSON.stringify(p256)},\n  ]\n}\n`;
    expect(refusal(() => parseKeySetJson(text, SOURCE)).message).toBe(
      `${SOURCE}: not valid JSON at line 4, column 3`,
    );
  });

  it('the message about a stray character quotes no key material', () => {
    const text = `{"keys": [${JSON.stringify(p256)}, x]}`;
    const message = refusal(() => parseKeySetJson(text, SOURCE)).message;
    expect(privateStretches([p256]).filter((stretch) => message.includes(stretch))).toEqual([]);
  });

  it.each(['[]', '{}', '{"keys": {}}', '"keys"', 'null', '{"Keys": []}'])(
    '%s is not a JSON Web Key Set',
    (text) => {
      expect(refusal(() => parseKeySetJson(text, SOURCE)).message).toBe(
        `${SOURCE}: not a JSON Web Key Set: expected {"keys": [...]}`,
      );
    },
  );

  it('an entry of "keys" that is not an object is named by its index', () => {
    const text = JSON.stringify({ keys: [p256, 'p384'] });
    expect(refusal(() => parseKeySetJson(text, SOURCE)).message).toBe(
      `${SOURCE}: keys[1] is not a JSON object`,
    );
  });
});

describe('loading a key set for verification', () => {
  it('takes the output of `gatehouse keys public` and indexes the public keys by kid', () => {
    const published = publicKeySet([{ keys: [rsa, p256, p384, ed] }]);
    const loaded = loadVerificationKeySet(published, SOURCE);
    expect([...loaded.byKid.keys()]).toEqual(['rsa', 'p256', 'p384', 'ed']);
    for (const original of [rsa, p256, p384, ed]) {
      const entry = loaded.byKid.get(original.kid!)!;
      expect(entry.jwk).toEqual(publicPart(original));
      expect(entry.key.type).toBe('public');
      expect(entry.key.equals(createPublicKey(createPrivateKey({ key: original, format: 'jwk' })))).toBe(
        true,
      );
    }
  });

  it('indexes both kids of a Hydra pair, each with the same public key', async () => {
    const set = await generateKeySet({ format: 'hydra', alg: 'ES256', kid: 'pair' });
    const loaded = loadVerificationKeySet(publicKeySet([set]), SOURCE);
    const privateEntry = loaded.byKid.get('private:pair')!;
    const publicEntry = loaded.byKid.get('public:pair')!;
    expect(privateEntry.key.equals(publicEntry.key)).toBe(true);
  });

  it('keeps no private member in what it exposes, even when given private keys', () => {
    const loaded = loadVerificationKeySet({ keys: [rsa, p256, ed] }, SOURCE);
    for (const jwk of [...loaded.publicKeys, ...[...loaded.byKid.values()].map((entry) => entry.jwk)]) {
      expect(Object.keys(jwk).filter((member) => PRIVATE_MEMBERS.includes(member))).toEqual([]);
    }
  });

  it.each(malformed)('refuses $name, with the same message as for signing', ({ keys, message }) => {
    expect(refusal(() => loadVerificationKeySet({ keys }, SOURCE)).message).toBe(message);
  });

  it('refuses a public key whose members do not form a key: "does not load as a public key"', () => {
    const keys = [publicHalf({ ...p256, x: p256.y })];
    expect(refusal(() => loadVerificationKeySet({ keys }, SOURCE)).message).toMatch(
      /^conf\/id_token\.jwks\.json: key "p256" does not load as a public key \(.+\)$/,
    );
  });

  it.each(['constructor', '__proto__'])('a key of type "%s" is an unknown key type', (kty) => {
    expect(
      refusal(() => loadVerificationKeySet({ keys: [{ kty, kid: 'odd', x: 'AQAB' }] }, SOURCE)).message,
    ).toBe(`${SOURCE}: key "odd": unknown key type "${kty}"; expected RSA, EC or OKP`);
  });
});
