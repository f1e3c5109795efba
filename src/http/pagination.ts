import { HttpError } from './http-error.js';

/** A page request: keyset (`page_size`, `page_token`) or, for old clients, `page`/`per_page`. */
export type PageRequest =
  | { kind: 'keyset'; size: number; token: string }
  | { kind: 'page'; page: number; perPage: number };

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function badRequest(reason: string): HttpError {
  return new HttpError({
    code: 400,
    message: 'The request was malformed or contained invalid parameters',
    reason,
  });
}

/**
 * Kratos' pagination parameters for lists ordered by UUID: `page_token` is the last id of the
 * previous page (the nil UUID for the first), `page_size` defaults and caps as given. `page`
 * (with `per_page`) selects the legacy page mode, refused beyond `legacyLimit` items as Kratos does.
 */
export function parsePageRequest(
  query: Record<string, unknown>,
  limits: { defaultSize: number; maxSize: number; legacyLimit?: number },
): PageRequest {
  const text = (name: string) => {
    const value = query[name];
    return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
  };
  const integer = (name: string, fallback: number) => {
    const value = text(name);
    if (value === undefined || value === '') return fallback;
    if (!/^-?\d+$/.test(value)) throw badRequest(`The parameter ${name} must be an integer, got "${value}".`);
    return Number(value);
  };
  if (text('page_token') === undefined && text('page_size') === undefined && text('page') !== undefined) {
    const perPage = Math.min(Math.max(integer('per_page', 250), 1), 500);
    const page = Math.max(integer('page', 0), 0);
    if (limits.legacyLimit !== undefined && page * perPage > limits.legacyLimit) {
      throw badRequest(
        `Legacy pagination is not supported for enumerating over ${limits.legacyLimit} items. Please switch to using page_token and page_size.`,
      );
    }
    return { kind: 'page', page, perPage };
  }
  const requested = integer('page_size', integer('per_page', 0));
  const size = requested <= 0 ? limits.defaultSize : Math.min(requested, limits.maxSize);
  const token = text('page_token') || NIL_UUID;
  if (!UUID.test(token)) {
    throw badRequest('The page token is invalid, do not craft your own page tokens');
  }
  return { kind: 'keyset', size, token: token.toLowerCase() };
}

/** The id to list after, or undefined for the first page. */
export function afterId(page: Extract<PageRequest, { kind: 'keyset' }>): string | undefined {
  return page.token === NIL_UUID ? undefined : page.token;
}

/**
 * Kratos' `Link` header for a keyset page: `first`, and `next` when there is a next page (its
 * token is the page's last id). `url` is the request's own URL; other parameters are kept.
 */
export function keysetLinkHeader(url: URL, size: number, nextToken: string | undefined): string {
  const link = (rel: string, token: string) => {
    const target = new URL(url);
    target.searchParams.set('page_token', token);
    target.searchParams.set('page_size', String(size));
    // Go's url.Values.Encode sorts the parameters by name.
    target.searchParams.sort();
    return `<${target.pathname}${target.search}>; rel="${rel}"`;
  };
  return [link('first', NIL_UUID), ...(nextToken ? [link('next', nextToken)] : [])].join(',');
}
