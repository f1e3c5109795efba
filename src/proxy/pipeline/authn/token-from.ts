import type { IncomingHttpHeaders } from 'node:http';
import { headerValue, type PipelineRequest } from '../pipeline-request.js';

/** An authenticator's `token_from`: a header, a query parameter or a cookie; none means Bearer. */
export type TokenSource = { header: string } | { query_parameter: string } | { cookie: string } | undefined;

/**
 * Where the token is, as Oathkeeper reads `token_from`: by default `Authorization: Bearer <t>`
 * (scheme word in any case, one space); a `header` named exactly `Authorization` is parsed the
 * same way, any other header gives its raw value; a query parameter or a cookie gives its value.
 */
export function tokenFrom(request: PipelineRequest, from: TokenSource): string | undefined {
  if (!from) return bearer(request.headers);
  if ('header' in from) {
    if (from.header === 'Authorization') return bearer(request.headers);
    return headerValue(request.headers, from.header) || undefined;
  }
  if ('query_parameter' in from) return request.url.searchParams.get(from.query_parameter) || undefined;
  return cookieValue(request.headers, from.cookie);
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const value = headerValue(headers, 'authorization') ?? '';
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  return value.slice(space + 1) || undefined;
}

/** A cookie's value as Go's Request.Cookie gives it: first match by exact name, quotes removed. */
function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const header = headers.cookie;
  const lines = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const line of lines) {
    for (const part of line.split(';')) {
      const equals = part.indexOf('=');
      if (equals < 0 || part.slice(0, equals).trim() !== name) continue;
      let value = part.slice(equals + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value || undefined;
    }
  }
  return undefined;
}
