import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeySetFile } from '../../src/keys/key-file.js';
import { signJwt } from '../../src/keys/sign-jwt.js';
import { loadSigningKeySet } from '../../src/keys/signing-key-set.js';
import {
  freePortsEnv,
  type RunningGatehouse,
  runGatehouse,
  startGatehouse,
} from '../support/gatehouse-process.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rotation-'));
const keyFile = join(dir, 'id_token.jwks.json');
const proxyConfig = join(dir, 'oathkeeper.yml');

/** A token as the id_token mutator makes it: signed by the signing loader reading the shared file now. */
async function tokenFromSharedFile(subject: string): Promise<{ token: string; kid: string }> {
  const keySet = loadSigningKeySet(readKeySetFile(keyFile), keyFile);
  const now = Math.floor(Date.now() / 1000);
  const token = await signJwt(keySet, {
    sub: subject,
    iss: 'http://127.0.0.1:4455/',
    iat: now,
    exp: now + 900,
  });
  return { token, kid: keySet.headerKid };
}

async function publishedKids(proxy: RunningGatehouse): Promise<string[]> {
  const response = await fetch(new URL('.well-known/jwks.json', proxy.urls['proxy API']));
  const body = (await response.json()) as JSONWebKeySet;
  return body.keys.map((key) => key.kid!).sort();
}

async function verifiesOn(proxy: RunningGatehouse, token: string): Promise<boolean> {
  const response = await fetch(new URL('.well-known/jwks.json', proxy.urls['proxy API']));
  try {
    await jwtVerify(token, createLocalJWKSet((await response.json()) as JSONWebKeySet));
    return true;
  } catch {
    return false;
  }
}

/** Waits until both nodes have re-read the shared file and publish exactly these kids. */
async function bothPublish(proxies: RunningGatehouse[], kids: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const published = await Promise.all(proxies.map(publishedKids));
    if (published.every((list) => JSON.stringify(list) === JSON.stringify([...kids].sort()))) return;
    if (Date.now() > deadline)
      throw new Error(`nodes publish ${JSON.stringify(published)}, expected ${kids}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function rotate(args: string[]): Promise<string> {
  const result = await runGatehouse(['keys', 'rotate', keyFile, ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

describe('rotating the key set of two running proxies that share one key file (docs/keys.md)', () => {
  const proxies: RunningGatehouse[] = [];
  beforeAll(async () => {
    expect((await runGatehouse(['keys', 'generate', '-o', keyFile])).code).toBe(0);
    writeFileSync(
      proxyConfig,
      `serve:\n  proxy:\n    host: 127.0.0.1\n  api:\n    host: 127.0.0.1\nmutators:\n  id_token:\n    enabled: true\n    config:\n      issuer_url: http://127.0.0.1:4455/\n      jwks_url: file://${keyFile}\n`,
    );
    for (let node = 0; node < 2; node++) {
      const env = await freePortsEnv();
      proxies.push(await startGatehouse(['proxy', 'serve', '-c', proxyConfig], { env, cwd: dir }));
    }
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.stop();
  });

  it('never produces a token that a node cannot verify', async () => {
    const original = readKeySetFile(keyFile).keys[0]!.kid!;
    const step0 = await tokenFromSharedFile('step-0');
    expect(step0.kid).toBe(original);
    for (const proxy of proxies) expect(await verifiesOn(proxy, step0.token)).toBe(true);

    // 1. Add: the new key is published everywhere, the old one still signs.
    const added = /added key "([^"]+)"/.exec(await rotate([]))![1]!;
    await bothPublish(proxies, [original, added]);
    const step1 = await tokenFromSharedFile('step-1');
    expect(step1.kid).toBe(original);
    for (const proxy of proxies) {
      expect(await verifiesOn(proxy, step0.token)).toBe(true);
      expect(await verifiesOn(proxy, step1.token)).toBe(true);
    }

    // 2. Promote. --force skips the 90 s publish delay: the test has just seen both nodes publish it.
    await rotate(['--promote', added, '--force']);
    await bothPublish(proxies, [original, added]);
    const step2 = await tokenFromSharedFile('step-2');
    expect(step2.kid).toBe(added);
    for (const proxy of proxies) {
      for (const { token } of [step0, step1, step2]) expect(await verifiesOn(proxy, token)).toBe(true);
    }

    // 3. Retire once tokens of the old key have expired; --ttl 0s stands for "the id_token ttl has passed".
    await rotate(['--retire', original, '--ttl', '0s']);
    await bothPublish(proxies, [added]);
    const step3 = await tokenFromSharedFile('step-3');
    expect(step3.kid).toBe(added);
    for (const proxy of proxies) {
      expect(await verifiesOn(proxy, step2.token)).toBe(true);
      expect(await verifiesOn(proxy, step3.token)).toBe(true);
      // Only what the retired key signed stops verifying, which is why retiring waits for the ttl.
      expect(await verifiesOn(proxy, step0.token)).toBe(false);
    }
  });

  it('refuses to retire the old key while its tokens may still be valid', async () => {
    const result = await runGatehouse(['keys', 'generate', '-o', join(dir, 'other.jwks.json')]);
    expect(result.code).toBe(0);
    const other = join(dir, 'other.jwks.json');
    const added = /added key "([^"]+)"/.exec((await runGatehouse(['keys', 'rotate', other])).stdout)![1]!;
    expect((await runGatehouse(['keys', 'rotate', other, '--promote', added])).stderr).toMatch(
      /verifiers may still hold a key set without it/,
    );
    expect((await runGatehouse(['keys', 'rotate', other, '--promote', added, '--force'])).code).toBe(0);
    const old = readKeySetFile(other).keys.find((key) => key.kid !== added)!.kid!;
    const refused = await runGatehouse(['keys', 'rotate', other, '--retire', old, '--ttl', '720h']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(`key "${old}" signed tokens until .*; they stay valid for the id_token ttl`),
    );
  });
});
