import { type Argon2Hash, type HashFormat, HashFormatError } from '../hash-format.js';
import { decodeUnpaddedBase64 } from './base64.js';

// Kratos' bounds on imported and compared hashes: a stored hash decides how much memory and time
// a login costs, so an imported one must not be able to decide without limit.
export const ARGON2_LIMITS = {
  maxMemoryKiB: 1_048_576,
  iterations: { min: 1, max: 10 },
  parallelism: { min: 1, max: 16 },
} as const;

// Below these the argon2 library refuses to compute. Go's would not, but gatehouse could never
// verify such a hash, so an import is better refused than accepted.
const MIN_SALT_BYTES = 8;
const MIN_KEY_BYTES = 4;

const PREFIX = /^\$argon2(id|i)\$/;
const PARAMETERS = /^m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,10})$/;

export const argon2Format: HashFormat<Argon2Hash> = {
  algorithm: 'argon2',

  claims: (hash) => PREFIX.test(hash),

  parse(hash) {
    const [, variant, version, parameters, salt, key, ...rest] = hash.split('$');
    if ((variant !== 'argon2id' && variant !== 'argon2i') || key === undefined || rest.length > 0) {
      throw new HashFormatError(
        'malformed argon2 hash: expected $argon2id$v=19$m=<KiB>,t=<iterations>,p=<parallelism>$<salt>$<key>',
      );
    }
    function fail(problem: string): never {
      throw new HashFormatError(`${variant} hash: ${problem}`);
    }
    if (version !== 'v=19') fail('only version 19 (v=19) is supported');
    const numbers = PARAMETERS.exec(parameters!);
    if (!numbers) fail('parameters must read m=<KiB>,t=<iterations>,p=<parallelism>');
    const [memoryKiB, iterations, parallelism] = numbers.slice(1).map(Number) as [number, number, number];

    const { maxMemoryKiB, iterations: t, parallelism: p } = ARGON2_LIMITS;
    if (iterations < t.min || iterations > t.max)
      fail(`iterations t=${iterations} not within ${t.min}–${t.max}`);
    if (parallelism < p.min || parallelism > p.max) {
      fail(`parallelism p=${parallelism} not within ${p.min}–${p.max}`);
    }
    if (memoryKiB > maxMemoryKiB) fail(`memory m=${memoryKiB} KiB is above ${maxMemoryKiB}`);
    // Argon2 itself needs 8 KiB per lane.
    if (memoryKiB < 8 * parallelism) fail(`memory m=${memoryKiB} KiB is below 8 × parallelism`);

    const saltBytes = decodeUnpaddedBase64(salt!);
    if (!saltBytes) fail('salt is not unpadded standard base64');
    if (saltBytes.length < MIN_SALT_BYTES) fail(`salt is shorter than ${MIN_SALT_BYTES} bytes`);
    const keyBytes = decodeUnpaddedBase64(key);
    if (!keyBytes) fail('key is not unpadded standard base64');
    if (keyBytes.length < MIN_KEY_BYTES) fail(`key is shorter than ${MIN_KEY_BYTES} bytes`);
    return {
      algorithm: 'argon2',
      variant,
      version: 19,
      memoryKiB,
      iterations,
      parallelism,
      saltLength: saltBytes.length,
      keyLength: keyBytes.length,
    };
  },
};
