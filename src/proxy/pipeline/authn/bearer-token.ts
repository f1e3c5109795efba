import type { JsonObject } from '../../../config/object-path.js';
import type { AuthenticatorHandler } from '../handler.js';
import { headerValue, type PipelineRequest } from '../pipeline-request.js';
import { checkSession, readSessionCheckConfig } from './session-check.js';

type TokenSource = { header: string } | { query_parameter: string } | { cookie: string } | undefined;

/**
 * Where the token is, as Oathkeeper reads `token_from`: by default `Authorization: Bearer <t>`
 * (the scheme word in any case); a `header` named exactly `Authorization` is parsed the same
 * way, any other header name gives its raw value.
 */
function tokenOf(request: PipelineRequest, from: TokenSource): string | undefined {
  const bearer = (value: string | undefined) => {
    const match = value ? /^bearer\s+(.+)$/i.exec(value) : null;
    return match?.[1]?.trim() || undefined;
  };
  if (!from) return bearer(headerValue(request.headers, 'authorization'));
  if ('header' in from) {
    const value = headerValue(request.headers, from.header);
    return from.header === 'Authorization' ? bearer(value) : value || undefined;
  }
  if ('query_parameter' in from) return request.url.searchParams.get(from.query_parameter) || undefined;
  const cookie = headerValue(request.headers, 'cookie') ?? '';
  for (const part of cookie.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0 && part.slice(0, equals).trim() === from.cookie)
      return part.slice(equals + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * Asks the identity server who a bearer token belongs to (`check_session_url`: Kratos'
 * /sessions/whoami reads `Authorization: Bearer`). Responsible only when a token is found and
 * starts with `prefix`; the `Authorization` header is what the check receives.
 */
export const bearerToken: AuthenticatorHandler = {
  name: 'bearer_token',
  prepare(config, dependencies) {
    const check = readSessionCheckConfig({ subject_from: 'sub', ...config } as JsonObject, 'authorization');
    const from = config.token_from as TokenSource;
    const prefix = typeof config.prefix === 'string' ? config.prefix : '';
    return {
      async authenticate(request, session) {
        const token = tokenOf(request, from);
        if (!token?.startsWith(prefix)) return { kind: 'not_responsible' };
        // The check always receives the token as a bearer credential, wherever it was found.
        const forwarded: PipelineRequest = {
          ...request,
          method: request.method,
          url: request.url,
          remoteAddress: request.remoteAddress,
          headers: { ...request.headers, authorization: `Bearer ${token}` },
        };
        return checkSession(forwarded, session, check, dependencies.dispatcher);
      },
    };
  },
};
