import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageBackends } from '../support/postgres.js';
import { startIdentityServer } from './support/identity-server.js';

describe.each(storageBackends)('reading identities, on %s', (_name, database) => {
  let server: Awaited<ReturnType<typeof startIdentityServer>>;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await database();
    drop = created.drop;
    server = await startIdentityServer({ dsn: created.dsn });
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  it('without credentials gives everything else a full read gives, and no credentials', async () => {
    const { identityManager, identities } = server.services;
    const created = await identityManager.create({
      schemaId: 'default',
      traits: { email: 'ida@example.com' },
      state: 'active',
      metadataPublic: { plan: 'free' },
      metadataAdmin: null,
      organizationId: null,
      password: { password: 'a long enough password' },
    });
    const full = await identities.get(created.id);
    const light = await identities.getWithoutCredentials(created.id);
    expect(Object.keys(full!.credentials)).toEqual(['password']);
    expect(light!.credentials).toEqual({});
    expect({ ...light, credentials: undefined }).toEqual({ ...full, credentials: undefined });
    // The portal schema makes the e-mail a recovery address (it has no verification address).
    expect(light!.recoveryAddresses.map((address) => address.value)).toEqual(['ida@example.com']);
    expect(await identities.getWithoutCredentials(crypto.randomUUID())).toBeUndefined();
  });
});
