import type { AuthenticatorHandler } from '../handler.js';
import { headerValue } from '../pipeline-request.js';

/**
 * Lets a request without credentials through as `subject` (default "anonymous"). A request that
 * carries an Authorization header is not its business: another authenticator must decide, and
 * if none does, the request is refused, as Oathkeeper does.
 */
export const anonymous: AuthenticatorHandler = {
  name: 'anonymous',
  prepare(config) {
    const subject = typeof config.subject === 'string' ? config.subject : 'anonymous';
    return {
      synchronous: true,
      authenticate(request, session) {
        if (headerValue(request.headers, 'authorization') !== undefined) return { kind: 'not_responsible' };
        session.Subject = subject;
        return { kind: 'authenticated' };
      },
    };
  },
};
