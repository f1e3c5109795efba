import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { HasherConfig } from '../../src/hash/hasher-config.js';
import { parseHash } from '../../src/hash/parse-hash.js';
import {
  type HashRun,
  hashPoolSize,
  PasswordHasher,
  PasswordTooLongError,
} from '../../src/hash/password-hasher.js';
import { cryptoRandom, type RandomSource } from '../../src/random.js';

/** Debian's interpreter with python3-argon2 and python3-bcrypt. */
const PYTHON = '/usr/bin/python3';
const PYTHON_HASHES = fileURLToPath(new URL('./python_hashes.py', import.meta.url));

const MiB = 1024 * 1024;

/** Cheap parameters: the tests are about behaviour, not strength. */
function cheapConfig(algorithm: HasherConfig['algorithm'], dedicatedMemoryBytes = 1024 * MiB): HasherConfig {
  return {
    algorithm,
    argon2: {
      memoryKiB: 64,
      iterations: 1,
      parallelism: 1,
      saltLength: 16,
      keyLength: 16,
      dedicatedMemoryBytes,
      expectedDurationMs: 500,
      expectedDeviationMs: 500,
    },
    bcrypt: { cost: 4 },
  };
}

const hashers: PasswordHasher[] = [];
function hasher(
  config: HasherConfig,
  options: { random?: RandomSource; cpus?: number; onRun?: (run: HashRun) => void } = {},
) {
  const created = new PasswordHasher({ config, random: options.random ?? cryptoRandom, ...options });
  hashers.push(created);
  return created;
}
afterAll(async () => {
  await Promise.all(hashers.map((created) => created.close()));
});

const PASSWORD = 'Zoë Łukasiewicz 東京 🔑';

describe('hashing and verifying passwords', () => {
  const argon2 = hasher(cheapConfig('argon2'));
  const bcrypt = hasher(cheapConfig('bcrypt'));

  it('makes argon2id hashes with the configured parameters that verify, and a wrong password does not', async () => {
    const hash = await argon2.hash(PASSWORD);
    expect(parseHash(hash)).toEqual({
      algorithm: 'argon2',
      variant: 'argon2id',
      version: 19,
      memoryKiB: 64,
      iterations: 1,
      parallelism: 1,
      saltLength: 16,
      keyLength: 16,
    });
    expect(await argon2.verify(PASSWORD, hash)).toBe(true);
    expect(await argon2.verify(`${PASSWORD} `, hash)).toBe(false);
    expect(await argon2.verify('', hash)).toBe(false);
  });

  it('makes bcrypt hashes with the configured cost that verify, and a wrong password does not', async () => {
    const hash = await bcrypt.hash(PASSWORD);
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(await bcrypt.verify(PASSWORD, hash)).toBe(true);
    expect(await bcrypt.verify(PASSWORD.toUpperCase(), hash)).toBe(false);
  });

  it('verifies hashes of the other algorithm than the configured one', async () => {
    const made = await bcrypt.hash(PASSWORD);
    expect(await argon2.verify(PASSWORD, made)).toBe(true);
    expect(await bcrypt.verify(PASSWORD, await argon2.hash(PASSWORD))).toBe(true);
  });

  it('salts each hash with bytes from the random source it was given', async () => {
    const sevens: RandomSource = { bytes: (length) => Buffer.alloc(length, 7), uuid: () => 'unused' };
    const fixed = hasher(cheapConfig('argon2'), { random: sevens });
    const first = await fixed.hash(PASSWORD);
    expect(first.split('$')[4]).toBe(Buffer.alloc(16, 7).toString('base64').replace(/=+$/, ''));
    expect(await fixed.hash(PASSWORD)).toBe(first);
    expect(await argon2.hash(PASSWORD)).not.toBe(await argon2.hash(PASSWORD));
  });

  it('refuses to bcrypt-hash a password over 72 bytes, counting bytes, not characters', async () => {
    expect(await bcrypt.hash('東'.repeat(24))).toMatch(/^\$2b\$/); // 72 bytes
    const tooLong = '東'.repeat(25); // 25 characters, 75 bytes
    const error = await bcrypt.hash(tooLong).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PasswordTooLongError);
    expect((error as PasswordTooLongError).maxBytes).toBe(72);
    expect((error as Error).message).not.toContain('東');
    // argon2 has no such limit.
    expect(await argon2.verify(tooLong, await argon2.hash(tooLong))).toBe(true);
  });

  it('does not match a password over 72 bytes against bcrypt, though bcrypt would read only its first 72', async () => {
    const first72 = 'a'.repeat(72);
    const hash = await bcrypt.hash(first72);
    expect(await bcrypt.verify(first72, hash)).toBe(true);
    expect(await bcrypt.verify(`${first72}anything`, hash)).toBe(false);
  });

  it('reads every bcrypt minor version Kratos accepts ($2$, $2a$, $2y$, $2z$) as the same hash', async () => {
    const hash = await bcrypt.hash(PASSWORD);
    for (const variant of ['2', '2a', '2y', '2z']) {
      const renamed = hash.replace(/^\$2b\$/, `$${variant}$`);
      expect(await bcrypt.verify(PASSWORD, renamed), renamed.slice(0, 4)).toBe(true);
      expect(await bcrypt.verify('wrong', renamed), renamed.slice(0, 4)).toBe(false);
    }
  });

  it('matches nothing against a hash it cannot read: unknown, malformed or out of bounds', async () => {
    const good = await argon2.hash(PASSWORD);
    expect(await argon2.verify(PASSWORD, PASSWORD)).toBe(false);
    expect(await argon2.verify(PASSWORD, good.replace('t=1', 't=11'))).toBe(false);
    expect(await argon2.verify(PASSWORD, good.slice(0, -2))).toBe(false);
    expect(await argon2.verify(PASSWORD, '$pbkdf2-sha256$i=1000,l=32$c2FsdA$a2V5')).toBe(false);
  });

  it('asks for a rehash of hashes made otherwise than configured', async () => {
    expect(argon2.needsRehash(await argon2.hash(PASSWORD))).toBe(false);
    expect(argon2.needsRehash(await bcrypt.hash(PASSWORD))).toBe(true);
    expect(bcrypt.needsRehash(await argon2.hash(PASSWORD))).toBe(true);
  });
});

describe('agreement with an independent implementation (Python argon2-cffi and bcrypt)', async () => {
  const argon2 = hasher(cheapConfig('argon2'));
  const bcrypt = hasher(cheapConfig('bcrypt'));
  const ours = { argon2id: await argon2.hash(PASSWORD), bcrypt: await bcrypt.hash(PASSWORD) };
  const run = spawnSync(PYTHON, [PYTHON_HASHES], {
    input: JSON.stringify({ password: PASSWORD, check: [ours.argon2id, ours.bcrypt] }),
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', PYTHONIOENCODING: 'utf-8', LANG: 'C.UTF-8' },
    timeout: 20_000,
  });
  if (run.status !== 0) throw new Error(`${PYTHON} ${PYTHON_HASHES} failed (${run.status}): ${run.stderr}`);
  const python = JSON.parse(run.stdout) as { made: Record<string, string>; checked: boolean[] };

  it.each(Object.entries(python.made))('verifies a %s hash made by Python', async (_name, hash) => {
    expect(await argon2.verify(PASSWORD, hash)).toBe(true);
    expect(await argon2.verify(`${PASSWORD}!`, hash)).toBe(false);
  });

  it('makes argon2id and bcrypt hashes that Python verifies', () => {
    expect(python.checked).toEqual([true, true]);
  });
});

describe('the worker pool', () => {
  it.each([
    // dedicated memory, argon2 memory, CPUs → threads
    [1024 * MiB, 128 * MiB, 2, 1],
    [1024 * MiB, 128 * MiB, 4, 3],
    [1024 * MiB, 128 * MiB, 16, 8],
    [256 * MiB, 128 * MiB, 16, 2],
    [100 * MiB, 128 * MiB, 16, 1],
    [1024 * MiB, 64 * 1024, 1, 1],
  ])(
    'with %d bytes dedicated to %d-byte hashes on %d CPUs runs %d at once',
    (dedicated, memory, cpus, size) => {
      const config = cheapConfig('argon2', dedicated).argon2;
      expect(hashPoolSize({ ...config, memoryKiB: memory / 1024 }, cpus)).toBe(size);
    },
  );

  /** The most runs that overlapped in time. */
  function mostAtOnce(runs: readonly HashRun[]): number {
    const edges = runs.flatMap((run) => [
      { at: run.startedAt, change: 1 },
      { at: run.finishedAt, change: -1 },
    ]);
    // At equal times an end comes first: a thread that finishes one task and starts the next is one.
    edges.sort((a, b) => a.at - b.at || a.change - b.change);
    let running = 0;
    let most = 0;
    for (const edge of edges) {
      running += edge.change;
      most = Math.max(most, running);
    }
    return most;
  }

  async function runMany(config: HasherConfig, cpus: number, count: number) {
    const runs: HashRun[] = [];
    const pool = hasher(config, { cpus, onRun: (run) => runs.push(run) });
    const hashes = await Promise.all(Array.from({ length: count }, (_, i) => pool.hash(`password ${i}`)));
    return { concurrency: pool.concurrency, runs, hashes };
  }

  // bcrypt cost 9 takes some 30 ms, long enough for runs to overlap if the pool lets them.
  const slowBcrypt = (dedicatedMemoryBytes: number): HasherConfig => ({
    ...cheapConfig('bcrypt', dedicatedMemoryBytes),
    bcrypt: { cost: 9 },
  });

  it('runs no more hashes at once than fit in the dedicated memory, and queues the rest', async () => {
    // Two 64 KiB argon2 hashes fit in 128 KiB; the 8 CPUs would allow 7.
    const { concurrency, runs, hashes } = await runMany(slowBcrypt(128 * 1024), 8, 12);
    expect(concurrency).toBe(2);
    expect(new Set(hashes).size).toBe(12);
    expect(runs).toHaveLength(12);
    expect(mostAtOnce(runs)).toBe(2);
  });

  it('leaves one CPU to the event loop however much memory there is', async () => {
    const { concurrency, runs } = await runMany(slowBcrypt(1024 * MiB), 2, 6);
    expect(concurrency).toBe(1);
    expect(mostAtOnce(runs)).toBe(1);
  });
});
