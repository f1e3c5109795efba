import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../http/http-error.js';
import type { RandomSource } from '../../random.js';
import type { SelfServiceErrorRepository } from './error-repository.js';

export interface ErrorRoutesDependencies {
  errors: SelfServiceErrorRepository;
  /** Ids for the canned example, which Kratos makes up afresh on every call. */
  random: RandomSource;
}

/** Go's zero `time.Time` as encoding/json writes it: the canned example was never stored. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

// The only canned example Kratos has (`stub:400`, `stub:404` ... are looked up as ids, and so
// not found): an error UI can be built against it without provoking a real error.
const STUB_500 = new HttpError({
  code: 500,
  message: 'An internal server error occurred, please contact the system administrator',
  reason: 'This is a stub error.',
}).toJSON().error;

/** Kratos answers a malformed id as it answers an unknown one: the id parses to the nil UUID. */
function errorNotFound(): HttpError {
  return new HttpError({ code: 404, message: 'Unable to locate the resource' });
}

/**
 * `GET /self-service/errors?id=` (or `?error=`, which wins when both are set) on the public port:
 * the stored error as Kratos' `flowError` JSON. Reading needs no CSRF cookie, as in Kratos; the
 * id is an unguessable UUID. The admin port redirects here (identity-port-redirects).
 */
export function registerErrorRoutes(app: FastifyInstance, deps: ErrorRoutesDependencies): void {
  app.get('/self-service/errors', async (request) => {
    const query = request.query as Record<string, string | string[] | undefined>;
    const requested = first(query.error) || first(query.id);
    if (requested === 'stub:500') {
      return { id: deps.random.uuid(), error: STUB_500, created_at: GO_ZERO_TIME, updated_at: GO_ZERO_TIME };
    }
    const id = parseGoUuid(requested);
    const stored = id === undefined ? undefined : await deps.errors.get(id);
    if (!stored) throw errorNotFound();
    return {
      id: stored.id,
      error: stored.error,
      created_at: stored.createdAt.toISOString(),
      updated_at: stored.updatedAt.toISOString(),
    };
  });
}

/** `url.Values.Get`: the first value of a repeated parameter. */
function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

const HEX32 = /^[0-9a-fA-F]{32}$/;
const CANONICAL = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The id in canonical lower-case form, read in every form Kratos' UUID parser (gofrs/uuid v4)
 * takes: canonical, 32 hex digits, `{canonical}`, and `urn:uuid:` before either plain form.
 * Undefined for anything else.
 */
function parseGoUuid(text: string): string | undefined {
  let plain = text;
  if (text.length === 38 && text.startsWith('{') && text.endsWith('}')) plain = text.slice(1, -1);
  else if ((text.length === 41 || text.length === 45) && text.startsWith('urn:uuid:')) plain = text.slice(9);
  const hex = HEX32.test(plain) ? plain : CANONICAL.test(plain) ? plain.replaceAll('-', '') : undefined;
  if (hex === undefined) return undefined;
  const lower = hex.toLowerCase();
  return `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`;
}
