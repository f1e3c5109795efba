import type { JsonObject } from '../../../config/object-path.js';
import type { AuthenticatorHandler } from '../handler.js';
import type { PipelineRequest } from '../pipeline-request.js';
import { checkSession, readSessionCheckConfig } from './session-check.js';
import { type TokenSource, tokenFrom } from './token-from.js';

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
        const token = tokenFrom(request, from);
        if (!token?.startsWith(prefix)) return { kind: 'not_responsible' };
        // The check always receives the token as a bearer credential, wherever it was found.
        // Fields named one by one: a proxied request keeps url and remoteAddress in getters.
        const forwarded: PipelineRequest = {
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
