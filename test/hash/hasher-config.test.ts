import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadIdentityConfig } from '../../src/config/identity-config.js';
import { readHasherConfig } from '../../src/hash/hasher-config.js';
import { minimalIdentityYaml, PORTAL, writeConfig } from '../config/config-fixtures.js';

function load(yaml: string, dev = false) {
  const file = writeConfig(`hashers-${Math.random().toString(36).slice(2)}.yml`, yaml);
  return loadIdentityConfig({ files: [file], env: {}, dev }).document;
}

describe('the hasher config', () => {
  it("reads the portal's v0.5 argon2 block as argon2 with its parameters (memory 131072 KiB)", () => {
    const document = loadIdentityConfig({
      files: [join(PORTAL, 'kratos.yml.sample')],
      env: {},
      dev: true,
    }).document;
    const config = readHasherConfig(document, { cpus: 8 });
    expect(config.algorithm).toBe('argon2');
    expect(config.argon2).toEqual({
      memoryKiB: 131072,
      iterations: 2,
      parallelism: 1,
      saltLength: 16,
      keyLength: 16,
      dedicatedMemoryBytes: 1024 ** 3,
      expectedDurationMs: 500,
      expectedDeviationMs: 500,
    });
  });

  it('is bcrypt with cost 12 and the schema’s argon2 defaults when `hashers` is absent', () => {
    const config = readHasherConfig(load(minimalIdentityYaml()), { cpus: 3 });
    expect(config.algorithm).toBe('bcrypt');
    expect(config.bcrypt.cost).toBe(12);
    // 128MB; parallelism is twice the CPUs, as in Kratos.
    expect(config.argon2).toMatchObject({ memoryKiB: 131072, iterations: 1, parallelism: 6, keyLength: 32 });
  });

  it('keeps argon2 for a config that sets only `hashers.argon2`, and reads byte sizes and durations', () => {
    const yaml = `${minimalIdentityYaml()}hashers:
  argon2:
    memory: 64MB
    dedicated_memory: 2GB
    expected_duration: 1s
    expected_deviation: 250ms
`;
    const config = readHasherConfig(load(yaml));
    expect(config.algorithm).toBe('argon2');
    expect(config.argon2).toMatchObject({
      memoryKiB: 65536,
      dedicatedMemoryBytes: 2 * 1024 ** 3,
      expectedDurationMs: 1000,
      expectedDeviationMs: 250,
    });
  });

  it('raises a bcrypt cost below 12 to 12 outside dev mode, as Kratos does', () => {
    const yaml = `${minimalIdentityYaml()}hashers:\n  algorithm: bcrypt\n  bcrypt:\n    cost: 4\n`;
    expect(readHasherConfig(load(yaml)).bcrypt.cost).toBe(12);
    expect(readHasherConfig(load(yaml, true)).bcrypt.cost).toBe(4);
  });

  it('keeps a bcrypt cost above 12', () => {
    const yaml = `${minimalIdentityYaml()}hashers:\n  bcrypt:\n    cost: 13\n`;
    expect(readHasherConfig(load(yaml)).bcrypt.cost).toBe(13);
  });

  it('defaults argon2 parallelism to twice the CPUs, but to no more than verification accepts (16)', () => {
    const document = load(minimalIdentityYaml());
    expect(readHasherConfig(document, { cpus: 7 }).argon2.parallelism).toBe(14);
    expect(readHasherConfig(document, { cpus: 12 }).argon2.parallelism).toBe(16);
  });

  it.each([
    ['argon2:\n    memory: 2GB', 'hashers.argon2.memory: must be at most 1GB (1048576KB)'],
    ['argon2:\n    iterations: 11', 'hashers.argon2.iterations: must be at most 10'],
    ['argon2:\n    parallelism: 17', 'hashers.argon2.parallelism: must be at most 16'],
    ['argon2:\n    memory: 16KB\n    parallelism: 4', 'hashers.argon2.memory: must be at least 8KB per lane'],
    ['algorithm: bcrypt\n  bcrypt:\n    cost: 16', 'hashers.bcrypt.cost: must be at most 15'],
  ])('refuses parameters whose hashes it could not verify: %s', (hashers, message) => {
    const document = load(`${minimalIdentityYaml()}hashers:\n  ${hashers}\n`);
    expect(() => readHasherConfig(document)).toThrow(ConfigError);
    expect(() => readHasherConfig(document)).toThrow(message);
  });

  it('does not judge the parameters of the algorithm it does not hash with', () => {
    const yaml = `${minimalIdentityYaml()}hashers:\n  algorithm: bcrypt\n  argon2:\n    iterations: 11\n`;
    expect(readHasherConfig(load(yaml)).argon2.iterations).toBe(11);
  });
});
