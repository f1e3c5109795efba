import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../src/config/object-path.js';
import type { Identity } from '../../../../src/identity/identity.js';
import {
  AuthenticationSession,
  MatchContext,
} from '../../../../src/proxy/pipeline/authentication-session.js';
import { bearerToken } from '../../../../src/proxy/pipeline/authn/bearer-token.js';
import { cookieSession } from '../../../../src/proxy/pipeline/authn/cookie-session.js';
import type { AuthenticationOutcome, AuthenticatorHandler } from '../../../../src/proxy/pipeline/handler.js';
import type { PipelineRequest } from '../../../../src/proxy/pipeline/pipeline-request.js';
import { GoHeader, GoUrl } from '../../../../src/template/go-net.js';
import { startIdentityServer } from '../../../identity/support/identity-server.js';
import { handlerDependencies } from '../../support/handler-dependencies.js';

let identityServer: Awaited<ReturnType<typeof startIdentityServer>>;
let identity: Identity;
let cookie: string;
let token: string;
/** A stand-in for the identity server that records what it was asked and answers as told. */
let stub: Server;
let stubUrl: string;
const seen: IncomingMessage[] = [];
let stubAnswer: { status: number; body: string } = { status: 200, body: '{}' };

beforeAll(async () => {
  identityServer = await startIdentityServer({ dsn: 'memory' });
  identity = await identityServer.services.identityManager.create({
    schemaId: 'default',
    traits: { email: 'proxy-user@example.com' },
    state: 'active',
    metadataPublic: null,
    metadataAdmin: null,
    organizationId: null,
  });
  const issued = await identityServer.services.sessionManager.issue(
    identity,
    [{ method: 'password', aal: 'aal1', completedAt: new Date() }],
    { ipAddress: '127.0.0.1', userAgent: 'vitest' },
  );
  const sealed = identityServer.services.sessionManager.cookie(issued.token, issued.session);
  cookie = `${sealed.name}=${sealed.value}`;
  token = issued.token;
  stub = createServer((request, response) => {
    seen.push(request);
    response.writeHead(stubAnswer.status, { 'content-type': 'application/json' }).end(stubAnswer.body);
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await identityServer?.stop();
  await new Promise((resolve) => stub?.close(resolve));
});

function pipelineRequest(url: string, headers: Record<string, string> = {}, method = 'GET'): PipelineRequest {
  return { method, url: new URL(url), headers, remoteAddress: '127.0.0.1' };
}

async function authenticate(
  handler: AuthenticatorHandler,
  config: JsonObject,
  request: PipelineRequest,
): Promise<{ outcome: AuthenticationOutcome; session: AuthenticationSession }> {
  const prepared = handler.prepare(config, handlerDependencies());
  const session = new AuthenticationSession(
    new MatchContext(
      [],
      () => new GoUrl(request.url),
      request.method,
      () => new GoHeader(),
    ),
  );
  return { outcome: await prepared.authenticate(request, session), session };
}

// The portal's cookie_session config, pointed at the identity server of this test.
const portalCookieSession = () => ({
  check_session_url: `${identityServer.publicUrl}/sessions/whoami`,
  preserve_path: true,
  preserve_query: true,
  extra_from: '@this',
  subject_from: 'identity.id',
  only: ['ory_kratos_session'],
});

describe('cookie_session', () => {
  it('with the portal’s config: the subject is the identity id and Extra the whole whoami body', async () => {
    const { outcome, session } = await authenticate(
      cookieSession,
      portalCookieSession(),
      pipelineRequest('http://oathkeeper:4455/settings', { cookie: `theme=dark; ${cookie}` }),
    );
    expect(outcome).toEqual({ kind: 'authenticated' });
    expect(session.Subject).toBe(identity.id);
    const whoami = await (
      await fetch(`${identityServer.publicUrl}/sessions/whoami`, { headers: { cookie } })
    ).json();
    expect(session.Extra).toEqual(whoami);
  });

  it('is not responsible without a cookie, or without one of the `only` cookies', async () => {
    for (const headers of [{}, { cookie: 'theme=dark' }] as Record<string, string>[]) {
      const { outcome } = await authenticate(
        cookieSession,
        portalCookieSession(),
        pipelineRequest('http://oathkeeper:4455/settings', headers),
      );
      expect(outcome).toEqual({ kind: 'not_responsible' });
    }
  });

  it('refuses a cookie the identity server does not know with 401', async () => {
    const { outcome } = await authenticate(
      cookieSession,
      portalCookieSession(),
      pipelineRequest('http://oathkeeper:4455/settings', { cookie: 'ory_kratos_session=forged' }),
    );
    expect(outcome.kind).toBe('failed');
    if (outcome.kind === 'failed') expect(outcome.error.status).toBe(401);
  });

  it('answers 503 when the identity server cannot be reached or fails, 429 when it throttles', async () => {
    const unreachable = await authenticate(
      cookieSession,
      { ...portalCookieSession(), check_session_url: 'http://127.0.0.1:9/sessions/whoami' },
      pipelineRequest('http://oathkeeper:4455/settings', { cookie }),
    );
    expect(unreachable.outcome.kind === 'failed' && unreachable.outcome.error.status).toBe(503);
    for (const [status, expected] of [
      [500, 503],
      [502, 503],
      [429, 429],
      [403, 401],
    ] as const) {
      stubAnswer = { status, body: '{}' };
      const { outcome } = await authenticate(
        cookieSession,
        { check_session_url: `${stubUrl}/sessions/whoami` },
        pipelineRequest('http://oathkeeper:4455/x', { cookie: 'a=b' }),
      );
      expect(outcome.kind === 'failed' && outcome.error.status, `identity server ${status}`).toBe(expected);
    }
  });

  it('asks with the request’s path and method unless told otherwise, only the cookie and the listed headers', async () => {
    stubAnswer = { status: 200, body: '{"subject":"s","extra":{"a":1}}' };
    seen.length = 0;
    const { session } = await authenticate(
      cookieSession,
      {
        check_session_url: `${stubUrl}/sessions/whoami?from=config`,
        preserve_query: false,
        forward_http_headers: ['X-Trace'],
        additional_headers: { 'X-Extra': 'yes' },
        preserve_host: true,
      },
      pipelineRequest(
        'http://oathkeeper:4455/api/items?page=2',
        { cookie: 'a=b', 'x-trace': 't-1', 'x-secret': 'no', authorization: 'Bearer nope' },
        'PUT',
      ),
    );
    const asked = seen[0]!;
    expect(asked.method).toBe('PUT');
    expect(asked.url).toBe('/api/items?page=2');
    expect(asked.headers).toMatchObject({
      cookie: 'a=b',
      'x-trace': 't-1',
      'x-extra': 'yes',
      'x-forwarded-host': 'oathkeeper:4455',
    });
    expect(asked.headers['x-secret']).toBeUndefined();
    expect(asked.headers.authorization).toBeUndefined();
    expect(session.Subject).toBe('s');
    expect(session.Extra).toEqual({ a: 1 });
  });

  it('refuses with 403 a session check whose subject or extra has the wrong type', async () => {
    for (const body of ['{"subject":42}', '{"subject":"s","extra":"text"}', 'not json']) {
      stubAnswer = { status: 200, body };
      const { outcome } = await authenticate(
        cookieSession,
        { check_session_url: `${stubUrl}/sessions/whoami` },
        pipelineRequest('http://oathkeeper:4455/x', { cookie: 'a=b' }),
      );
      expect(outcome.kind === 'failed' && outcome.error.status, body).toBe(403);
    }
  });
});

describe('bearer_token', () => {
  const config = () => ({
    check_session_url: `${identityServer.publicUrl}/sessions/whoami`,
    preserve_path: true,
    subject_from: 'identity.id',
    extra_from: '@this',
  });

  it('authenticates a session token sent as Authorization: Bearer (scheme in any case)', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const { outcome, session } = await authenticate(
        bearerToken,
        config(),
        pipelineRequest('http://oathkeeper:4455/api', { authorization: `${scheme} ${token}` }),
      );
      expect(outcome).toEqual({ kind: 'authenticated' });
      expect(session.Subject).toBe(identity.id);
    }
  });

  it('reads the token from a query parameter or a cookie when told, and needs its prefix', async () => {
    const fromQuery = await authenticate(
      bearerToken,
      { ...config(), token_from: { query_parameter: 'token' } },
      pipelineRequest(`http://oathkeeper:4455/api?token=${token}`),
    );
    expect(fromQuery.outcome).toEqual({ kind: 'authenticated' });
    const fromCookie = await authenticate(
      bearerToken,
      { ...config(), token_from: { cookie: 'st' } },
      pipelineRequest('http://oathkeeper:4455/api', { cookie: `st=${token}` }),
    );
    expect(fromCookie.outcome).toEqual({ kind: 'authenticated' });
    const wrongPrefix = await authenticate(
      bearerToken,
      { ...config(), prefix: 'ory_lo_' },
      pipelineRequest('http://oathkeeper:4455/api', { authorization: `Bearer ${token}` }),
    );
    expect(wrongPrefix.outcome).toEqual({ kind: 'not_responsible' });
  });

  it('is not responsible without a token, and refuses an unknown one with 401', async () => {
    expect(
      (await authenticate(bearerToken, config(), pipelineRequest('http://oathkeeper:4455/api'))).outcome,
    ).toEqual({
      kind: 'not_responsible',
    });
    const unknown = await authenticate(
      bearerToken,
      config(),
      pipelineRequest('http://oathkeeper:4455/api', {
        authorization: 'Bearer ory_st_unknownunknownunknownunknown00',
      }),
    );
    expect(unknown.outcome.kind === 'failed' && unknown.outcome.error.status).toBe(401);
  });
});
