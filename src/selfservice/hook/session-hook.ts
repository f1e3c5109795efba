import type { Identity } from '../../identity/identity.js';
import type { Session } from '../../session/session.js';
import type { SessionManager } from '../../session/session-manager.js';
import { type FlowHttpDependencies, rotateCsrfToken } from '../flow/flow-http.js';
import type { RegistrationHook } from './registration-hook.js';

export interface SessionHookDependencies {
  sessions: SessionManager;
  /** For rotating the browser's CSRF token along with the new session. */
  flowHttp: FlowHttpDependencies;
  /** The session as the public API writes it (identity and devices expanded). */
  sessionJson(session: Session, identity: Identity): Record<string, unknown>;
}

/**
 * The `session` hook: signs the new identity in at once. An API flow is answered here with the
 * session token (also as a `set_ory_session_token` item); a browser gets the session cookie and a
 * fresh CSRF token, then a JSON answer here, or the flow's redirect for a page.
 */
export function sessionHook(deps: SessionHookDependencies): RegistrationHook {
  return {
    name: 'session',
    async afterRegistration({ request, reply, flow, identity, method, json, continueWith, identityJson }) {
      const issued = await deps.sessions.issue(
        identity,
        [{ method, aal: 'aal1', completedAt: deps.flowHttp.clock.now() }],
        { ipAddress: request.ip, userAgent: String(request.headers['user-agent'] ?? '') },
      );
      const session = deps.sessionJson(issued.session, identity);
      if (flow.type === 'api') {
        continueWith.push({ action: 'set_ory_session_token', ory_session_token: issued.token });
        reply.send({
          session_token: issued.token,
          session,
          identity: identityJson,
          continue_with: continueWith,
        });
        return 'responded';
      }
      const cookie = deps.sessions.cookie(issued.token, issued.session);
      reply.setCookie(cookie.name, cookie.value, cookie.options);
      // A token the browser held before it had a session must not stay valid with one.
      rotateCsrfToken(reply, deps.flowHttp);
      if (!json) return 'continue';
      reply.send({
        session,
        identity: identityJson,
        continue_with: continueWith.length > 0 ? continueWith : null,
      });
      return 'responded';
    },
  };
}
