import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { loadIdentityConfig } from '../../../src/config/identity-config.js';
import { createIdentityServices, type IdentityServices } from '../../../src/daemon/identity-services.js';
import { type Database, openDatabase } from '../../../src/db/database.js';
import { parseDsn } from '../../../src/db/dsn.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { Migrator } from '../../../src/db/migrator.js';
import { createHttpApp } from '../../../src/http/create-app.js';
import type { Identity } from '../../../src/identity/identity.js';
import { silentLogger } from '../../../src/log/logger.js';
import { cryptoRandom } from '../../../src/random.js';
import { redirectToErrorUi } from '../../../src/selfservice/errors/browser-error-redirect.js';
import { SelfServiceErrorRepository } from '../../../src/selfservice/errors/error-repository.js';
import {
  csrfCookieName,
  csrfCookieOptions,
  newCsrfToken,
  readCsrfCookieConfig,
} from '../../../src/selfservice/flow/csrf.js';
import { readAllowedReturnUrls } from '../../../src/selfservice/flow/return-to.js';
import { registerLogoutRoutes } from '../../../src/selfservice/logout/logout-routes.js';
import { readSelfserviceConfig } from '../../../src/selfservice/selfservice-config.js';
import { registerPublicSessionRoutes } from '../../../src/session/session-routes.js';
import { hashToken, logoutTokenFor } from '../../../src/session/session-token.js';
import { PORTAL, writeConfig } from '../../config/config-fixtures.js';
import { browserClient } from '../../support/browser-client.js';
import { storageBackends } from '../../support/postgres.js';

// The base URL the server builds its URLs on (and hashes into the CSRF cookie name); the server
// itself listens on a free port, so requests go to `server` and URLs are compared with `BASE`.
const BASE = 'http://127.0.0.1:4433/';
const CSRF_COOKIE = 'csrf_token_806060ca5bf70dff3caa0e5c860002aade9d470a5a4dce73bcfa7ba10778f481';
const SESSION_COOKIE = 'gatehouse_session';
const LOGOUT_RETURN = 'http://127.0.0.1/auth/login';
const ERROR_UI = 'http://127.0.0.1/error';
const FORBIDDEN_REASON =
  'Unable to log out because the logout token in the URL query does not match the session cookie.';
const UNKNOWN_TOKEN_REASON =
  'The provided Ory Session Token could not be found, is invalid, or otherwise malformed.';

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags map to ''. */
  attributes: Record<string, string>;
}

function parseSetCookies(headers: Headers): SetCookie[] {
  return headers.getSetCookie().map((line) => {
    const [pair, ...rest] = line.split(';');
    const equals = pair!.indexOf('=');
    const attributes: Record<string, string> = {};
    for (const attribute of rest) {
      const [key, ...value] = attribute.trim().split('=');
      attributes[key!.toLowerCase()] = value.join('=');
    }
    return { name: pair!.slice(0, equals), value: pair!.slice(equals + 1), attributes };
  });
}

describe.each(storageBackends)('logout, on %s', (_name, backend) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  let services: IdentityServices;
  let errors: SelfServiceErrorRepository;
  let app: FastifyInstance;
  let server: string;
  let alice: Identity;

  beforeAll(async () => {
    const created = await backend();
    drop = created.drop;
    const file = writeConfig(
      `logout-${Math.random().toString(36).slice(2)}.yml`,
      `dsn: ${created.dsn}
dev: true
serve:
  public: { base_url: ${BASE} }
selfservice:
  default_browser_return_url: http://127.0.0.1/
  allowed_return_urls: [http://127.0.0.1/dashboard, https://app.example.com/]
  flows:
    error: { ui_url: ${ERROR_UI} }
    logout: { after: { default_browser_return_url: ${LOGOUT_RETURN} } }
session:
  cookie: { name: ${SESSION_COOKIE}, domain: gatehouse.test, path: /, same_site: Strict }
identity:
  default_schema_id: default
  schemas:
    - id: default
      url: file://${PORTAL}identity.schema.json
hashers:
  algorithm: bcrypt
  bcrypt: { cost: 4 }
secrets:
  cookie: [a-cookie-secret-of-the-tests-0001]
`,
    );
    const config = loadIdentityConfig({ files: [file], env: {} });
    db = openDatabase(parseDsn(config.dsn));
    await new Migrator(db, migrations, { clock: systemClock, holder: 'test' }).up();
    const log = silentLogger();
    const registry = { config, log, clock: systemClock, random: cryptoRandom, db, migrations };
    services = await createIdentityServices(registry, process.cwd());
    errors = new SelfServiceErrorRepository(db, { clock: systemClock, random: cryptoRandom });
    const selfservice = readSelfserviceConfig(config.document);
    const csrfCookie = {
      name: csrfCookieName(BASE),
      options: csrfCookieOptions(readCsrfCookieConfig(config.document, config.dev)),
    };

    app = createHttpApp({ log, server: 'identity-public' });
    await app.register(fastifyCookie);
    registerPublicSessionRoutes(app, {
      manager: services.sessionManager,
      sessions: services.sessions,
      clock: systemClock,
      schemaUrlFor: (id) => `${BASE}schemas/${id}`,
    });
    registerLogoutRoutes(app, {
      manager: services.sessionManager,
      sessions: services.sessions,
      config: selfservice,
      publicBaseUrl: new URL(BASE),
      allowedReturnUrls: readAllowedReturnUrls(selfservice.allowedReturnUrls, log),
      clock: systemClock,
      random: cryptoRandom,
      csrfCookie,
      clearBrowserData: true,
      async browserError(request, reply, error) {
        const to = await redirectToErrorUi(error, {
          errors,
          errorUiUrl: selfservice.errorUiUrl,
          csrfToken: request.cookies[csrfCookie.name] ?? '',
        });
        return reply.redirect(to, 303);
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    server = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    alice = await services.identityManager.create({
      schemaId: 'default',
      traits: { email: 'alice@example.com' },
      state: 'active',
      metadataPublic: null,
      metadataAdmin: null,
      organizationId: null,
    });
  });
  afterAll(async () => {
    await app?.close();
    await services?.close();
    await db?.close();
    await drop?.();
  });

  async function signIn() {
    return services.sessionManager.issue(
      alice,
      [{ method: 'password', aal: 'aal1', completedAt: new Date() }],
      {
        ipAddress: '127.0.0.1',
        userAgent: 'vitest',
      },
    );
  }

  /** A browser (the SDK with a cookie jar) holding a fresh session's cookie and a CSRF cookie. */
  async function signedInBrowser() {
    const issued = await signIn();
    const browser = browserClient(server);
    browser.cookies.set(SESSION_COOKIE, services.sessionManager.cookie(issued.token, issued.session).value);
    browser.cookies.set(CSRF_COOKIE, newCsrfToken(cryptoRandom));
    return { ...browser, issued };
  }

  function cookieHeader(cookies: Map<string, string>): string {
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** The real `/sessions/whoami` on the same app, with the browser's cookies or a token. */
  async function whoami(credentials: { cookies?: Map<string, string>; token?: string }): Promise<number> {
    const headers: Record<string, string> = {};
    if (credentials.cookies) headers.cookie = cookieHeader(credentials.cookies);
    if (credentials.token) headers['x-session-token'] = credentials.token;
    return (await fetch(`${server}/sessions/whoami`, { headers })).status;
  }

  /** A GET on this server of the path and query of a URL built on BASE; HTML unless `json`. */
  async function open(
    url: string,
    cookies: Map<string, string> | undefined,
    json = false,
    extraHeaders: Record<string, string> = {},
  ) {
    const target = new URL(url, BASE);
    const headers: Record<string, string> = {
      accept: json ? 'application/json' : 'text/html',
      ...extraHeaders,
    };
    if (cookies) headers.cookie = cookieHeader(cookies);
    const response = await fetch(`${server}${target.pathname}${target.search}`, {
      headers,
      redirect: 'manual',
    });
    const text = await response.text();
    return { response, body: text === '' ? undefined : JSON.parse(text) };
  }

  /** The status and body of an SDK call that is expected to fail. */
  async function failure(call: Promise<unknown>) {
    try {
      await call;
    } catch (error) {
      const response = (
        error as { response?: { status: number; data: unknown; headers: Record<string, string> } }
      ).response;
      if (response) return response;
      throw error;
    }
    throw new Error('the call succeeded');
  }

  async function storedError(location: string) {
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe(ERROR_UI);
    const stored = await errors.get(url.searchParams.get('id')!);
    expect(stored, `an error is stored under ${location}`).toBeDefined();
    return stored!.error;
  }

  describe('GET /self-service/logout/browser', () => {
    it('gives a signed-in browser a logout token and a logout URL on the public base URL', async () => {
      const { frontend } = await signedInBrowser();
      const { status, data } = await frontend.createBrowserLogoutFlow();
      expect(status).toBe(200);
      expect(data.logout_token).toMatch(/^ory_lo_[A-Za-z0-9]{32}$/);
      expect(data.logout_url).toBe(`${BASE}self-service/logout?token=${data.logout_token}`);
    });

    it('hands out the same logout token every time, so links rendered earlier keep working', async () => {
      const { frontend, issued, cookies } = await signedInBrowser();
      const first = (await frontend.createBrowserLogoutFlow()).data;
      const second = (await frontend.createBrowserLogoutFlow()).data;
      expect(second).toEqual(first);
      // A server-side app forwards the browser's cookies and gets the same answer.
      const forwarded = await browserClient(server).frontend.createBrowserLogoutFlow({
        cookie: cookieHeader(cookies),
      });
      expect(forwarded.data.logout_token).toBe(first.logout_token);
      // It is the token issued with the session, whose hash the session row keeps.
      expect(first.logout_token).toBe(issued.logoutToken);
      const row = await db.kysely
        .selectFrom('sessions')
        .select('logout_token_hash')
        .where('id', '=', issued.session.id)
        .executeTakeFirstOrThrow();
      expect(row.logout_token_hash).toBe(hashToken(first.logout_token));
    });

    it('puts an allowed return_to into the logout URL, sorted before the token as Kratos encodes it', async () => {
      const { frontend } = await signedInBrowser();
      const { data } = await frontend.createBrowserLogoutFlow({
        returnTo: 'http://127.0.0.1/dashboard/bye?x=1 2',
      });
      expect(data.logout_url).toBe(
        `${BASE}self-service/logout?return_to=http%3A%2F%2F127.0.0.1%2Fdashboard%2Fbye%3Fx%3D1+2&token=${data.logout_token}`,
      );
      // A relative return_to takes the scheme and host of the logout return URL.
      const relative = (await frontend.createBrowserLogoutFlow({ returnTo: '/dashboard/bye' })).data;
      expect(new URL(relative.logout_url).searchParams.get('return_to')).toBe(
        'http://127.0.0.1/dashboard/bye',
      );
    });

    it('refuses a foreign return_to with 400 self_service_flow_return_to_forbidden, and the session lives on', async () => {
      const { frontend, cookies } = await signedInBrowser();
      const refused = await failure(frontend.createBrowserLogoutFlow({ returnTo: 'https://evil.example/' }));
      expect(refused.status).toBe(400);
      expect(refused.data).toMatchObject({
        error: {
          id: 'self_service_flow_return_to_forbidden',
          code: 400,
          status: 'Bad Request',
          reason: 'Requested return_to URL "https://evil.example/" is not allowed.',
        },
      });
      expect(await whoami({ cookies })).toBe(200);
    });

    it('answers a request without a session with 401 session_inactive, as Kratos words it', async () => {
      const { frontend } = browserClient(server);
      const refused = await failure(frontend.createBrowserLogoutFlow());
      expect(refused.status).toBe(401);
      expect(refused.headers['ory-error-id']).toBe('session_inactive');
      expect(refused.data).toEqual({
        error: {
          id: 'session_inactive',
          code: 401,
          status: 'Unauthorized',
          request: expect.any(String),
          reason: 'No active session was found in this request.',
          message: 'request does not have a valid authentication session',
        },
        CredentialsMissing: true,
      });
    });

    it('says credentials were sent when a revoked session’s cookie comes', async () => {
      const { frontend, issued } = await signedInBrowser();
      await services.sessions.deactivate({ id: issued.session.id }, new Date());
      const refused = await failure(frontend.createBrowserLogoutFlow());
      expect(refused.status).toBe(401);
      expect(refused.data).toMatchObject({ error: { id: 'session_inactive' }, CredentialsMissing: false });
    });

    it('sends a browser page without a session to the error UI, where the error is kept', async () => {
      const { response } = await open('/self-service/logout/browser', undefined);
      expect(response.status).toBe(303);
      expect(await storedError(response.headers.get('location')!)).toMatchObject({
        id: 'session_inactive',
        code: 401,
      });
    });

    it('gives a browser without a CSRF cookie one, as Kratos’ CSRF middleware does', async () => {
      const { cookies } = await signedInBrowser();
      cookies.delete(CSRF_COOKIE);
      const { response } = await open('/self-service/logout/browser', cookies, true);
      expect(response.status).toBe(200);
      const csrf = parseSetCookies(response.headers).find((cookie) => cookie.name === CSRF_COOKIE);
      expect(csrf?.value).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(response.headers.get('vary')).toContain('Cookie');
    });
  });

  describe('GET /self-service/logout (the logout URL)', () => {
    it('ends the session, expires its cookie as issued, rotates the CSRF cookie, and 303s to the logout return URL', async () => {
      const { frontend, cookies, issued } = await signedInBrowser();
      const csrfBefore = cookies.get(CSRF_COOKIE)!;
      const { data } = await frontend.createBrowserLogoutFlow();
      expect(await whoami({ cookies })).toBe(200);

      const { response } = await open(data.logout_url, cookies);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(LOGOUT_RETURN);
      // Browsers ignore Clear-Site-Data from plain http, so it is not sent there even when enabled.
      expect(response.headers.get('clear-site-data')).toBeNull();

      const setCookies = parseSetCookies(response.headers);
      const issuedCookie = services.sessionManager.cookie(issued.token, issued.session);
      const session = setCookies.find((cookie) => cookie.name === SESSION_COOKIE);
      expect(session).toEqual({
        name: SESSION_COOKIE,
        value: '',
        attributes: {
          'max-age': '0',
          expires: 'Thu, 01 Jan 1970 00:00:01 GMT',
          domain: issuedCookie.options.domain,
          path: issuedCookie.options.path,
          httponly: '',
          samesite: 'Strict',
        },
      });
      const csrf = setCookies.find((cookie) => cookie.name === CSRF_COOKIE);
      expect(csrf?.value).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(csrf?.value).not.toBe(csrfBefore);
      expect(csrf?.attributes).toEqual({ 'max-age': '31536000', path: '/', httponly: '', samesite: 'Lax' });

      expect(await whoami({ cookies })).toBe(401);
    });

    it('answers the SDK’s JSON request with 204, and the browser is signed out', async () => {
      const { frontend, cookies } = await signedInBrowser();
      const csrfBefore = cookies.get(CSRF_COOKIE);
      const { data } = await frontend.createBrowserLogoutFlow();
      const sessionCookie = new Map(cookies);
      const done = await frontend.updateLogoutFlow({ token: data.logout_token });
      expect(done.status).toBe(204);
      // The jar dropped the expired session cookie and took the new CSRF token.
      expect(cookies.has(SESSION_COOKIE)).toBe(false);
      expect(cookies.get(CSRF_COOKIE)).not.toBe(csrfBefore);
      expect(await whoami({ cookies: sessionCookie })).toBe(401);
    });

    it('asks the browser to clear the origin’s data after an https logout, when configured', async () => {
      const { frontend, cookies } = await signedInBrowser();
      const { data } = await frontend.createBrowserLogoutFlow();
      const { response } = await open(data.logout_url, cookies, false, { 'x-forwarded-proto': 'https' });
      expect(response.status).toBe(303);
      expect(response.headers.get('clear-site-data')).toBe('"cookies", "storage", "cache"');
    });

    it('sends the browser to an allowed return_to', async () => {
      const { frontend, cookies } = await signedInBrowser();
      const { data } = await frontend.createBrowserLogoutFlow({ returnTo: 'http://127.0.0.1/dashboard/bye' });
      const { response } = await open(data.logout_url, cookies);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('http://127.0.0.1/dashboard/bye');
      expect(await whoami({ cookies })).toBe(401);
    });

    it('signs out but refuses to follow a foreign return_to put into the URL afterwards', async () => {
      const { frontend, cookies } = await signedInBrowser();
      const token = (await frontend.createBrowserLogoutFlow()).data.logout_token;
      const url = `/self-service/logout?token=${token}&return_to=${encodeURIComponent('https://evil.example/')}`;
      const { response, body } = await open(url, new Map(cookies), true);
      expect(response.status).toBe(400);
      expect(body.error.id).toBe('self_service_flow_return_to_forbidden');
      // Kratos ends the session before it looks at return_to: the cookies go with the error.
      const names = parseSetCookies(response.headers).map((cookie) => cookie.name);
      expect(names).toEqual(expect.arrayContaining([SESSION_COOKIE, CSRF_COOKIE]));
      expect(await whoami({ cookies })).toBe(401);
    });

    it('shows a browser page the foreign return_to error on the error UI', async () => {
      const { frontend, cookies } = await signedInBrowser();
      const token = (await frontend.createBrowserLogoutFlow()).data.logout_token;
      const url = `/self-service/logout?token=${token}&return_to=${encodeURIComponent('https://evil.example/')}`;
      const { response } = await open(url, cookies);
      expect(response.status).toBe(303);
      expect(await storedError(response.headers.get('location')!)).toMatchObject({
        id: 'self_service_flow_return_to_forbidden',
      });
    });

    it('answers a wrong token with 403 and leaves the session alone', async () => {
      const { cookies } = await signedInBrowser();
      const other = await signIn();
      for (const token of ['ory_lo_wrongwrongwrongwrongwrongwrong12', other.logoutToken]) {
        const { response, body } = await open(`/self-service/logout?token=${token}`, cookies, true);
        expect(response.status).toBe(403);
        expect(body.error).toEqual({
          code: 403,
          status: 'Forbidden',
          request: expect.any(String),
          reason: FORBIDDEN_REASON,
          message: 'The requested action was forbidden',
        });
        expect(parseSetCookies(response.headers).map((cookie) => cookie.name)).not.toContain(SESSION_COOKIE);
      }
      expect(await whoami({ cookies })).toBe(200);
      expect(await whoami({ token: other.token })).toBe(200);
    });

    it('sends a browser page with a wrong token to the error UI', async () => {
      const { cookies } = await signedInBrowser();
      const { response } = await open('/self-service/logout?token=ory_lo_nope', cookies);
      expect(response.status).toBe(303);
      expect(await storedError(response.headers.get('location')!)).toMatchObject({
        code: 403,
        reason: FORBIDDEN_REASON,
      });
      expect(await whoami({ cookies })).toBe(200);
    });

    it('answers a reused logout URL with 401 session_inactive, with or without the old cookie', async () => {
      const { frontend, cookies } = await signedInBrowser();
      const { data } = await frontend.createBrowserLogoutFlow();
      const oldCookies = new Map(cookies);
      expect((await frontend.updateLogoutFlow({ token: data.logout_token })).status).toBe(204);

      const withOldCookie = await open(data.logout_url, oldCookies, true);
      expect(withOldCookie.response.status).toBe(401);
      expect(withOldCookie.body).toMatchObject({
        error: { id: 'session_inactive' },
        CredentialsMissing: false,
      });
      const refused = await failure(frontend.updateLogoutFlow({ token: data.logout_token }));
      expect(refused.status).toBe(401);
      expect(refused.data).toMatchObject({ error: { id: 'session_inactive' }, CredentialsMissing: true });
    });

    it('answers a missing token with 400 before looking for a session', async () => {
      const { response, body } = await open('/self-service/logout', undefined, true);
      expect(response.status).toBe(400);
      expect(body.error).toMatchObject({
        code: 400,
        message: 'The request was malformed or contained invalid parameters',
        reason: 'Please include a token in the URL query.',
      });
    });
  });

  describe('DELETE /self-service/logout/api', () => {
    it('revokes the session of a session token with 204, and again with 204 once revoked', async () => {
      const issued = await signIn();
      const { frontend } = browserClient(server);
      expect(await whoami({ token: issued.token })).toBe(200);
      const done = await frontend.performNativeLogout({
        performNativeLogoutBody: { session_token: issued.token },
      });
      expect(done.status).toBe(204);
      expect(done.headers['set-cookie']).toBeUndefined();
      expect(await whoami({ token: issued.token })).toBe(401);
      const again = await frontend.performNativeLogout({
        performNativeLogoutBody: { session_token: issued.token },
      });
      expect(again.status).toBe(204);
    });

    it('answers a token that names no session with 403 and Kratos’ reason', async () => {
      const { frontend } = browserClient(server);
      for (const session_token of ['ory_st_unknownunknownunknownunknown00', '']) {
        const refused = await failure(
          frontend.performNativeLogout({ performNativeLogoutBody: { session_token } }),
        );
        expect(refused.status, JSON.stringify(session_token)).toBe(403);
        expect(refused.data).toEqual({
          error: {
            code: 403,
            status: 'Forbidden',
            request: expect.any(String),
            reason: UNKNOWN_TOKEN_REASON,
            message: 'The requested action was forbidden',
          },
        });
      }
    });

    it('does not take a logout token or a session’s id for a session token', async () => {
      const issued = await signIn();
      for (const session_token of [issued.logoutToken, issued.session.id]) {
        const response = await fetch(`${server}/self-service/logout/api`, {
          method: 'DELETE',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ session_token }),
        });
        expect(response.status).toBe(403);
      }
      expect(await whoami({ token: issued.token })).toBe(200);
    });

    it('answers bodies Kratos cannot decode with 400 and its decoder’s reason', async () => {
      const cases: [RequestInit, string][] = [
        [{}, 'Unable to decode HTTP Request Body because its HTTP Header "Content-Length" is zero.'],
        [
          { headers: { 'content-type': 'text/plain' }, body: '{"session_token":"x"}' },
          'HTTP DELETE Request used unknown HTTP Header "Content-Type: text/plain", only [application/json] are supported.',
        ],
        [
          { headers: { 'content-type': 'application/json' }, body: '{"session_token":' },
          'Unable to decode JSON payload: unexpected EOF',
        ],
        [
          { headers: { 'content-type': 'application/json' }, body: '{"session_token": 42}' },
          'Unable to decode JSON payload: json: cannot unmarshal number into Go struct field performNativeLogoutBody.session_token of type string',
        ],
      ];
      for (const [init, reason] of cases) {
        const response = await fetch(`${server}/self-service/logout/api`, { method: 'DELETE', ...init });
        expect(response.status, reason).toBe(400);
        expect(await response.json()).toMatchObject({
          error: { code: 400, message: 'The request was malformed or contained invalid parameters', reason },
        });
      }
    });

    it('accepts a JSON body with a charset and a key in other letter case, as Go decodes it', async () => {
      const issued = await signIn();
      const response = await fetch(`${server}/self-service/logout/api`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: `{"Session_Token": "${issued.token}", "unknown": true}`,
      });
      expect(response.status).toBe(204);
      expect(await whoami({ token: issued.token })).toBe(401);
    });
  });
});

describe('logout tokens', () => {
  it('are Kratos-shaped, fixed per session token, and differ between session tokens', () => {
    const token = logoutTokenFor('ory_st_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(token).toMatch(/^ory_lo_[A-Za-z0-9]{32}$/);
    expect(logoutTokenFor('ory_st_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(token);
    expect(logoutTokenFor('ory_st_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB')).not.toBe(token);
  });
});
