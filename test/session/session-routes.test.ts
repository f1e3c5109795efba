import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/identity/identity.js';
import { startIdentityServer } from '../identity/support/identity-server.js';
import { storageBackends } from '../support/postgres.js';

describe.each(storageBackends)('session endpoints, on %s', (_name, database) => {
  let server: Awaited<ReturnType<typeof startIdentityServer>>;
  let identity: Identity;
  let other: Identity;
  let drop: (() => Promise<void>) | undefined;

  async function signIn(who: Identity) {
    return server.services.sessionManager.issue(
      who,
      [{ method: 'password', aal: 'aal1', completedAt: new Date() }],
      {
        ipAddress: '127.0.0.1',
        userAgent: 'vitest',
      },
    );
  }

  async function call(base: string, method: string, path: string, token?: string) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: token ? { 'x-session-token': token } : {},
      redirect: 'manual',
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
  }

  beforeAll(async () => {
    const created = await database();
    drop = created.drop;
    server = await startIdentityServer({ dsn: created.dsn });
    const { identityManager } = server.services;
    const input = (email: string) => ({
      schemaId: 'default',
      traits: { email },
      state: 'active' as const,
      metadataPublic: null,
      metadataAdmin: null,
      organizationId: null,
    });
    identity = await identityManager.create(input('erin@example.com'));
    other = await identityManager.create(input('frank@example.com'));
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  describe('a signed-in user’s sessions', () => {
    it('lists the user’s other active sessions, not the current one nor anyone else’s', async () => {
      const current = await signIn(identity);
      const second = await signIn(identity);
      await signIn(other);
      const list = await call(server.publicUrl, 'GET', '/sessions', current.token);
      expect(list.status).toBe(200);
      expect(list.body.map((session: { id: string }) => session.id)).toEqual([second.session.id]);
      expect(list.headers.get('x-total-count')).toBe('1');
    });

    it('revokes one other session by id, refuses the current one, and hides other people’s', async () => {
      const current = await signIn(identity);
      const second = await signIn(identity);
      const stranger = await signIn(other);
      expect(
        (await call(server.publicUrl, 'DELETE', `/sessions/${current.session.id}`, current.token)).status,
      ).toBe(400);
      expect(
        (await call(server.publicUrl, 'DELETE', `/sessions/${stranger.session.id}`, current.token)).status,
      ).toBe(204);
      expect((await call(server.publicUrl, 'GET', '/sessions/whoami', stranger.token)).status).toBe(200);
      expect(
        (await call(server.publicUrl, 'DELETE', `/sessions/${second.session.id}`, current.token)).status,
      ).toBe(204);
      expect((await call(server.publicUrl, 'GET', '/sessions/whoami', second.token)).status).toBe(401);
    });

    it('revokes all other sessions and says how many', async () => {
      const current = await signIn(identity);
      await signIn(identity);
      const revoked = await call(server.publicUrl, 'DELETE', '/sessions', current.token);
      expect(revoked.status).toBe(200);
      expect(revoked.body.count).toBeGreaterThanOrEqual(1);
      expect((await call(server.publicUrl, 'GET', '/sessions', current.token)).body).toEqual([]);
      expect((await call(server.publicUrl, 'GET', '/sessions/whoami', current.token)).status).toBe(200);
    });

    it('answers 401 without an id on every session endpoint without a session', async () => {
      for (const [method, path] of [
        ['GET', '/sessions/whoami'],
        ['POST', '/sessions/whoami'],
        ['GET', '/sessions'],
        ['DELETE', '/sessions'],
        ['DELETE', `/sessions/${crypto.randomUUID()}`],
      ]) {
        const answer = await call(server.publicUrl, method!, path!, 'ory_st_unknownunknownunknownunknown00');
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(answer.body.error.id).toBeUndefined();
      }
    });

    it('does not count a session whose identity was disabled', async () => {
      const disabled = await server.services.identityManager.create({
        schemaId: 'default',
        traits: { email: 'gina@example.com' },
        state: 'active',
        metadataPublic: null,
        metadataAdmin: null,
        organizationId: null,
      });
      const session = await signIn(disabled);
      await server.services.identityManager.update(disabled, {
        schemaId: 'default',
        traits: { email: 'gina@example.com' },
        state: 'inactive',
        metadataPublic: null,
        metadataAdmin: null,
        organizationId: null,
      });
      expect((await call(server.publicUrl, 'GET', '/sessions/whoami', session.token)).status).toBe(401);
    });
  });

  describe('the admin session API', () => {
    it('reads, extends and revokes any session, with identity and devices on request', async () => {
      const { session, token } = await signIn(identity);
      const plain = await call(server.adminUrl, 'GET', `/admin/sessions/${session.id}`);
      expect(plain.status).toBe(200);
      expect(plain.body.identity).toBeUndefined();
      expect(plain.body.devices).toBeUndefined();
      const expanded = await call(
        server.adminUrl,
        'GET',
        `/admin/sessions/${session.id}?expand=identity&expand=devices`,
      );
      expect(expanded.body.identity.id).toBe(identity.id);
      expect(expanded.body.identity.metadata_admin).toBeNull();
      expect(expanded.body.devices).toEqual([
        { id: expect.any(String), ip_address: '127.0.0.1', user_agent: 'vitest', location: '' },
      ]);

      const extended = await call(server.adminUrl, 'PATCH', `/admin/sessions/${session.id}/extend`);
      expect(extended.status).toBe(200);
      expect(new Date(extended.body.expires_at).getTime()).toBeGreaterThanOrEqual(
        session.expiresAt.getTime(),
      );

      expect((await call(server.adminUrl, 'DELETE', `/admin/sessions/${session.id}`)).status).toBe(204);
      expect((await call(server.publicUrl, 'GET', '/sessions/whoami', token)).status).toBe(401);
      expect((await call(server.adminUrl, 'GET', `/admin/sessions/${session.id}`)).body.active).toBe(false);
    });

    it('lists sessions with keyset pagination and the active filter', async () => {
      const issued = [];
      for (let index = 0; index < 3; index++) issued.push(await signIn(other));
      const revoked = issued[0]!.session.id;
      await call(server.adminUrl, 'DELETE', `/admin/sessions/${revoked}`);
      const ids = async (query: string) =>
        (await call(server.adminUrl, 'GET', `/admin/sessions?page_size=500&${query}`)).body.map(
          (session: { id: string }) => session.id,
        );
      expect(await ids('active=true')).not.toContain(revoked);
      expect(await ids('active=true')).toContain(issued[1]!.session.id);
      expect(await ids('active=false')).toContain(revoked);
      expect(await ids('active=false')).not.toContain(issued[1]!.session.id);

      const first = await call(server.adminUrl, 'GET', '/admin/sessions?page_size=2');
      expect(first.body).toHaveLength(2);
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '');
      expect(next).not.toBeNull();
      const second = await call(server.adminUrl, 'GET', next![1]!);
      expect(second.body[0].id > first.body[1].id).toBe(true);
      expect((await call(server.adminUrl, 'GET', '/admin/sessions?active=maybe')).status).toBe(400);
      expect((await call(server.adminUrl, 'GET', '/admin/sessions?page_token=x')).status).toBe(400);
    });

    it('lists and deletes an identity’s sessions; deleting none is a 404', async () => {
      const lonely = await server.services.identityManager.create({
        schemaId: 'default',
        traits: { email: 'hank@example.com' },
        state: 'active',
        metadataPublic: null,
        metadataAdmin: null,
        organizationId: null,
      });
      expect((await call(server.adminUrl, 'DELETE', `/admin/identities/${lonely.id}/sessions`)).status).toBe(
        404,
      );
      await signIn(lonely);
      expect(
        (await call(server.adminUrl, 'GET', `/admin/identities/${lonely.id}/sessions`)).body,
      ).toHaveLength(1);
      expect((await call(server.adminUrl, 'DELETE', `/admin/identities/${lonely.id}/sessions`)).status).toBe(
        204,
      );
      expect((await call(server.adminUrl, 'GET', `/admin/identities/${lonely.id}/sessions`)).body).toEqual(
        [],
      );
    });

    it('answers unknown and malformed session ids with 404 and 400', async () => {
      expect((await call(server.adminUrl, 'GET', `/admin/sessions/${crypto.randomUUID()}`)).status).toBe(404);
      expect((await call(server.adminUrl, 'GET', '/admin/sessions/nope')).status).toBe(400);
      expect(
        (await call(server.adminUrl, 'PATCH', `/admin/sessions/${crypto.randomUUID()}/extend`)).status,
      ).toBe(404);
    });
  });

  describe('requests that came to the wrong port', () => {
    it('are sent on with 307: admin paths to the admin port, public paths to the public port', async () => {
      const toAdmin = await call(server.publicUrl, 'GET', '/admin/identities?page_size=1');
      expect(toAdmin.status).toBe(307);
      expect(toAdmin.headers.get('location')).toBe(`${server.adminUrl}/admin/identities?page_size=1`);
      const unprefixed = await call(server.publicUrl, 'GET', '/identities');
      expect(unprefixed.headers.get('location')).toBe(`${server.adminUrl}/admin/identities`);
      const toPublic = await call(server.adminUrl, 'GET', '/schemas');
      expect(toPublic.status).toBe(307);
      expect(toPublic.headers.get('location')).toBe(`${server.publicUrl}/schemas`);
      const whoami = await call(server.adminUrl, 'GET', '/sessions/whoami');
      expect(whoami.headers.get('location')).toBe(`${server.publicUrl}/sessions/whoami`);
    });
  });
});
