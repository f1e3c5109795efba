import { createHash, timingSafeEqual } from 'node:crypto';
import { posix } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.js';
import { HttpError } from '../../http/http-error.js';
import type { RandomSource } from '../../random.js';
import { openSessionCookie } from '../../session/session-cookie.js';
import type { CookieOptions, SessionManager } from '../../session/session-manager.js';
import type { SessionRepository } from '../../session/session-repository.js';
import { sessionOf } from '../../session/session-routes.js';
import { hashToken, logoutTokenFor } from '../../session/session-token.js';
import { withQueryParameter } from '../errors/browser-error-redirect.js';
import { isCsrfToken, newCsrfToken } from '../flow/csrf.js';
import { wantsJson } from '../flow/response-mode.js';
import { type AllowedReturnUrl, secureReturnTo } from '../flow/return-to.js';
import type { SelfserviceConfig } from '../selfservice-config.js';
import { readNativeLogoutBody } from './native-logout-body.js';

export interface LogoutRoutesDependencies {
  manager: SessionManager;
  sessions: SessionRepository;
  config: SelfserviceConfig;
  /** `serve.public.base_url`: logout URLs are built on it, and `<it>/self-service` is a safe return_to. */
  publicBaseUrl: URL;
  allowedReturnUrls: readonly AllowedReturnUrl[];
  clock: Clock;
  random: RandomSource;
  /** The CSRF cookie (csrfCookieName, csrfCookieOptions): rotated by every browser logout. */
  csrfCookie: { name: string; options: CookieOptions };
  /** `selfservice.flows.logout.clear_browser_data`: send `Clear-Site-Data` after an https logout. */
  clearBrowserData?: boolean;
  /**
   * Shows a browser (an HTML request) an error: stored for the error UI, and a 303 there. JSON
   * requests never reach it; they get the error JSON directly.
   */
  browserError(request: FastifyRequest, reply: FastifyReply, error: HttpError): Promise<FastifyReply>;
}

/**
 * Kratos' three logout endpoints on the public port: `GET /self-service/logout/browser` (a logout
 * URL for the signed-in browser), `GET /self-service/logout?token=` (that URL: ends the session,
 * removes its cookie, rotates the CSRF cookie) and `DELETE /self-service/logout/api` (ends the
 * session of a session token, for apps).
 */
export function registerLogoutRoutes(app: FastifyInstance, deps: LogoutRoutesDependencies): void {
  const { manager, sessions, config, clock } = deps;
  const logoutPath = new URL(deps.publicBaseUrl.href);
  logoutPath.pathname = posix.join(logoutPath.pathname, '/self-service/logout');
  const logoutBase = logoutPath.href;

  // Kratos answers a JSON request with the error itself and sends a browser to the error UI.
  const forward = (request: FastifyRequest, reply: FastifyReply, error: HttpError) => {
    if (wantsJson(request.headers)) throw error;
    return deps.browserError(request, reply, error);
  };
  const returnTo = (request: FastifyRequest) =>
    secureReturnTo({
      requestUrl: request.url,
      defaultReturnUrl: config.logoutDefaultReturnUrl,
      allowed: deps.allowedReturnUrls,
      publicBaseUrl: deps.publicBaseUrl.href,
    });

  app.get('/self-service/logout/browser', async (request, reply) => {
    passCsrfMiddleware(request, reply, deps);
    const active = await sessionOf(request, manager);
    if (!active) return forward(request, reply, sessionInactive(!carriesCredentials(request, manager)));
    // return_to is checked now, so a forbidden one fails here and not after the session is gone.
    let checkedReturnTo: string | undefined;
    if (goQueryValue(request.url, 'return_to') !== '') {
      const checked = returnTo(request);
      if (checked instanceof HttpError) return forward(request, reply, checked);
      checkedReturnTo = checked;
    }
    const token = logoutTokenFor(active.token);
    let logoutUrl = withQueryParameter(logoutBase, 'token', token);
    if (checkedReturnTo !== undefined)
      logoutUrl = withQueryParameter(logoutUrl, 'return_to', checkedReturnTo);
    // Always JSON, also for an HTML request: the page shows the link, it does not follow it.
    return reply.send({ logout_url: logoutUrl, logout_token: token });
  });

  app.get('/self-service/logout', async (request, reply) => {
    passCsrfMiddleware(request, reply, deps);
    const expected = goQueryValue(request.url, 'token');
    if (expected === '') {
      return forward(
        request,
        reply,
        new HttpError({
          code: 400,
          message: 'The request was malformed or contained invalid parameters',
          reason: 'Please include a token in the URL query.',
        }),
      );
    }
    // Without the session the token belongs to, nothing is ended, and the client is told so
    // (401) instead of being sent on as if it had signed out.
    const active = await sessionOf(request, manager);
    if (!active) return forward(request, reply, sessionInactive(!carriesCredentials(request, manager)));
    // The token is a secret: compared in constant time (as digests, to make the lengths equal).
    if (!timingSafeEqual(digest(logoutTokenFor(active.token)), digest(expected))) {
      return forward(
        request,
        reply,
        new HttpError({
          code: 403,
          message: 'The requested action was forbidden',
          reason:
            'Unable to log out because the logout token in the URL query does not match the session cookie.',
        }),
      );
    }
    // Kratos revokes the Authorization bearer's session when there is one, whichever session the
    // token was checked against, and nothing when the session came by X-Session-Token; gatehouse
    // ends exactly the session the logout token belongs to.
    await sessions.deactivate({ id: active.session.id }, clock.now());
    if (active.cookieExpiresAt) {
      const expired = manager.expiredCookie();
      reply.setCookie(expired.name, expired.value, expired.options);
    }
    // A CSRF token known before the logout must not carry over to the next person's sign-in.
    reply.setCookie(deps.csrfCookie.name, newCsrfToken(deps.random), deps.csrfCookie.options);

    // As in Kratos, return_to is checked after the session has ended: a forbidden one is an error
    // page, but the browser is signed out all the same (the cookies above go with the error).
    const destination = returnTo(request);
    if (destination instanceof HttpError) return forward(request, reply, destination);
    // Browsers honour Clear-Site-Data only from secure origins; it is opt-in because it would also
    // wipe what other applications on the same origin keep.
    if (deps.clearBrowserData && requestScheme(request) === 'https') {
      reply.header('clear-site-data', '"cookies", "storage", "cache"');
    }
    if (wantsJson(request.headers)) return reply.code(204).send();
    return reply.redirect(destination, 303);
  });

  // The body must be read as Kratos' decoder reads it (its checks and texts), so this route takes
  // it raw, in a scope of its own that leaves the other routes' parsers alone.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.delete('/self-service/logout/api', async (request, reply) => {
      // Kratos' CSRF middleware ignores this route, but it still marks the answer as cookie-dependent.
      reply.header('vary', 'Cookie');
      const token = readNativeLogoutBody(request.headers, request.body as Buffer | undefined);
      if (token instanceof HttpError) throw token;
      // Any session the token ever named: one already revoked or expired is a 204 too.
      const session = token === '' ? undefined : await sessions.findByTokenHash(hashToken(token));
      if (!session) {
        throw new HttpError({
          code: 403,
          message: 'The requested action was forbidden',
          reason: 'The provided Ory Session Token could not be found, is invalid, or otherwise malformed.',
        });
      }
      await sessions.deactivate({ id: session.id }, clock.now());
      return reply.code(204).send();
    });
  });
}

/**
 * 401 `session_inactive`, as Kratos answers endpoints that pass its session lookup error on. The
 * stray top-level `CredentialsMissing` (true when the request carried no session credential at
 * all) is part of that answer.
 */
function sessionInactive(credentialsMissing: boolean): HttpError {
  return new HttpError({
    code: 401,
    id: 'session_inactive',
    message: 'request does not have a valid authentication session',
    reason: 'No active session was found in this request.',
    extra: { CredentialsMissing: credentialsMissing },
  });
}

/** Whether a request carries a session credential at all, valid or not (Kratos' token extraction). */
function carriesCredentials(request: FastifyRequest, manager: SessionManager): boolean {
  if (request.headers['x-session-token']) return true;
  const cookie = request.cookies?.[manager.config.cookie.name];
  if (cookie && openSessionCookie(cookie, manager.config.cookieSecrets)) return true;
  const authorization = request.headers.authorization ?? '';
  const space = authorization.indexOf(' ');
  return (
    space >= 0 && authorization.slice(0, space).toLowerCase() === 'bearer' && space < authorization.length - 1
  );
}

/**
 * What Kratos' CSRF middleware (nosurf) does on these routes before the handler runs: marks the
 * answer as varying with cookies, and gives a browser without a valid CSRF cookie a new one.
 */
function passCsrfMiddleware(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: LogoutRoutesDependencies,
): void {
  reply.header('vary', 'Cookie');
  const existing = request.cookies?.[deps.csrfCookie.name];
  if (!existing || !isCsrfToken(existing)) {
    reply.setCookie(deps.csrfCookie.name, newCsrfToken(deps.random), deps.csrfCookie.options);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The request's scheme as Kratos sees it: `X-Forwarded-Proto` when set, else the connection's. */
function requestScheme(request: FastifyRequest): string {
  const forwarded = request.headers['x-forwarded-proto'];
  const proto = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  if (proto) return proto;
  return (request.raw.socket as TLSSocket).encrypted ? 'https' : 'http';
}

/**
 * `url.Query().Get(key)` in Go, on a request target: the first value, with `+` as a space; pairs
 * holding a `;` or a broken %-escape are skipped, as Go's parser skips them.
 */
function goQueryValue(target: string, key: string): string {
  const queryAt = target.indexOf('?');
  if (queryAt < 0) return '';
  const hashAt = target.indexOf('#', queryAt);
  const query = target.slice(queryAt + 1, hashAt < 0 ? undefined : hashAt);
  for (const pair of query.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const equals = pair.indexOf('=');
    const name = unescapeQuery(equals < 0 ? pair : pair.slice(0, equals));
    const value = unescapeQuery(equals < 0 ? '' : pair.slice(equals + 1));
    if (name === key && value !== undefined) return value;
  }
  return '';
}

function unescapeQuery(text: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  const bytes = text
    .replaceAll('+', ' ')
    .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
