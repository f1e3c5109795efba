import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../http/http-error.js';
import { encodeSchemaId, type IdentitySchemas } from './identity-schemas.js';

/** `<public base URL>/schemas/<base64url id>`, the `schema_url` of identities. */
export function schemaUrl(publicBaseUrl: URL, id: string): string {
  const url = new URL(publicBaseUrl.href);
  // Appended to the base path (Kratos source: schema/schema.go IDToURL), not resolved against it.
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/schemas/${encodeSchemaId(id)}`;
  return url.href;
}

/**
 * `GET /schemas` and `GET /schemas/{id}` on the public port, also answered under `/admin/schemas`
 * there, as Kratos does (Kratos source: schema/handler.go). The admin port redirects these to the
 * public port; that is not registered here.
 */
export function registerSchemaRoutes(app: FastifyInstance, schemas: IdentitySchemas): void {
  // Compacted once: Kratos sends each document through Go's JSON encoder.
  const bodies = new Map(schemas.list().map((schema) => [schema.id, compactJson(schema.raw)]));
  const listed = schemas.list().map((schema) => ({ id: schema.id, body: bodies.get(schema.id)! }));

  const list = async (request: FastifyRequest, reply: FastifyReply) => {
    const { page, perPage } = parsePagination(request.query as Record<string, unknown>);
    const start = page * perPage;
    const items = listed.slice(start, start + perPage);
    reply.header('x-total-count', String(listed.length));
    reply.header('link', paginationLinks(request.url, listed.length, page, perPage));
    return reply
      .type('application/json')
      .send(`[${items.map((item) => `{"id":${htmlSafeString(item.id)},"schema":${item.body}}`).join(',')}]`);
  };

  const get = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const { id } = request.params;
    const schema = id === '' ? undefined : schemas.find(id);
    if (!schema) {
      const error = new HttpError({
        code: 404,
        message: 'The requested resource could not be found',
        reason: `Identity schema \`${id}\` could not be found.`,
      });
      return reply.code(404).type('application/json').send(error.toJSON(request.id));
    }
    return reply.type('application/json').send(bodies.get(schema.id));
  };

  for (const prefix of ['', '/admin']) {
    app.get(`${prefix}/schemas`, list);
    app.get(`${prefix}/schemas/:id`, get);
  }
}

interface Pagination {
  page: number;
  perPage: number;
}

/**
 * Kratos' pagination for this list (ory/x migrationpagination): `page_token` (an offset token)
 * with `page_size`, or else the older `page` with `per_page`; 250 per page, at most 1000.
 * Unreadable values fall back to the defaults rather than failing.
 */
function parsePagination(query: Record<string, unknown>): Pagination {
  const text = (name: string): string | undefined => {
    const value = query[name];
    return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
  };
  const integer = (name: string): number | undefined => {
    const value = text(name);
    if (value === undefined || !/^[+-]?\d+$/.test(value)) return undefined;
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  };
  const clamp = (value: number) => Math.min(Math.max(value, 1), 1000);
  if (text('page_token') !== undefined || text('page_size') !== undefined) {
    const perPage = clamp(integer('page_size') ?? 250);
    const offset = decodePageToken(text('page_token') ?? '');
    return { page: Math.max(Math.trunc(offset / perPage), 0), perPage };
  }
  return { page: Math.max(integer('page') ?? 0, 0), perPage: clamp(integer('per_page') ?? 250) };
}

function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset":"${offset}","v":2}`).toString('base64url');
}

function decodePageToken(token: string): number {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) return 0;
  try {
    const offset = Number(
      (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown }).offset,
    );
    return Number.isFinite(offset) ? Math.trunc(offset) : 0;
  } catch {
    return 0;
  }
}

/** The `Link` header of ory/x's pagination: first/prev/next/last as they apply. */
function paginationLinks(requestUrl: string, total: number, page: number, perPage: number): string {
  const link = (rel: string, size: number, offset: number) => {
    const url = new URL(requestUrl, 'http://gatehouse.invalid');
    url.searchParams.set('page_size', String(size));
    url.searchParams.set('page_token', encodePageToken(offset));
    url.searchParams.set('per_page', String(size));
    url.searchParams.set('page', String(Math.trunc(offset / size)));
    // Go's url.Values.Encode sorts the parameters by name.
    url.searchParams.sort();
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const offset = page * perPage;
  const lastOffset = total % perPage === 0 ? total - perPage : Math.trunc(total / perPage) * perPage;
  if (offset >= lastOffset) {
    if (total <= perPage) return link('first', total, 0);
    return [link('first', perPage, 0), link('prev', perPage, lastOffset - perPage)].join(',');
  }
  if (offset < perPage) return [link('next', perPage, perPage), link('last', perPage, lastOffset)].join(',');
  return [
    link('first', perPage, 0),
    link('next', perPage, (page + 1) * perPage),
    link('prev', perPage, (page - 1) * perPage),
    link('last', perPage, lastOffset),
  ].join(',');
}

const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string as Go's encoder writes it (HTML-sensitive characters escaped). */
function htmlSafeString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => HTML_ESCAPES[char]!);
}

/**
 * Valid JSON text without insignificant whitespace, every other byte kept (key order, number
 * spelling), and `<`, `>`, `&`, U+2028, U+2029 escaped as Go's encoder does.
 */
function compactJson(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const char of text) {
    if (!inString) {
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') continue;
      if (char === '"') inString = true;
      out += char;
    } else if (escaped) {
      escaped = false;
      out += char;
    } else {
      if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      out += HTML_ESCAPES[char] ?? char;
    }
  }
  return out;
}
