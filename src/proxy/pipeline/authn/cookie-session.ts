import type { AuthenticatorHandler } from '../handler.js';
import { headerValue } from '../pipeline-request.js';
import { checkSession, readSessionCheckConfig } from './session-check.js';

/** The cookie names a Cookie header carries. */
function cookieNames(header: string): string[] {
  return header
    .split(';')
    .map((part) => part.split('=')[0]!.trim())
    .filter((name) => name !== '');
}

/**
 * Asks the identity server (`check_session_url`, Kratos' /sessions/whoami) who a request's
 * cookies belong to. Responsible when the request has a cookie — with `only`, one of those
 * cookies; otherwise the next authenticator decides (the portal's `[cookie_session, noop]`).
 */
export const cookieSession: AuthenticatorHandler = {
  name: 'cookie_session',
  prepare(config, dependencies) {
    const check = readSessionCheckConfig(config, 'cookie');
    const only = Array.isArray(config.only) ? config.only.map(String) : [];
    return {
      async authenticate(request, session) {
        const cookie = headerValue(request.headers, 'cookie');
        if (!cookie) return { kind: 'not_responsible' };
        if (only.length > 0 && !cookieNames(cookie).some((name) => only.includes(name))) {
          return { kind: 'not_responsible' };
        }
        return checkSession(request, session, check, dependencies.dispatcher);
      },
    };
  },
};
