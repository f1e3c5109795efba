import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PasswordLogin,
  type PasswordVerifier,
} from '../../../../src/selfservice/strategy/password/password-login.js';
import { startIdentityServer } from '../../../identity/support/identity-server.js';

let server: Awaited<ReturnType<typeof startIdentityServer>>;
beforeAll(async () => {
  server = await startIdentityServer({ dsn: 'memory' });
  await server.services.identityManager.create({
    schemaId: 'default',
    traits: { email: 'alice@example.com' },
    state: 'active',
    metadataPublic: null,
    metadataAdmin: null,
    organizationId: null,
    password: { password: 'correct-horse-9' },
  });
});
afterAll(() => server.stop());

/** The server's real hasher, counting what it is asked to do. */
function countingHasher() {
  const real = server.services.hasher;
  const counts = { hash: 0, verify: 0 };
  const hasher: PasswordVerifier = {
    hash: (password) => {
      counts.hash++;
      return real.hash(password);
    },
    verify: (password, hash) => {
      counts.verify++;
      return real.verify(password, hash);
    },
    needsRehash: (hash) => real.needsRehash(hash),
  };
  return { hasher, counts };
}

async function login() {
  const { hasher, counts } = countingHasher();
  const passwordLogin = new PasswordLogin({
    identities: server.services.identities,
    hasher,
    randomPassword: () => crypto.randomUUID(),
  });
  await passwordLogin.prepare();
  counts.hash = 0;
  return { passwordLogin, counts };
}

describe('checking an identifier and a password', () => {
  it('signs in with the right password, the identifier compared as Kratos normalises it', async () => {
    const { passwordLogin } = await login();
    const result = await passwordLogin.verify('  ALICE@example.com ', 'correct-horse-9');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.identity.traits).toEqual({ email: 'alice@example.com' });
  });

  it('gives an unknown identifier and a wrong password the same answer and the same hash work', async () => {
    const wrong = await login();
    expect(await wrong.passwordLogin.verify('alice@example.com', 'wrong-horse-9')).toEqual({ ok: false });
    const unknown = await login();
    expect(await unknown.passwordLogin.verify('nobody@example.com', 'wrong-horse-9')).toEqual({ ok: false });
    expect(unknown.counts).toEqual(wrong.counts);
    expect(unknown.counts).toEqual({ hash: 0, verify: 1 });
  });

  it('never matches the decoy, whatever the password', async () => {
    const { passwordLogin } = await login();
    for (const password of ['', 'correct-horse-9', 'x'.repeat(200)])
      expect(await passwordLogin.verify('nobody@example.com', password)).toEqual({ ok: false });
  });
});
