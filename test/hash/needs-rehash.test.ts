import { describe, expect, it } from 'vitest';
import type { HasherConfig } from '../../src/hash/hasher-config.js';
import { needsRehash } from '../../src/hash/needs-rehash.js';

const SALT = 'c2FsdHNhbHRzYWx0c2FsdA';
const key = (bytes: number) => Buffer.alloc(bytes, 1).toString('base64').replace(/=+$/, '');
const argon2 = (variant: string, m: number, t: number, p: number, keyBytes = 16) =>
  `$${variant}$v=19$m=${m},t=${t},p=${p}$${SALT}$${key(keyBytes)}`;
const bcrypt = (cost: string, variant = '2b') =>
  `$${variant}$${cost}$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy`;

// The portal's parameters.
const argon2Config: HasherConfig = {
  algorithm: 'argon2',
  argon2: {
    memoryKiB: 131072,
    iterations: 2,
    parallelism: 1,
    saltLength: 16,
    keyLength: 16,
    dedicatedMemoryBytes: 1024 ** 3,
    expectedDurationMs: 500,
    expectedDeviationMs: 500,
  },
  bcrypt: { cost: 12 },
};
const bcryptConfig: HasherConfig = { ...argon2Config, algorithm: 'bcrypt' };

describe('whether a verified hash is replaced', () => {
  it.each([
    ['argon2id with the configured parameters', false, argon2Config, argon2('argon2id', 131072, 2, 1)],
    ['argon2id with stronger parameters', false, argon2Config, argon2('argon2id', 262144, 3, 2, 32)],
    ['argon2id with less memory', true, argon2Config, argon2('argon2id', 65536, 2, 1)],
    ['argon2id with fewer iterations', true, argon2Config, argon2('argon2id', 131072, 1, 1)],
    [
      'argon2id with less parallelism',
      true,
      { ...argon2Config, argon2: { ...argon2Config.argon2, parallelism: 2 } },
      argon2('argon2id', 131072, 2, 1),
    ],
    ['argon2id with a shorter key', true, argon2Config, argon2('argon2id', 131072, 2, 1, 12)],
    [
      'argon2i when argon2 is configured (new hashes are argon2id)',
      true,
      argon2Config,
      argon2('argon2i', 131072, 2, 1),
    ],
    ['bcrypt when argon2 is configured', true, argon2Config, bcrypt('12')],
    ['argon2id when bcrypt is configured', true, bcryptConfig, argon2('argon2id', 131072, 2, 1)],
    ['bcrypt with the configured cost', false, bcryptConfig, bcrypt('12')],
    ['bcrypt $2a$ with the configured cost', false, bcryptConfig, bcrypt('12', '2a')],
    ['bcrypt with a higher cost', false, bcryptConfig, bcrypt('13')],
    ['bcrypt with a lower cost', true, bcryptConfig, bcrypt('11')],
    ['a format not produced any more (pbkdf2)', true, bcryptConfig, '$pbkdf2-sha256$i=1000,l=32$c2FsdA$a2V5'],
    ['a malformed hash', true, argon2Config, '$argon2id$v=19$m=131072'],
  ])('%s → rehash: %s', (_name, expected, config, hash) => {
    expect(needsRehash(hash, config)).toBe(expected);
  });
});
