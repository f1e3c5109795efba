import { execFileSync } from 'node:child_process';
import { Configuration, FrontendApi, IdentityApi } from '@ory/kratos-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageBackends } from '../support/postgres.js';
import { startIdentityServer } from './support/identity-server.js';

/** A hash made by an independent implementation: Debian's argon2-cffi and bcrypt for Python. */
function pythonHash(kind: 'argon2id' | 'bcrypt', password: string): string {
  const program =
    kind === 'argon2id'
      ? 'import argon2,sys; print(argon2.PasswordHasher(time_cost=2, memory_cost=65536, parallelism=1).hash(sys.argv[1]))'
      : 'import bcrypt,sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(rounds=5)).decode())';
  return execFileSync('/usr/bin/python3', ['-c', program, password], { encoding: 'utf8' }).trim();
}

describe.each(storageBackends)(
  'the admin identity API through the official Ory SDK, on %s',
  (_name, database) => {
    let server: Awaited<ReturnType<typeof startIdentityServer>>;
    let drop: (() => Promise<void>) | undefined;
    let identities: IdentityApi;
    let frontend: FrontendApi;

    beforeAll(async () => {
      const created = await database();
      drop = created.drop;
      server = await startIdentityServer({ dsn: created.dsn });
      identities = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
      frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    });
    afterAll(async () => {
      await server?.stop();
      await drop?.();
    });

    it('creates an identity with a password, and reads it back with and without its hash', async () => {
      const created = await identities.createIdentity({
        createIdentityBody: {
          schema_id: 'default',
          traits: { email: 'Alice@Example.COM' },
          credentials: { password: { config: { password: 'correct-horse-9' } } },
        },
      });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`${server.adminUrl}/identities/${created.data.id}`);
      const identity = created.data;
      expect(identity).toMatchObject({
        schema_id: 'default',
        schema_url: `${server.publicUrl}/schemas/ZGVmYXVsdA`,
        state: 'active',
        metadata_public: null,
        credentials: { password: { type: 'password', identifiers: ['alice@example.com'], version: 0 } },
        recovery_addresses: [{ via: 'email', value: 'alice@example.com' }],
      });
      // The portal's schema asks for no verification: the empty list is left out, as Kratos does.
      expect(identity.verifiable_addresses).toBeUndefined();
      expect(identity.credentials?.password?.config).toBeUndefined();

      const plain = await identities.getIdentity({ id: identity.id });
      expect(plain.data.credentials?.password?.config).toBeUndefined();
      const declassified = await identities.getIdentity({ id: identity.id, includeCredential: ['password'] });
      const hash = (
        declassified.data.credentials?.password?.config as { hashed_password?: string } | undefined
      )?.hashed_password;
      expect(hash).toMatch(/^\$2[aby]\$04\$/);
      expect(await server.services.hasher.verify('correct-horse-9', hash!)).toBe(true);
    });

    it('refuses a second identity with the same identifier with 409', async () => {
      const error = await identities
        .createIdentity({
          createIdentityBody: { schema_id: 'default', traits: { email: 'alice@example.com' } },
        })
        .catch((caught) => caught);
      expect(error.response.status).toBe(409);
      expect(error.response.data.error).toMatchObject({ code: 409, status: 'Conflict' });
    });

    it('imports argon2id and bcrypt hashes made by an independent tool, and they verify', async () => {
      for (const [kind, email] of [
        ['argon2id', 'argon@example.com'],
        ['bcrypt', 'bee@example.com'],
      ] as const) {
        const hash = pythonHash(kind, 'imported-secret-1');
        const created = await identities.createIdentity({
          createIdentityBody: {
            schema_id: 'default',
            traits: { email },
            credentials: { password: { config: { hashed_password: hash } } },
          },
        });
        const read = await identities.getIdentity({ id: created.data.id, includeCredential: ['password'] });
        const stored = (read.data.credentials?.password?.config as { hashed_password?: string } | undefined)
          ?.hashed_password;
        expect(stored).toBe(hash);
        expect(await server.services.hasher.verify('imported-secret-1', stored!)).toBe(true);
        expect(await server.services.hasher.verify('another-secret', stored!)).toBe(false);
      }
    });

    it('pages through 250 identities with page_size and the Link header', async () => {
      const batch = await identities.batchPatchIdentities({
        patchIdentitiesBody: {
          identities: Array.from({ length: 250 }, (_, index) => ({
            create: { schema_id: 'default', traits: { email: `user-${index}@example.com` } },
          })),
        },
      });
      expect(batch.data.identities?.filter((entry) => entry.action === 'create')).toHaveLength(250);
      const seen: string[] = [];
      let token: string | undefined;
      for (let page = 0; page < 10; page++) {
        const response = await identities.listIdentities({ pageSize: 100, pageToken: token });
        seen.push(...response.data.map((identity) => identity.id));
        // The list leaves credentials out unless they are asked for.
        expect(response.data.every((identity) => identity.credentials === undefined)).toBe(true);
        const next = /<([^>]+)>; rel="next"/.exec(String(response.headers.link ?? ''));
        if (!next) break;
        token = new URL(next[1]!, server.adminUrl).searchParams.get('page_token') ?? undefined;
      }
      expect(seen.length).toBeGreaterThanOrEqual(253);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(seen);

      const found = await identities.listIdentities({ credentialsIdentifier: 'USER-7@example.com' });
      expect(found.data.map((identity) => identity.traits)).toEqual([{ email: 'user-7@example.com' }]);
    });

    it('replaces an identity with PUT, patches it with JSON Patch, and deletes it', async () => {
      const created = await identities.createIdentity({
        createIdentityBody: { schema_id: 'default', traits: { email: 'carol@example.com' } },
      });
      const id = created.data.id;
      const updated = await identities.updateIdentity({
        id,
        updateIdentityBody: {
          schema_id: 'default',
          state: 'inactive',
          traits: { email: 'carol.new@example.com' },
          metadata_admin: { note: 'moved' },
        },
      });
      expect(updated.data).toMatchObject({
        state: 'inactive',
        traits: { email: 'carol.new@example.com' },
        metadata_admin: { note: 'moved' },
        recovery_addresses: [{ value: 'carol.new@example.com' }],
      });
      expect(updated.data.state_changed_at).toBeDefined();

      const patched = await identities.patchIdentity({
        id,
        jsonPatch: [
          { op: 'replace', path: '/metadata_public', value: { plan: 'pro' } },
          { op: 'replace', path: '/state', value: 'active' },
        ],
      });
      expect(patched.data).toMatchObject({ metadata_public: { plan: 'pro' }, state: 'active' });

      expect((await identities.deleteIdentity({ id })).status).toBe(204);
      const gone = await identities.getIdentity({ id }).catch((caught) => caught);
      expect(gone.response.status).toBe(404);
    });

    it('answers whoami for a session by token, bearer and cookie', async () => {
      const created = await identities.createIdentity({
        createIdentityBody: { schema_id: 'default', traits: { email: 'dave@example.com' } },
      });
      const identity = (await server.services.identities.get(created.data.id))!;
      const issued = await server.services.sessionManager.issue(
        identity,
        [{ method: 'password', aal: 'aal1', completedAt: new Date() }],
        { ipAddress: '127.0.0.1', userAgent: 'vitest' },
      );
      expect(issued.token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);

      const byToken = await frontend.toSession({ xSessionToken: issued.token });
      expect(byToken.headers['x-kratos-authenticated-identity-id']).toBe(identity.id);
      expect(byToken.data).toMatchObject({
        id: issued.session.id,
        active: true,
        authenticator_assurance_level: 'aal1',
        authentication_methods: [{ method: 'password', aal: 'aal1' }],
        identity: { id: identity.id, traits: { email: 'dave@example.com' } },
      });
      // Public reads never show credentials or admin metadata.
      expect(byToken.data.identity?.credentials).toBeUndefined();
      expect(byToken.data.identity?.metadata_admin).toBeUndefined();

      const cookie = server.services.sessionManager.cookie(issued.token, issued.session);
      const byCookie = await frontend.toSession({ cookie: `${cookie.name}=${cookie.value}` });
      expect(byCookie.data.id).toBe(issued.session.id);

      const bearer = await fetch(`${server.publicUrl}/sessions/whoami`, {
        headers: { authorization: `Bearer ${issued.token}` },
      });
      expect(bearer.status).toBe(200);

      const none = await frontend.toSession({}).catch((caught) => caught);
      expect(none.response.status).toBe(401);
      expect(none.response.data).toEqual({
        error: {
          code: 401,
          status: 'Unauthorized',
          request: expect.any(String),
          reason: 'No valid session credentials found in the request.',
          message: 'The request could not be authorized',
        },
      });
    });
  },
);
