import fastJsonPatch, { type Operation } from 'fast-json-patch';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../http/http-error.js';
import { afterId, keysetLinkHeader, parsePageRequest } from '../../http/pagination.js';
import { type Identity, identityJson } from '../identity.js';
import type { IdentityInput, IdentityManager } from '../identity-manager.js';
import type { IdentityRepository } from '../identity-repository.js';
import { parseCreateIdentityBody, parseUpdateIdentityBody } from './identity-body.js';

export interface AdminIdentityRoutesDependencies {
  manager: IdentityManager;
  repository: IdentityRepository;
  defaultSchemaId: string;
  /** The admin API's base URL (ends in `/`), for `Location`. */
  adminBaseUrl: URL;
  schemaUrlFor(schemaId: string): string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CREDENTIAL_TYPES = [
  'password',
  'oidc',
  'totp',
  'lookup_secret',
  'webauthn',
  'code',
  'passkey',
  'profile',
  'saml',
  'link_recovery',
  'code_recovery',
];
const BATCH_LIMIT = 1000;
const BATCH_PLAINTEXT_PASSWORD_LIMIT = 200;
// JSON Patch may not touch these: ids and timestamps are the server's, credentials are imported.
const PATCH_DENIED = [
  /^\/id$/,
  /^\/state_changed_at$/,
  /^\/credentials$/,
  /^\/credentials\/oidc(\/|$)/,
  /^\/credentials\/saml(\/|$)/,
];

function malformed(reason: string): HttpError {
  return new HttpError({
    code: 400,
    message: 'The request was malformed or contained invalid parameters',
    reason,
  });
}

function notFound(): HttpError {
  return new HttpError({ code: 404, message: 'Unable to locate the resource' });
}

function identityId(raw: string): string {
  // Kratos parses the id leniently and then finds nothing: an invalid id is a 404 like an unknown one.
  if (!UUID.test(raw)) throw notFound();
  return raw.toLowerCase();
}

function list(query: Record<string, unknown>, name: string): string[] {
  const value = query[name];
  return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * The admin identity API (`/admin/identities`): create, read, list, replace, JSON-patch, batch
 * create and delete identities, and delete one of their credentials.
 */
export function registerAdminIdentityRoutes(
  app: FastifyInstance,
  deps: AdminIdentityRoutesDependencies,
): void {
  const { manager, repository } = deps;
  const render = (identity: Identity, declassify: readonly string[] = [], withoutCredentials = false) =>
    identityJson(identity, {
      schemaUrl: deps.schemaUrlFor(identity.schemaId),
      admin: true,
      declassify,
      withoutCredentials,
    });
  const declassified = (query: Record<string, unknown>) => {
    const types = list(query, 'include_credential');
    for (const type of types) {
      if (!CREDENTIAL_TYPES.includes(type))
        throw malformed(`Invalid value \`${type}\` for parameter \`include_credential\`.`);
    }
    return types;
  };

  app.post('/admin/identities', async (request, reply) => {
    const identity = await manager.create(parseCreateIdentityBody(request.body, deps.defaultSchemaId));
    return reply
      .code(201)
      .header('location', new URL(`identities/${identity.id}`, deps.adminBaseUrl).toString())
      .send(render(identity));
  });

  app.get('/admin/identities', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const ids = list(query, 'ids');
    const identifier =
      typeof query.credentials_identifier === 'string' ? query.credentials_identifier : undefined;
    const declassify = declassified(query);
    if (ids.length > 500) throw malformed('The number of ids to filter must not exceed 500.');
    for (const id of ids)
      if (!UUID.test(id)) throw malformed(`Invalid UUID value \`${id}\` for parameter \`ids\`.`);
    if ((ids.length > 0 ? 1 : 0) + (identifier ? 1 : 0) > 1)
      throw malformed('You cannot combine multiple filters in this API');
    const page = parsePageRequest(query, { defaultSize: 250, maxSize: 500, legacyLimit: 1000 });
    const size = page.kind === 'page' ? page.perPage : page.size;
    const found = await repository.list({
      ids: ids.length > 0 ? ids.map((id) => id.toLowerCase()) : undefined,
      // Identifiers are stored normalised (trimmed, lower-case), and looked up the same way.
      credentialsIdentifier: identifier?.trim().toLowerCase(),
      afterId: page.kind === 'keyset' ? afterId(page) : undefined,
      offset: page.kind === 'page' ? page.page * page.perPage : undefined,
      limit: page.kind === 'keyset' ? size + 1 : size,
    });
    const shown = found.slice(0, size);
    if (page.kind === 'keyset') {
      const more = found.length > size;
      reply.header(
        'link',
        keysetLinkHeader(new URL(request.url, 'http://x'), size, more ? shown.at(-1)?.id : undefined),
      );
    } else {
      reply.header('x-total-count', String(identifier ? shown.length : await repository.count()));
    }
    // Credentials are listed only when asked for (include_credential) or searched by.
    const withCredentials = declassify.length > 0 || identifier !== undefined;
    return shown.map((identity) => render(identity, declassify, !withCredentials));
  });

  app.get<{ Params: { id: string } }>('/admin/identities/:id', async (request) => {
    const identity = await repository.get(identityId(request.params.id));
    if (!identity) throw notFound();
    return render(identity, declassified(request.query as Record<string, unknown>));
  });

  app.put<{ Params: { id: string } }>('/admin/identities/:id', async (request) => {
    const existing = await repository.get(identityId(request.params.id));
    if (!existing) throw notFound();
    return render(await manager.update(existing, parseUpdateIdentityBody(request.body)));
  });

  app.patch<{ Params: { id: string } }>('/admin/identities/:id', async (request) => {
    const existing = await repository.get(identityId(request.params.id));
    if (!existing) throw notFound();
    const operations = request.body;
    if (!Array.isArray(operations))
      throw malformed('The body must be a JSON Patch document (an array of operations).');
    for (const operation of operations as Operation[]) {
      const path = typeof operation?.path === 'string' ? operation.path : '';
      if (PATCH_DENIED.some((denied) => denied.test(path))) {
        throw new HttpError({
          code: 400,
          message: `patch includes denied path: ${path}`,
          reason: 'failed to apply JSON patch',
        });
      }
    }
    const document = render(existing, ['password']);
    let patched: Record<string, unknown>;
    try {
      const error = fastJsonPatch.validate(operations as Operation[], document);
      if (error) throw error;
      patched = fastJsonPatch.applyPatch(
        structuredClone(document),
        operations as Operation[],
        false,
        false,
      ).newDocument;
    } catch (error) {
      throw new HttpError({
        code: 400,
        message: (error as Error).message.split('\n')[0]!,
        reason: 'failed to apply JSON patch',
      });
    }
    // A patch may replace the whole document ("path": ""); what it leaves must still be an identity.
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
      throw new HttpError({
        code: 400,
        message: 'The patched identity is not a JSON object.',
        reason: 'failed to apply JSON patch',
      });
    }
    const input: IdentityInput = {
      schemaId: String(patched.schema_id ?? ''),
      traits: patched.traits,
      state: patched.state === 'inactive' ? 'inactive' : 'active',
      metadataPublic: patched.metadata_public ?? null,
      metadataAdmin: patched.metadata_admin ?? null,
      externalId: typeof patched.external_id === 'string' ? patched.external_id : undefined,
      organizationId: typeof patched.organization_id === 'string' ? patched.organization_id : null,
    };
    if (patched.state !== 'active' && patched.state !== 'inactive') {
      throw malformed(
        `The supplied state ('${String(patched.state)}') was not valid. Valid states are ('active', 'inactive').`,
      );
    }
    const hashed = (
      patched.credentials as { password?: { config?: { hashed_password?: unknown } } } | undefined
    )?.password?.config?.hashed_password;
    const previous = existing.credentials.password?.config.hashed_password;
    if (typeof hashed === 'string' && hashed !== previous) input.password = { hashedPassword: hashed };
    return render(await manager.update(existing, input));
  });

  app.delete<{ Params: { id: string } }>('/admin/identities/:id', async (request, reply) => {
    if (!(await repository.delete(identityId(request.params.id)))) throw notFound();
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string; type: string } }>(
    '/admin/identities/:id/credentials/:type',
    async (request) => {
      const identity = await repository.get(identityId(request.params.id));
      if (!identity) throw notFound();
      const { type } = request.params;
      if (!identity.credentials[type]) {
        throw new HttpError({
          code: 404,
          message: 'The requested resource could not be found',
          reason: `You tried to remove a ${type} but this user have no ${type} set up.`,
        });
      }
      // Password is the only first factor gatehouse has yet: removing it would lock the identity out.
      throw malformed(
        type === 'password'
          ? 'You cannot remove the last first factor credential.'
          : `Credentials type ${type} cannot be deleted.`,
      );
    },
  );

  app.patch('/admin/identities', async (request) => {
    const body = request.body as { identities?: unknown } | null;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw malformed('The body must be a JSON object.');
    for (const key of Object.keys(body)) {
      if (key !== 'identities') throw new HttpError({ code: 400, message: `json: unknown field "${key}"` });
    }
    const patches = Array.isArray(body.identities) ? (body.identities as Record<string, unknown>[]) : [];
    if (patches.length > BATCH_LIMIT) {
      throw malformed(
        `The maximum number of identities per request that can be created or deleted at once is ${BATCH_LIMIT}.`,
      );
    }
    const inputs = patches.map((patch) => {
      for (const key of Object.keys(patch ?? {})) {
        if (key !== 'create' && key !== 'patch_id')
          throw new HttpError({ code: 400, message: `json: unknown field "${key}"` });
      }
      return patch?.create === undefined
        ? undefined
        : parseCreateIdentityBody(patch.create, deps.defaultSchemaId);
    });
    if (
      inputs.filter((input) => input?.password?.password !== undefined).length >
      BATCH_PLAINTEXT_PASSWORD_LIMIT
    ) {
      throw malformed(
        `The maximum number of identities per request that can be created with a plaintext password is ${BATCH_PLAINTEXT_PASSWORD_LIMIT}.`,
      );
    }
    const results = [];
    for (const [index, input] of inputs.entries()) {
      const patchId =
        typeof patches[index]?.patch_id === 'string' ? (patches[index]!.patch_id as string) : undefined;
      if (!input) continue;
      try {
        const identity = await manager.create(input);
        results.push({ action: 'create', identity: identity.id, ...(patchId ? { patch_id: patchId } : {}) });
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        results.push({
          action: 'error',
          ...(patchId ? { patch_id: patchId } : {}),
          error: error.toJSON().error,
        });
      }
    }
    return { identities: results };
  });
}
