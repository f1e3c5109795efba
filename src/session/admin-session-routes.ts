import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.js';
import { HttpError } from '../http/http-error.js';
import { afterId, keysetLinkHeader, parsePageRequest } from '../http/pagination.js';
import type { IdentityRepository } from '../identity/identity-repository.js';
import { type Session, sessionJson } from './session.js';
import type { SessionManager } from './session-manager.js';
import type { SessionRepository } from './session-repository.js';

export interface AdminSessionRoutesDependencies {
  manager: SessionManager;
  sessions: SessionRepository;
  identities: IdentityRepository;
  clock: Clock;
  schemaUrlFor(schemaId: string): string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(): HttpError {
  return new HttpError({ code: 404, message: 'Unable to locate the resource' });
}

function badRequest(reason: string): HttpError {
  return new HttpError({
    code: 400,
    message: 'The request was malformed or contained invalid parameters',
    reason,
  });
}

function uuidParam(id: string, what: string): string {
  if (!UUID.test(id)) throw badRequest(`"${id}" is not a valid ${what} id.`);
  return id.toLowerCase();
}

/** `expand=identity|devices` (repeatable), as Kratos' admin session endpoints take it. */
function expansions(query: Record<string, unknown>): { identity: boolean; devices: boolean } {
  const raw = query.expand;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  for (const value of values) {
    if (value !== 'identity' && value !== 'devices')
      throw badRequest(`Could not parse expand option: ${value}`);
  }
  return { identity: values.includes('identity'), devices: values.includes('devices') };
}

/**
 * The admin session endpoints: list, read, revoke and extend any session, and list or delete an
 * identity's sessions.
 */
export function registerAdminSessionRoutes(app: FastifyInstance, deps: AdminSessionRoutesDependencies): void {
  const { sessions, identities, clock } = deps;

  const render = async (list: Session[], expand: { identity: boolean; devices: boolean }) => {
    const now = clock.now();
    const owners = new Map<string, Awaited<ReturnType<IdentityRepository['get']>>>();
    for (const session of list) {
      if (!owners.has(session.identityId))
        owners.set(session.identityId, await identities.get(session.identityId));
    }
    return list.map((session) => {
      const identity = owners.get(session.identityId);
      return sessionJson(session, now, {
        identity,
        expandIdentity: expand.identity,
        expandDevices: expand.devices,
        identityJson: { schemaUrl: identity ? deps.schemaUrlFor(identity.schemaId) : '', admin: true },
      });
    });
  };

  app.get('/admin/sessions', async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, unknown>;
    const expand = expansions(query);
    const page = parsePageRequest(query, { defaultSize: 250, maxSize: 1000 });
    if (page.kind !== 'keyset') throw badRequest('Use page_token and page_size to page through sessions.');
    const active = query.active === undefined ? undefined : String(query.active);
    if (
      active !== undefined &&
      !['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(active)
    )
      throw badRequest('could not parse parameter active');
    const now = clock.now();
    const wantActive = active === undefined ? undefined : ['true', '1', 't', 'TRUE', 'True'].includes(active);
    const list = await sessions.list({
      afterId: afterId(page),
      limit: page.size + 1,
      activeAt: wantActive === true ? now : undefined,
      inactiveAt: wantActive === false ? now : undefined,
    });
    const more = list.length > page.size;
    const shown = list.slice(0, page.size);
    reply.header(
      'link',
      keysetLinkHeader(new URL(request.url, 'http://x'), page.size, more ? shown.at(-1)?.id : undefined),
    );
    return render(shown, expand);
  });

  app.get<{ Params: { id: string } }>('/admin/sessions/:id', async (request) => {
    const expand = expansions(request.query as Record<string, unknown>);
    const session = await sessions.get(uuidParam(request.params.id, 'session'));
    if (!session) throw notFound();
    return (await render([session], expand))[0];
  });

  app.delete<{ Params: { id: string } }>('/admin/sessions/:id', async (request, reply) => {
    const id = uuidParam(request.params.id, 'session');
    if (!(await sessions.get(id))) throw notFound();
    await sessions.deactivate({ id }, clock.now());
    return reply.code(204).send();
  });

  app.patch<{ Params: { id: string } }>('/admin/sessions/:id/extend', async (request) => {
    const session = await deps.manager.extend(uuidParam(request.params.id, 'session'));
    if (!session) throw notFound();
    return (await render([session], { identity: true, devices: true }))[0];
  });

  app.get<{ Params: { id: string } }>('/admin/identities/:id/sessions', async (request, reply) => {
    const id = uuidParam(request.params.id, 'identity');
    const query = request.query as Record<string, unknown>;
    if (!(await identities.get(id))) throw notFound();
    const page = parsePageRequest(query, { defaultSize: 250, maxSize: 1000 });
    const active = query.active === undefined ? undefined : String(query.active) === 'true';
    const now = clock.now();
    const size = page.kind === 'page' ? page.perPage : page.size;
    const list = await sessions.list({
      identityId: id,
      activeAt: active === true ? now : undefined,
      inactiveAt: active === false ? now : undefined,
      afterId: page.kind === 'keyset' ? afterId(page) : undefined,
      offset: page.kind === 'page' ? page.page * page.perPage : undefined,
      limit: size + 1,
    });
    const more = list.length > size;
    const shown = list.slice(0, size);
    if (page.kind === 'keyset')
      reply.header(
        'link',
        keysetLinkHeader(new URL(request.url, 'http://x'), size, more ? shown.at(-1)?.id : undefined),
      );
    return render(shown, expansions(query));
  });

  // Kratos deletes (not just revokes) an identity's sessions here, and answers 404 when it had none.
  app.delete<{ Params: { id: string } }>('/admin/identities/:id/sessions', async (request, reply) => {
    const id = uuidParam(request.params.id, 'identity');
    if (!(await identities.get(id))) throw notFound();
    const removed = await sessions.delete({ identityId: id });
    if (removed === 0) throw notFound();
    return reply.code(204).send();
  });
}
