import { describe, expect, it } from 'vitest';
import { HashFormatError } from '../../src/hash/hash-format.js';
import { parseHash } from '../../src/hash/parse-hash.js';

// 16 bytes of salt and 16 of key, unpadded standard base64.
const SALT = 'c2FsdHNhbHRzYWx0c2FsdA';
const KEY = 'a2V5a2V5a2V5a2V5a2V5aw';
const argon2 = (variant: string, parameters: string, salt = SALT, key = KEY) =>
  `$${variant}$v=19$${parameters}$${salt}$${key}`;
// 22 characters of salt, 31 of hash.
const BCRYPT_REST = 'N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

describe('reading a hash’s format and parameters', () => {
  it.each([
    [
      'argon2id',
      argon2('argon2id', 'm=131072,t=2,p=1'),
      {
        algorithm: 'argon2',
        variant: 'argon2id',
        version: 19,
        memoryKiB: 131072,
        iterations: 2,
        parallelism: 1,
        saltLength: 16,
        keyLength: 16,
      },
    ],
    [
      'argon2i',
      argon2('argon2i', 'm=64,t=3,p=4'),
      {
        algorithm: 'argon2',
        variant: 'argon2i',
        version: 19,
        memoryKiB: 64,
        iterations: 3,
        parallelism: 4,
        saltLength: 16,
        keyLength: 16,
      },
    ],
    [
      'argon2id at the upper bounds',
      argon2('argon2id', 'm=1048576,t=10,p=16'),
      { memoryKiB: 1048576, iterations: 10, parallelism: 16 },
    ],
    [
      'argon2id with an 8-byte salt and 4-byte key',
      argon2('argon2id', 'm=8,t=1,p=1', 'AAAAAAAAAAA', 'AAAAAA'),
      { saltLength: 8, keyLength: 4 },
    ],
    ['bcrypt $2a$', `$2a$10$${BCRYPT_REST}`, { algorithm: 'bcrypt', variant: '2a', cost: 10 }],
    ['bcrypt $2b$', `$2b$04$${BCRYPT_REST}`, { algorithm: 'bcrypt', variant: '2b', cost: 4 }],
    ['bcrypt $2y$', `$2y$12$${BCRYPT_REST}`, { algorithm: 'bcrypt', variant: '2y', cost: 12 }],
    ['bcrypt $2z$', `$2z$12$${BCRYPT_REST}`, { algorithm: 'bcrypt', variant: '2z', cost: 12 }],
    ['bcrypt $2$', `$2$15$${BCRYPT_REST}`, { algorithm: 'bcrypt', variant: '2', cost: 15 }],
  ])('reads %s', (_name, hash, expected) => {
    expect(parseHash(hash)).toMatchObject(expected);
  });

  it.each([
    ['empty', '', 'unrecognised hash format'],
    ['plain text', 'hunter2', 'unrecognised hash format'],
    ['SSHA', '{SSHA}c2FsdHNhbHQ=', 'unrecognised hash format'],
    [
      'pbkdf2 (not yet)',
      '$pbkdf2-sha256$i=1000,l=32$c2FsdA$a2V5',
      'unsupported hash algorithm "pbkdf2-sha256"',
    ],
    ['scrypt (not yet)', '$scrypt$ln=16384,r=8,p=1$c2FsdA==$a2V5', 'unsupported hash algorithm "scrypt"'],
    ['argon2d', argon2('argon2d', 'm=64,t=1,p=1'), 'unsupported hash algorithm "argon2d"'],
    ['bcrypt $2x$', `$2x$10$${BCRYPT_REST}`, 'unsupported hash algorithm "2x"'],
    ['argon2 version 16', `$argon2id$v=16$m=64,t=1,p=1$${SALT}$${KEY}`, 'argon2id hash: only version 19'],
    ['argon2 without version', `$argon2id$m=64,t=1,p=1$${SALT}$${KEY}`, 'malformed argon2 hash'],
    ['argon2 with an extra field', `${argon2('argon2id', 'm=64,t=1,p=1')}$x`, 'malformed argon2 hash'],
    ['argon2 parameters out of order', argon2('argon2id', 't=1,m=64,p=1'), 'parameters must read m=<KiB>'],
    [
      'argon2 memory above 1048576 KiB',
      argon2('argon2id', 'm=1048577,t=1,p=1'),
      'memory m=1048577 KiB is above 1048576',
    ],
    [
      'argon2 memory below 8 KiB per lane',
      argon2('argon2id', 'm=15,t=1,p=2'),
      'memory m=15 KiB is below 8 × parallelism',
    ],
    ['argon2 iterations 0', argon2('argon2id', 'm=64,t=0,p=1'), 'iterations t=0 not within 1–10'],
    ['argon2 iterations 11', argon2('argon2id', 'm=64,t=11,p=1'), 'iterations t=11 not within 1–10'],
    ['argon2 parallelism 0', argon2('argon2id', 'm=64,t=1,p=0'), 'parallelism p=0 not within 1–16'],
    ['argon2 parallelism 17', argon2('argon2id', 'm=1024,t=1,p=17'), 'parallelism p=17 not within 1–16'],
    [
      'argon2 padded salt',
      argon2('argon2id', 'm=64,t=1,p=1', `${SALT}==`),
      'salt is not unpadded standard base64',
    ],
    [
      'argon2 URL-safe key',
      argon2('argon2id', 'm=64,t=1,p=1', SALT, 'a2V5-2V5_2V5a2V5a2V5aw'),
      'key is not unpadded standard base64',
    ],
    // "AB" carries stray bits in its last character; Go's strict decoder refuses it.
    [
      'argon2 key with stray bits',
      argon2('argon2id', 'm=64,t=1,p=1', SALT, 'a2V5a2V5AB'),
      'key is not unpadded standard base64',
    ],
    [
      'argon2 salt of 7 bytes',
      argon2('argon2id', 'm=64,t=1,p=1', 'AAAAAAAAAA'),
      'salt is shorter than 8 bytes',
    ],
    [
      'argon2 key of 3 bytes',
      argon2('argon2id', 'm=64,t=1,p=1', SALT, 'AAAA'),
      'key is shorter than 4 bytes',
    ],
    ['bcrypt cost 16', `$2b$16$${BCRYPT_REST}`, 'bcrypt hash: cost 16 not within 4–15'],
    ['bcrypt cost 3', `$2b$03$${BCRYPT_REST}`, 'bcrypt hash: cost 3 not within 4–15'],
    ['bcrypt one-digit cost', `$2b$4$${BCRYPT_REST}`, 'malformed bcrypt hash'],
    ['bcrypt one character short', `$2b$10$${BCRYPT_REST.slice(1)}`, 'malformed bcrypt hash'],
    [
      'bcrypt with a character outside its alphabet',
      `$2b$10$${BCRYPT_REST.slice(1)}+`,
      'malformed bcrypt hash',
    ],
  ])('refuses %s, saying why', (_name, hash, message) => {
    let thrown: unknown;
    try {
      parseHash(hash);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HashFormatError);
    expect((thrown as Error).message).toContain(message);
  });

  it('never repeats the hash in its message', () => {
    const hash = argon2('argon2id', 'm=64,t=99,p=1');
    expect(() => parseHash(hash)).toThrow(HashFormatError);
    try {
      parseHash(hash);
    } catch (error) {
      expect((error as Error).message).not.toContain(SALT);
      expect((error as Error).message).not.toContain(KEY);
    }
  });
});
