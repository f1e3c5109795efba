import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.js';
import { HttpError } from '../http/http-error.js';
import { parsePageRequest } from '../http/pagination.js';
import type { Identity } from '../identity/identity.js';
import { type Session, sessionJson } from './session.js';
import type { ActiveSession, SessionManager } from './session-manager.js';
import type { SessionRepository } from './session-repository.js';

export interface SessionRoutesDependencies {
  manager: SessionManager;
  sessions: SessionRepository;
  clock: Clock;
  /** `<public base>/schemas/<encoded id>` for an identity's `schema_url`. */
  schemaUrlFor(schemaId: string): string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Kratos' 401 for whoami and the session list: no `id`, a reason saying what was missing. */
export function noSessionError(): HttpError {
  return new HttpError({
    code: 401,
    message: 'The request could not be authorized',
    reason: 'No valid session credentials found in the request.',
  });
}

/** The session a request carries (token header, cookie, bearer token), if active. */
export function sessionOf(
  request: FastifyRequest,
  manager: SessionManager,
): Promise<ActiveSession | undefined> {
  const header = request.headers['x-session-token'];
  return manager.fromRequest({
    sessionTokenHeader: Array.isArray(header) ? header[0] : header,
    cookie: request.cookies?.[manager.config.cookie.name],
    authorization: request.headers.authorization,
  });
}

/**
 * The public session endpoints: `/sessions/whoami` (every method but DELETE), and a signed-in
 * user's own session list and revocation under `/sessions`.
 */
export function registerPublicSessionRoutes(app: FastifyInstance, deps: SessionRoutesDependencies): void {
  const { manager, sessions, clock } = deps;
  // Public reads show the identity (without credentials or admin metadata) and the devices.
  const publicJson = (session: Session, identity: Identity) =>
    sessionJson(session, clock.now(), {
      identity,
      expandIdentity: true,
      expandDevices: true,
      identityJson: { schemaUrl: deps.schemaUrlFor(identity.schemaId), admin: false },
    });

  const whoami = async (request: FastifyRequest, reply: FastifyReply) => {
    const active = await sessionOf(request, manager);
    if (!active) throw noSessionError();
    reply.header('x-kratos-authenticated-identity-id', active.identity.id);
    // A cookie issued with an older expiry than the session's (after an extend) is renewed.
    if (
      active.cookieExpiresAt &&
      active.cookieExpiresAt.getTime() < Math.floor(active.session.expiresAt.getTime() / 1000) * 1000
    ) {
      const cookie = manager.cookie(active.token, active.session);
      reply.setCookie(cookie.name, cookie.value, cookie.options);
    }
    return publicJson(active.session, active.identity);
  };
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'],
    url: '/sessions/whoami',
    handler: whoami,
  });

  // The caller's other active sessions (the current one is left out), with page pagination.
  app.get('/sessions', async (request, reply) => {
    const active = await sessionOf(request, manager);
    if (!active) throw noSessionError();
    const page = parsePageRequest(request.query as Record<string, unknown>, {
      defaultSize: 250,
      maxSize: 1000,
    });
    const now = clock.now();
    const filter = { identityId: active.identity.id, exceptId: active.session.id, activeAt: now };
    const size = page.kind === 'page' ? page.perPage : page.size;
    const list = await sessions.list({
      ...filter,
      limit: size,
      offset: page.kind === 'page' ? page.page * page.perPage : undefined,
      afterId:
        page.kind === 'keyset' && page.token !== '00000000-0000-0000-0000-000000000000'
          ? page.token
          : undefined,
    });
    reply.header('x-total-count', String(await sessions.count(filter)));
    return list.map((session) => publicJson(session, active.identity));
  });

  // Revokes every other session of the caller.
  app.delete('/sessions', async (request) => {
    const active = await sessionOf(request, manager);
    if (!active) throw noSessionError();
    const count = await sessions.deactivate(
      { identityId: active.identity.id, exceptId: active.session.id },
      clock.now(),
    );
    return { count };
  });

  app.delete<{ Params: { id: string } }>('/sessions/:id', async (request, reply) => {
    // DELETE /sessions/whoami is not a route of its own in Kratos: it lands here, and whoami is no id.
    const active = await sessionOf(request, manager);
    if (!active) throw noSessionError();
    const { id } = request.params;
    if (id === active.session.id) {
      throw new HttpError({
        code: 400,
        message: 'The request was malformed or contained invalid parameters',
        reason: 'You cannot revoke the current session using this endpoint. Use the logout flow instead.',
      });
    }
    if (!UUID.test(id)) {
      throw new HttpError({
        code: 400,
        message: 'The request was malformed or contained invalid parameters',
        reason: `"${id}" is not a session id.`,
      });
    }
    const target = await sessions.get(id);
    // Another person's session looks exactly like a missing one: no session enumeration.
    if (target?.identityId === active.identity.id) await sessions.deactivate({ id }, clock.now());
    return reply.code(204).send();
  });
}
