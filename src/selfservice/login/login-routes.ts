import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JsonObject } from '../../config/object-path.js';
import { HttpError } from '../../http/http-error.js';
import type { Identity } from '../../identity/identity.js';
import type { IdentityRepository } from '../../identity/identity-repository.js';
import { sessionJson } from '../../session/session.js';
import type { ActiveSession, SessionManager } from '../../session/session-manager.js';
import { sessionOf } from '../../session/session-routes.js';
import { looksLikeBrowser } from '../flow/csrf.js';
import { isExpired } from '../flow/flow.js';
import { flowExpired, sessionAlreadyAvailable } from '../flow/flow-errors.js';
import {
  bodyOf,
  browserCsrfToken,
  checkCsrf,
  checkedReturnTo,
  checkFetchedFlow,
  type FlowHttpDependencies,
  finalReturnTo,
  flowIdOf,
  loadFlow,
  nestDottedKeys,
  queryOf,
  requestUrlOf,
  rotateCsrfToken,
  uiOf,
  uiUrlFor,
} from '../flow/flow-http.js';
import { wantsJson } from '../flow/response-mode.js';
import {
  accountDisabled,
  invalidCredentials,
  loginFlowExpired,
  noLoginStrategy,
  propertyMissing,
  validationFailed,
} from '../flow/ui-text.js';
import type { PasswordLogin } from '../strategy/password/password-login.js';
import { loginFlowJson, newLoginFlow } from './login-flow.js';

/** 401 for `aal=aal2` without a session, as Kratos answers it. */
function higherAalNeedsSession(): HttpError {
  return new HttpError({
    code: 401,
    id: 'session_aal1_required',
    message: 'aal2 and aal3 can only be requested if a session exists already',
    reason: 'You can not requested a higher AAL (AAL2/AAL3) without an active session.',
  });
}

export interface LoginRoutesDependencies extends FlowHttpDependencies {
  sessions: SessionManager;
  identities: IdentityRepository;
  passwordLogin: PasswordLogin;
  /** The default identity schema's document (the identifier's label). */
  schemaDocument: JsonObject;
  schemaUrlFor(schemaId: string): string;
  /** Shows a browser an error no flow can carry (a CSRF violation): the error page, or JSON. */
  browserError(request: FastifyRequest, reply: FastifyReply, error: HttpError): Promise<FastifyReply>;
}

/**
 * The login flow's routes on the public port, as Kratos': browser and API init, fetch by `?id=`,
 * and submit by `?flow=` (JSON or form), with the password method.
 */
export function registerLoginRoutes(app: FastifyInstance, deps: LoginRoutesDependencies): void {
  const publicSession = (active: { session: ActiveSession['session']; identity: Identity }) =>
    sessionJson(active.session, deps.clock.now(), {
      identity: active.identity,
      expandIdentity: true,
      expandDevices: true,
      identityJson: { schemaUrl: deps.schemaUrlFor(active.identity.schemaId), admin: false },
    });

  const init = async (request: FastifyRequest, reply: FastifyReply, type: 'browser' | 'api') => {
    const query = queryOf(request);
    const refresh = query.refresh === 'true';
    const json = type === 'api' || wantsJson(request.headers);
    const requestedAal = query.aal || 'aal1';
    if (requestedAal !== 'aal1' && requestedAal !== 'aal2') {
      throw new HttpError({
        code: 400,
        message: 'The request was malformed or contained invalid parameters',
        reason: `Unable to parse AuthenticationMethod Assurance Level (AAL): expected one of [aal1, aal2] but got ${requestedAal}`,
      });
    }
    const active = await sessionOf(request, deps.sessions);
    // A second factor is asked for only after the first: without a session there is nothing to raise.
    if (!active && requestedAal === 'aal2') throw higherAalNeedsSession();
    if (active && !refresh && requestedAal === 'aal1') {
      // Signed in already: a page is sent on to where signed-in people go; a client is told.
      if (!json) return reply.redirect(deps.config.defaultBrowserReturnUrl, 303);
      throw sessionAlreadyAvailable('login');
    }
    const returnTo = checkedReturnTo(query.return_to, deps);
    const csrfToken = type === 'browser' ? browserCsrfToken(request, reply, deps) : '';
    // A refresh asks the signed-in person for their password only; the session's identity comes
    // without credentials, so its identifier is read from the stored identity.
    const signedIn = refresh && active ? await deps.identities.get(active.identity.id) : undefined;
    const flow = newLoginFlow(
      {
        type,
        requestUrl: requestUrlOf(request),
        returnTo,
        csrfToken,
        refresh,
        requestedAal,
        schemaDocument: deps.schemaDocument,
        identifier: signedIn?.credentials.password?.identifiers[0],
      },
      deps,
    );
    await deps.flows.create(flow);
    if (!json) return reply.redirect(uiUrlFor(deps.config.flows.login.uiUrl, flow.id), 303);
    return reply.send(loginFlowJson(flow, deps));
  };

  app.get('/self-service/login/browser', (request, reply) => init(request, reply, 'browser'));
  app.get('/self-service/login/api', (request, reply) => init(request, reply, 'api'));

  app.get('/self-service/login/flows', async (request, reply) => {
    const flow = await loadFlow('login', queryOf(request).id, deps);
    checkFetchedFlow('login', flow, request, deps);
    return reply.send(loginFlowJson(flow, deps));
  });

  const submit = async (request: FastifyRequest, reply: FastifyReply) => {
    const flow = await loadFlow('login', flowIdOf(request), deps);
    const json = flow.type === 'api' || wantsJson(request.headers);
    const body = nestDottedKeys(bodyOf(request));

    if (flow.type === 'browser') {
      try {
        checkCsrf(request, body.csrf_token, deps);
      } catch (error) {
        if (error instanceof HttpError && !json) return deps.browserError(request, reply, error);
        throw error;
      }
    }

    const now = deps.clock.now();
    if (isExpired(flow, now)) {
      // Kratos starts the replacement itself, with the expiry notice, and points the client at it.
      const replacement = newLoginFlow(
        {
          type: flow.type,
          requestUrl: flow.requestUrl,
          returnTo: flow.returnTo,
          csrfToken: flow.csrfToken,
          refresh: flow.data.refresh === true,
          requestedAal: String(flow.data.requested_aal ?? 'aal1'),
          schemaDocument: deps.schemaDocument,
          message: loginFlowExpired(flow.expiresAt, now),
        },
        deps,
      );
      await deps.flows.create(replacement);
      if (!json) return reply.redirect(uiUrlFor(deps.config.flows.login.uiUrl, replacement.id), 303);
      throw flowExpired(flow.expiresAt, now, replacement.id);
    }

    const ui = uiOf(flow);
    ui.resetMessages();
    const fail = async (code = 400) => {
      ui.clearPasswordValues();
      flow.ui = ui.toJSON() as unknown as Record<string, unknown>;
      flow.updatedAt = deps.clock.now();
      await deps.flows.update(flow);
      if (!json) return reply.redirect(uiUrlFor(deps.config.flows.login.uiUrl, flow.id), 303);
      return reply.code(code).send(loginFlowJson(flow, deps));
    };

    if (flow.type === 'api') {
      // An API flow must not be driven by a browser: its cookies would ride along unchecked.
      const browserTrait = looksLikeBrowser(request.headers);
      if (browserTrait) {
        ui.addMessage(validationFailed(browserTrait));
        return fail();
      }
    }

    const current = await sessionOf(request, deps.sessions);
    if (current && flow.data.refresh !== true) {
      ui.addMessage(
        validationFailed(
          'A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?',
        ),
      );
      return fail();
    }

    if (body.method !== 'password') {
      ui.addMessage(noLoginStrategy());
      return fail();
    }
    flow.active = 'password';
    const identifier = typeof body.identifier === 'string' ? body.identifier : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (identifier !== '') ui.setValue('identifier', identifier);
    if (identifier === '' || password === '') {
      if (identifier === '') ui.addNodeMessage('identifier', propertyMissing('identifier'));
      if (password === '') ui.addNodeMessage('password', propertyMissing('password'));
      return fail();
    }

    const result = await deps.passwordLogin.verify(identifier, password);
    if (!result.ok) {
      // The same message for an unknown identifier and a wrong password: no account enumeration.
      ui.addMessage(invalidCredentials());
      return fail();
    }
    if (result.identity.state !== 'active') {
      ui.addMessage(accountDisabled());
      return fail();
    }
    // A refresh confirms the signed-in person: someone else's password must not take over the session.
    if (current && current.identity.id !== result.identity.id) {
      ui.addMessage(invalidCredentials());
      return fail();
    }

    const method = { method: 'password', aal: 'aal1', completedAt: deps.clock.now() } as const;
    // A refresh authenticates the signed-in session again (same tokens); otherwise a new session.
    const issued = current
      ? {
          session: await deps.sessions.reauthenticate(current.session, method),
          token: current.token,
        }
      : await deps.sessions.issue(result.identity, [method], {
          ipAddress: request.ip,
          userAgent: String(request.headers['user-agent'] ?? ''),
        });
    flow.state = 'passed_challenge';
    flow.ui = ui.toJSON() as unknown as Record<string, unknown>;
    flow.updatedAt = deps.clock.now();
    await deps.flows.update(flow);
    const session = publicSession({ session: issued.session, identity: result.identity });

    if (flow.type === 'api') {
      return reply.send({ session_token: issued.token, session, continue_with: null });
    }
    const cookie = deps.sessions.cookie(issued.token, issued.session);
    reply.setCookie(cookie.name, cookie.value, cookie.options);
    // A new CSRF token with a new session (a token planted before sign-in is worthless after it);
    // a refresh of the same person's session keeps it, as Kratos does.
    if (!current) rotateCsrfToken(reply, deps);
    const returnTo = finalReturnTo(flow, deps);
    if (!json) return reply.redirect(returnTo, 303);
    return reply.send({
      session,
      continue_with: [{ action: 'redirect_browser_to', redirect_browser_to: returnTo }],
    });
  };

  app.post('/self-service/login', submit);
}
