import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageBackends } from '../support/postgres.js';
import { startIdentityServer } from './support/identity-server.js';

describe.each(storageBackends)('admin identity API errors, on %s', (_name, database) => {
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

  async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.adminUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  async function createAlice(): Promise<string> {
    const created = await call(
      'POST',
      '/admin/identities',
      JSON.stringify({ schema_id: 'default', traits: { email: 'alice@example.com' } }),
    );
    if (created.status === 201) return created.body.id;
    const found = await call('GET', '/admin/identities?credentials_identifier=alice@example.com');
    return found.body[0].id;
  }

  it.each([
    ['bad JSON', '{"schema_id": "default", "traits": {', 400],
    ['a body that is not an object', '[1, 2]', 400],
    [
      'an unknown field',
      JSON.stringify({ schema_id: 'default', traits: { email: 'x@example.com' }, nickname: 'x' }),
      400,
    ],
    ['missing traits', JSON.stringify({ schema_id: 'default' }), 400],
    ['an unknown schema', JSON.stringify({ schema_id: 'nope', traits: { email: 'x@example.com' } }), 400],
    [
      'an unknown state',
      JSON.stringify({ schema_id: 'default', state: 'paused', traits: { email: 'x@example.com' } }),
      400,
    ],
    [
      'an unsupported hash',
      JSON.stringify({
        schema_id: 'default',
        traits: { email: 'h@example.com' },
        credentials: { password: { config: { hashed_password: 'plain' } } },
      }),
      400,
    ],
  ])('POST /admin/identities with %s answers 400 in Ory’s error shape', async (_what, body, status) => {
    const answer = await call('POST', '/admin/identities', body);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({
      code: status,
      status: 'Bad Request',
      message: expect.any(String),
    });
  });

  it('names the unknown field as Go’s strict decoder does', async () => {
    const answer = await call(
      'POST',
      '/admin/identities',
      JSON.stringify({ schema_id: 'default', traits: {}, nickname: 'x' }),
    );
    expect(answer.body.error.message).toBe('json: unknown field "nickname"');
  });

  it('answers a schema violation with 400 whose reason names the trait path', async () => {
    const missing = await call(
      'POST',
      '/admin/identities',
      JSON.stringify({ schema_id: 'default', traits: {} }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.reason).toContain('#/traits');
    expect(missing.body.error.reason).toContain('email');
    const format = await call(
      'POST',
      '/admin/identities',
      JSON.stringify({ schema_id: 'default', traits: { email: 'not-an-email' } }),
    );
    expect(format.status).toBe(400);
    expect(format.body.error.reason).toContain('#/traits/email');
  });

  it('answers a duplicate identifier with 409, compared case-insensitively', async () => {
    await createAlice();
    const duplicate = await call(
      'POST',
      '/admin/identities',
      JSON.stringify({ schema_id: 'default', traits: { email: 'ALICE@example.com' } }),
    );
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toEqual({
      code: 409,
      status: 'Conflict',
      request: expect.any(String),
      reason: 'This identity conflicts with another identity that already exists.',
      message: 'The resource could not be created due to a conflict',
    });
  });

  it.each([
    ['GET', '/admin/identities/8b9f2a3c-0000-4000-8000-000000000000'],
    ['GET', '/admin/identities/not-a-uuid'],
    ['DELETE', '/admin/identities/8b9f2a3c-0000-4000-8000-000000000000'],
    ['PUT', '/admin/identities/8b9f2a3c-0000-4000-8000-000000000000'],
    ['PATCH', '/admin/identities/8b9f2a3c-0000-4000-8000-000000000000'],
    ['GET', '/admin/identities/8b9f2a3c-0000-4000-8000-000000000000/sessions'],
  ])('%s %s for an unknown identity answers 404', async (method, path) => {
    const body =
      method === 'PUT'
        ? JSON.stringify({ schema_id: 'default', state: 'active', traits: { email: 'z@example.com' } })
        : method === 'PATCH'
          ? '[]'
          : undefined;
    const answer = await call(method, path, body);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({ code: 404, status: 'Not Found' });
  });

  it('answers a crafted page token with 400, as Kratos does', async () => {
    const answer = await call('GET', '/admin/identities?page_token=not-a-token');
    expect(answer.status).toBe(400);
    expect(answer.body.error.reason).toBe('The page token is invalid, do not craft your own page tokens');
  });

  it('refuses combined filters and unknown credential types', async () => {
    const combined = await call(
      'GET',
      `/admin/identities?credentials_identifier=a@example.com&ids=${crypto.randomUUID()}`,
    );
    expect(combined.status).toBe(400);
    expect(combined.body.error.reason).toBe('You cannot combine multiple filters in this API');
    const unknown = await call('GET', '/admin/identities?include_credential=magic');
    expect(unknown.status).toBe(400);
  });

  it('refuses a body over 5 MB with 413', async () => {
    const answer = await call(
      'POST',
      '/admin/identities',
      JSON.stringify({
        schema_id: 'default',
        traits: { email: 'big@example.com', blob: 'x'.repeat(5 * 1024 * 1024) },
      }),
    );
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatchObject({ code: 413, status: 'Request Entity Too Large' });
  });

  it('refuses JSON Patch on the id, the credentials as a whole, and patches that do not apply', async () => {
    const id = await createAlice();
    for (const operations of [
      [{ op: 'replace', path: '/id', value: crypto.randomUUID() }],
      [{ op: 'remove', path: '/credentials' }],
      [{ op: 'replace', path: '/no/such/path', value: 1 }],
      [{ op: 'replace', path: '/state', value: 'paused' }],
      [{ op: 'replace', path: '/traits/email', value: 'not-an-email' }],
      // Replacing the whole document with something that is no identity.
      [{ op: 'copy', path: '', from: '/traits/email' }],
      [{ op: 'replace', path: '', value: [1, 2] }],
    ]) {
      const answer = await call('PATCH', `/admin/identities/${id}`, JSON.stringify(operations));
      expect(answer.status, JSON.stringify(operations)).toBe(400);
    }
  });

  it('answers a batch PATCH with a bad body as a whole with 400, naming what is wrong', async () => {
    const badJson = await call('PATCH', '/admin/identities', '{"identities": [');
    expect(badJson.status).toBe(400);
    const unknownField = await call('PATCH', '/admin/identities', JSON.stringify({ identites: [] }));
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toBe('json: unknown field "identites"');
    const tooMany = await call(
      'PATCH',
      '/admin/identities',
      JSON.stringify({ identities: Array.from({ length: 1001 }, () => ({})) }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.reason).toContain('1000');
  });

  it('reports each failed create of a batch PATCH in its place, and creates the others', async () => {
    await createAlice();
    const answer = await call(
      'PATCH',
      '/admin/identities',
      JSON.stringify({
        identities: [
          { patch_id: 'dup', create: { schema_id: 'default', traits: { email: 'Alice@example.com' } } },
          { patch_id: 'bad', create: { schema_id: 'default', traits: { email: 'not-an-email' } } },
          { patch_id: 'ok', create: { schema_id: 'default', traits: { email: 'batch-ok@example.com' } } },
        ],
      }),
    );
    expect(answer.status).toBe(200);
    const [duplicate, invalid, created] = answer.body.identities;
    expect(duplicate).toMatchObject({ action: 'error', patch_id: 'dup', error: { code: 409 } });
    expect(invalid).toMatchObject({ action: 'error', patch_id: 'bad', error: { code: 400 } });
    expect(invalid.error.reason).toContain('#/traits/email');
    expect(created).toMatchObject({ action: 'create', patch_id: 'ok', identity: expect.any(String) });
    expect((await call('GET', `/admin/identities/${created.identity}`)).status).toBe(200);
  });

  it('answers PUT with a schema violation, a duplicate identifier and bad JSON in Ory’s error shape', async () => {
    const id = await createAlice();
    const other = await call(
      'POST',
      '/admin/identities',
      JSON.stringify({ schema_id: 'default', traits: { email: 'put-other@example.com' } }),
    );
    const put = (body: string) => call('PUT', `/admin/identities/${id}`, body);
    const invalid = await put(
      JSON.stringify({ schema_id: 'default', state: 'active', traits: { email: 'x' } }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.reason).toContain('#/traits/email');
    const duplicate = await put(
      JSON.stringify({ schema_id: 'default', state: 'active', traits: { email: 'PUT-other@example.com' } }),
    );
    expect(duplicate.status).toBe(409);
    expect((await put('{"traits":')).status).toBe(400);
    expect(other.status).toBe(201);
  });

  it('refuses to remove the only first factor, and a credential the identity does not have', async () => {
    const id = await createAlice();
    expect((await call('DELETE', `/admin/identities/${id}/credentials/password`)).status).toBe(400);
    expect((await call('DELETE', `/admin/identities/${id}/credentials/totp`)).status).toBe(404);
  });

  it('never answers random JSON on the write endpoints with a 5xx', async () => {
    const id = await createAlice();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ['POST', '/admin/identities'],
          ['PUT', `/admin/identities/${id}`],
          ['PATCH', `/admin/identities/${id}`],
          ['PATCH', '/admin/identities'],
        ),
        fc.oneof(
          fc.json(),
          fc
            .record(
              {
                schema_id: fc.oneof(fc.constant('default'), fc.string()),
                traits: fc.jsonValue(),
                state: fc.jsonValue(),
              },
              { requiredKeys: [] },
            )
            .map((value) => JSON.stringify(value)),
          fc
            .array(
              fc.record(
                {
                  op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'x'),
                  path: fc.string(),
                  value: fc.jsonValue(),
                  from: fc.string(),
                },
                { requiredKeys: ['op'] },
              ),
            )
            .map((value) => JSON.stringify(value)),
        ),
        async ([method, path], body) => {
          const answer = await fetch(`${server.adminUrl}${path}`, {
            method,
            headers: { 'content-type': 'application/json' },
            body,
          });
          await answer.arrayBuffer();
          expect(answer.status, `${method} ${path} ${body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
});
