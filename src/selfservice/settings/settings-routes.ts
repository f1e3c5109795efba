import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PasswordTooLongError } from '../../hash/password-hasher.js';
import { HttpError } from '../../http/http-error.js';
import type { Identity } from '../../identity/identity.js';
import type { IdentityManager } from '../../identity/identity-manager.js';
import type { IdentityRepository } from '../../identity/identity-repository.js';
import type { IdentitySchemas } from '../../identity/schema/identity-schemas.js';
import { UnknownSchemaError } from '../../identity/schema/traits-validation-error.js';
import type { SessionManager } from '../../session/session-manager.js';
import { sessionOf } from '../../session/session-routes.js';
import { identityMismatch, isCsrfToken, looksLikeBrowser } from '../flow/csrf.js';
import { type Flow, isExpired } from '../flow/flow.js';
import { fetchedFlowExpired, flowExpired } from '../flow/flow-errors.js';
import {
  bodyOf,
  browserCsrfToken,
  checkCsrf,
  checkedReturnTo,
  type FlowHttpDependencies,
  finalReturnTo,
  flowIdOf,
  loadFlow,
  nestDottedKeys,
  publicUrl,
  queryOf,
  requestUrlOf,
  uiOf,
  uiUrlFor,
} from '../flow/flow-http.js';
import { wantsJson } from '../flow/response-mode.js';
import { UiContainer } from '../flow/ui-container.js';
import {
  duplicateIdentifier,
  noSettingsStrategy,
  settingsFlowExpired,
  settingsSaved,
  validationFailed,
} from '../flow/ui-text.js';
import type { PasswordVerifier } from '../strategy/password/password-login.js';
import { type PasswordPolicy, passwordTooLongMessage } from '../strategy/password/password-policy.js';
import { passwordSettings } from '../strategy/password/password-settings.js';
import { profileSettings } from '../strategy/profile/profile-settings.js';
import {
  goEncodeQuery,
  newSettingsFlow,
  refreshLoginUrl,
  type SettingsConfig,
  sessionInactive,
  sessionRefreshRequired,
  settingsFlowJson,
  settingsFlowNotFound,
  settingsSessionMissing,
} from './settings-flow.js';
import type { SettingsOutcome, SettingsStrategy, SettingsSubmit } from './settings-strategy.js';

export interface SettingsRoutesDependencies extends FlowHttpDependencies {
  sessions: SessionManager;
  identities: IdentityRepository;
  identityManager: IdentityManager;
  schemas: IdentitySchemas;
  /** Compares a new password with the stored hash (Kratos refuses an unchanged password). */
  hasher: Pick<PasswordVerifier, 'verify'>;
  passwordPolicy: Pick<PasswordPolicy, 'check'>;
  settings: SettingsConfig;
  schemaUrlFor(schemaId: string): string;
  /** Shows a browser an error no flow can carry (a CSRF violation): the error page, or JSON. */
  browserError(request: FastifyRequest, reply: FastifyReply, error: HttpError): Promise<FastifyReply>;
}

/**
 * The settings flow's routes on the public port, as Kratos': browser and API init (a session is
 * required), fetch by `?id=` (only by the flow's own identity), and submit by `?flow=` (JSON or
 * form, POST or GET) with the profile and password methods.
 */
export function registerSettingsRoutes(app: FastifyInstance, deps: SettingsRoutesDependencies): void {
  const settingsUiUrl = () => deps.config.flows.settings.uiUrl;
  const loginUiUrl = () => deps.config.flows.login.uiUrl;

  const schemaDocument = (identity: Identity) => {
    try {
      return deps.schemas.get(identity.schemaId).document;
    } catch (error) {
      if (error instanceof UnknownSchemaError) throw error.toHttpError();
      throw error;
    }
  };

  /** The browser's current CSRF token: forms are rendered with it, as nosurf renders each page. */
  const currentCsrfToken = (request: FastifyRequest) => {
    const cookie = request.cookies?.[deps.csrfCookie.name];
    return cookie && isCsrfToken(cookie) ? cookie : undefined;
  };

  const flowJson = async (
    flow: Flow,
    request: FastifyRequest,
    continueWith?: Record<string, unknown>[],
  ): Promise<Record<string, unknown>> => {
    const identity = flow.identityId
      ? await deps.identities.getWithoutCredentials(flow.identityId)
      : undefined;
    if (!identity) throw new HttpError({ code: 404, message: 'Unable to locate the resource' });
    return settingsFlowJson(flow, deps, {
      identity,
      schemaUrl: deps.schemaUrlFor(identity.schemaId),
      csrfToken: currentCsrfToken(request),
      continueWith,
    });
  };

  const init = async (request: FastifyRequest, reply: FastifyReply, type: 'browser' | 'api') => {
    const query = queryOf(request);
    const json = type === 'api' || wantsJson(request.headers);
    const active = await sessionOf(request, deps.sessions);
    if (!active) {
      if (type === 'api') {
        throw sessionInactive(
          'This endpoint can only be accessed with a valid session. Please log in and try again.',
        );
      }
      if (json) throw sessionInactive();
      // A page is sent to sign in first, keeping where it wanted to end up.
      const login = publicUrl(deps, 'self-service/login/browser');
      if (query.return_to) login.search = goEncodeQuery([['return_to', query.return_to]]);
      return reply.redirect(login.href, 303);
    }
    try {
      const returnTo = checkedReturnTo(query.return_to, deps);
      const csrfToken = type === 'browser' ? browserCsrfToken(request, reply, deps) : '';
      const flow = newSettingsFlow(
        {
          type,
          requestUrl: requestUrlOf(request),
          returnTo,
          csrfToken,
          identity: active.identity,
          schemaDocument: schemaDocument(active.identity),
          methods: deps.settings.methods,
        },
        deps,
      );
      await deps.flows.create(flow);
      if (!json) return reply.redirect(uiUrlFor(settingsUiUrl(), flow.id), 303);
      return reply.send(
        settingsFlowJson(flow, deps, {
          identity: active.identity,
          schemaUrl: deps.schemaUrlFor(active.identity.schemaId),
          csrfToken,
        }),
      );
    } catch (error) {
      if (error instanceof HttpError && !json) return deps.browserError(request, reply, error);
      throw error;
    }
  };

  app.get('/self-service/settings/browser', (request, reply) => init(request, reply, 'browser'));
  app.get('/self-service/settings/api', (request, reply) => init(request, reply, 'api'));

  app.get('/self-service/settings/flows', async (request, reply) => {
    const active = await sessionOf(request, deps.sessions);
    if (!active) {
      if (wantsJson(request.headers)) throw settingsSessionMissing();
      return reply.redirect(loginUiUrl(), 302);
    }
    const flow = await loadFlow('settings', queryOf(request).id, deps);
    // Settings flows are bound to an identity rather than to a browser's CSRF cookie.
    if (flow.identityId !== active.identity.id) throw identityMismatch('fetch');
    if (isExpired(flow, deps.clock.now())) {
      const restart = publicUrl(deps, 'self-service/settings/browser');
      if (flow.returnTo) restart.search = goEncodeQuery([['return_to', flow.returnTo]]);
      throw fetchedFlowExpired(
        'settings',
        flow.type === 'browser'
          ? { type: 'browser', redirectTo: restart.href, returnTo: flow.returnTo }
          : { type: 'api', api: publicUrl(deps, 'self-service/settings/api').href },
      );
    }
    return reply.send(await flowJson(flow, request));
  });

  // --- Submit ------------------------------------------------------------------------------------

  const strategies: SettingsStrategy[] = [profileSettings(deps), passwordSettings(deps)];

  /**
   * The request-origin check of a responsible strategy: a browser flow needs the CSRF token of
   * the browser's cookie; an API flow must not be driven by a browser (4000001 on the form).
   */
  const checkSubmitOrigin = (context: SettingsSubmit): SettingsOutcome | undefined => {
    if (context.flow.type === 'browser') {
      try {
        checkCsrf(context.request, context.body.csrf_token, deps);
      } catch (error) {
        if (error instanceof HttpError) return { kind: 'error', error };
        throw error;
      }
      return undefined;
    }
    const browserTrait = looksLikeBrowser(context.request.headers);
    if (!browserTrait) return undefined;
    context.ui.addMessage(validationFailed(browserTrait));
    return { kind: 'invalid' };
  };

  const submit = async (request: FastifyRequest, reply: FastifyReply) => {
    const jsonRequest = wantsJson(request.headers);
    const active = await sessionOf(request, deps.sessions);
    if (!active) {
      if (jsonRequest) throw settingsSessionMissing();
      return reply.redirect(loginUiUrl(), 302);
    }
    /** An error no form can show: JSON for clients, the error page for browsers. */
    const forward = (error: HttpError, flow?: Flow) => {
      if (flow?.type === 'api' || jsonRequest) throw error;
      return deps.browserError(request, reply, error);
    };

    let flow: Flow | undefined;
    try {
      flow = await deps.flows.get('settings', flowIdOf(request));
    } catch (error) {
      if (error instanceof HttpError) return forward(error);
      throw error;
    }
    if (!flow) return forward(settingsFlowNotFound());
    const json = flow.type === 'api' || jsonRequest;

    const now = deps.clock.now();
    if (isExpired(flow, now)) {
      // Kratos starts the replacement itself, for the signed-in identity, with the expiry notice.
      const replacement = newSettingsFlow(
        {
          type: flow.type,
          requestUrl: flow.requestUrl,
          returnTo: flow.returnTo,
          csrfToken: flow.type === 'browser' ? (currentCsrfToken(request) ?? flow.csrfToken) : '',
          identity: active.identity,
          schemaDocument: schemaDocument(active.identity),
          methods: deps.settings.methods,
          message: settingsFlowExpired(flow.expiresAt, now),
        },
        deps,
      );
      await deps.flows.create(replacement);
      if (json) throw flowExpired(flow.expiresAt, now, replacement.id);
      return reply.redirect(uiUrlFor(settingsUiUrl(), replacement.id), 303);
    }
    if (flow.identityId !== active.identity.id) return forward(identityMismatch('submit'), flow);

    const body = nestDottedKeys(request.method === 'GET' ? queryOf(request) : bodyOf(request));
    const context: SettingsSubmit = {
      request,
      flow,
      ui: uiOf(flow),
      body,
      active,
      form:
        request.method === 'GET' || request.headers['content-type']?.startsWith('application/json') !== true,
      checkOrigin: () => checkSubmitOrigin(context),
    };
    const method = body.method;
    const strategy = strategies.find((candidate) => candidate.method === method);
    const outcome = strategy ? await strategy.submit(context) : undefined;

    const showForm = async () => {
      const current = context.flow;
      current.ui = context.ui.toJSON() as unknown as Record<string, unknown>;
      current.updatedAt = deps.clock.now();
      await deps.flows.update(current);
      if (current.type === 'browser' && !jsonRequest) {
        return reply.redirect(uiUrlFor(settingsUiUrl(), current.id), 303);
      }
      return reply.code(400).send(await flowJson(current, request));
    };

    if (outcome === undefined) {
      context.ui.addMessage(noSettingsStrategy());
      return showForm();
    }
    switch (outcome.kind) {
      case 'invalid':
        return showForm();
      case 'error':
        return forward(outcome.error, flow);
      case 'refresh_required': {
        const path = request.url.split('?')[0]!;
        // Only the flow id goes into return_to: a GET submit's query could hold a password.
        const redirectTo = refreshLoginUrl(deps, path, new URLSearchParams({ flow: flow.id }));
        if (json) throw sessionRefreshRequired(redirectTo);
        return reply.redirect(redirectTo, 303);
      }
      case 'changed':
        break;
    }

    // Where a browser goes next is decided (and its return_to checked) before anything is stored.
    let returnTo: string;
    try {
      returnTo = finalReturnTo(
        flow,
        deps,
        deps.settings.afterReturnUrl(String(method)) ?? uiUrlFor(settingsUiUrl(), flow.id),
      );
    } catch (error) {
      if (error instanceof HttpError) return forward(error, flow);
      throw error;
    }

    let updated: Identity;
    try {
      updated = await deps.identityManager.update(outcome.identity, outcome.input);
    } catch (error) {
      if (error instanceof PasswordTooLongError) {
        context.ui.addNodeMessage('password', passwordTooLongMessage(String(body.password ?? '')));
        return showForm();
      }
      if (error instanceof HttpError && error.code === 409) {
        context.ui.addMessage(duplicateIdentifier());
        return showForm();
      }
      throw error;
    }

    // As Kratos, the saved form is that of a new flow for the changed identity (stored, and the
    // one the form now posts to), with the success message.
    const fresh = newSettingsFlow(
      {
        type: flow.type,
        requestUrl: requestUrlOf(request),
        returnTo: '',
        csrfToken: flow.type === 'browser' ? (currentCsrfToken(request) ?? flow.csrfToken) : '',
        identity: updated,
        schemaDocument: schemaDocument(updated),
        methods: deps.settings.methods,
      },
      deps,
    );
    await deps.flows.create(fresh);
    const ui = UiContainer.fromJSON(fresh.ui);
    ui.resetMessages();
    ui.addMessage(settingsSaved());
    flow.ui = ui.toJSON() as unknown as Record<string, unknown>;
    flow.state = 'success';
    flow.updatedAt = deps.clock.now();
    await deps.flows.update(flow);

    if (flow.type === 'api') return reply.send(await flowJson(flow, request));
    const cookie = deps.sessions.cookie(active.token, active.session);
    reply.setCookie(cookie.name, cookie.value, cookie.options);
    if (!jsonRequest) return reply.redirect(returnTo, 303);
    return reply.send(
      await flowJson(flow, request, [{ action: 'redirect_browser_to', redirect_browser_to: returnTo }]),
    );
  };

  app.post('/self-service/settings', submit);
  // Kratos takes submits by GET as well (links that carry the form in the query).
  app.get('/self-service/settings', submit);
}
