import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../http/http-error.js';
import { type Identity, identityJson } from '../../identity/identity.js';
import type { IdentityManager } from '../../identity/identity-manager.js';
import { goQuote } from '../../identity/schema/go-formatting.js';
import type { IdentitySchema, IdentitySchemas } from '../../identity/schema/identity-schemas.js';
import type { Logger } from '../../log/logger.js';
import { type Session, sessionJson } from '../../session/session.js';
import type { SessionManager } from '../../session/session-manager.js';
import { sessionOf } from '../../session/session-routes.js';
import { looksLikeBrowser } from '../flow/csrf.js';
import { type Flow, type FlowType, isExpired } from '../flow/flow.js';
import { flowDisabled, flowExpired, sessionAlreadyAvailable } from '../flow/flow-errors.js';
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
  uiOf,
  uiUrlFor,
} from '../flow/flow-http.js';
import { wantsJson } from '../flow/response-mode.js';
import { type AllowedReturnUrl, secureReturnTo } from '../flow/return-to.js';
import { traitNodes } from '../flow/traits-nodes.js';
import type { UiContainer } from '../flow/ui-container.js';
import { noRegistrationStrategy, registrationFlowExpired, validationFailed } from '../flow/ui-text.js';
import type { ContinueWith, RegistrationHook } from '../hook/registration-hook.js';
import { sessionHook } from '../hook/session-hook.js';
import type { PasswordPolicy } from '../strategy/password/password-policy.js';
import { passwordRegistration } from '../strategy/password/password-registration.js';
import { profileRegistration } from '../strategy/profile/profile-registration.js';
import type { RegistrationConfig } from './registration-config.js';
import {
  flowIdentitySchema,
  keepSubmittedTraits,
  newRegistrationFlow,
  registrationFlowJson,
  sortRegistrationNodes,
} from './registration-flow.js';
import {
  type RegistrationOutcome,
  type RegistrationStrategy,
  type RegistrationSubmit,
  stringField,
} from './registration-strategy.js';

export interface RegistrationRoutesDependencies extends FlowHttpDependencies {
  sessions: SessionManager;
  identityManager: IdentityManager;
  schemas: IdentitySchemas;
  /** Kratos' password rules (length, likeness to the identifiers, breaches). */
  passwordPolicy: Pick<PasswordPolicy, 'check'>;
  registration: RegistrationConfig;
  schemaUrlFor(schemaId: string): string;
  /** Shows a browser an error no flow can carry (a CSRF violation): the error page, or JSON. */
  browserError(request: FastifyRequest, reply: FastifyReply, error: HttpError): Promise<FastifyReply>;
  /** Told once, at start-up, about configured hooks gatehouse does not run. */
  log?: Logger;
}

const BAD_REQUEST = 'The request was malformed or contained invalid parameters';

/**
 * The registration flow's routes on the public port, as Kratos': browser and API init, fetch by
 * `?id=`, and submit by `?flow=` (JSON or form) with the profile method (the two steps of
 * `profile_first`) and the password method (one shot, or the second step), then the after-hooks.
 */
export function registerRegistrationRoutes(app: FastifyInstance, deps: RegistrationRoutesDependencies): void {
  const { registration } = deps;
  const flowConfig = deps.config.flows.registration;
  const passwordEnabled = deps.config.passwordEnabled;

  const publicIdentity = (identity: Identity) =>
    identityJson(identity, { schemaUrl: deps.schemaUrlFor(identity.schemaId), admin: false });
  const publicSession = (session: Session, identity: Identity) =>
    sessionJson(session, deps.clock.now(), {
      identity,
      expandIdentity: true,
      expandDevices: true,
      identityJson: { schemaUrl: deps.schemaUrlFor(identity.schemaId), admin: false },
    });

  const hooks: RegistrationHook[] = [];
  for (const name of registration.afterPasswordHooks) {
    if (name === 'session') {
      hooks.push(sessionHook({ sessions: deps.sessions, flowHttp: deps, sessionJson: publicSession }));
    } else {
      deps.log?.warn({ hook: name }, 'registration after-hook not supported by gatehouse; it is skipped');
    }
  }

  // An empty identity_schema is the configured default, as in Kratos (not the one named "default").
  const schemaOf = (identitySchema: string): IdentitySchema =>
    deps.schemas.get(identitySchema || deps.schemas.defaultSchemaId);

  /** Kratos' error manager: a JSON client gets the error, a page the error UI. */
  const forward = (request: FastifyRequest, reply: FastifyReply, error: unknown, json: boolean) => {
    if (error instanceof HttpError && !json) return deps.browserError(request, reply, error);
    throw error;
  };

  // --- Init and fetch ----------------------------------------------------------------------------

  const init = async (request: FastifyRequest, reply: FastifyReply, type: FlowType) => {
    const query = queryOf(request);
    const json = type === 'api' || wantsJson(request.headers);
    // Native apps are refused before anything else; browsers only once the request is checked.
    if (type === 'api' && (await sessionOf(request, deps.sessions)))
      throw sessionAlreadyAvailable('registration');
    let returnTo: string;
    let identitySchema: string;
    try {
      returnTo = checkedReturnTo(query.return_to, deps);
      identitySchema = requestedSchema(query.identity_schema, deps.schemas);
      if (!flowConfig.enabled) throw flowDisabled('registration');
    } catch (error) {
      return forward(request, reply, error, json);
    }
    if (type === 'browser' && (await sessionOf(request, deps.sessions))) {
      // Signed in already: a page is sent on to where it wanted to go; a client is told.
      if (json) throw sessionAlreadyAvailable('registration');
      return reply.redirect(signedInDestination(returnTo, deps, deps.allowedReturnUrls), 303);
    }
    const flow = newRegistrationFlow(
      {
        type,
        requestUrl: requestUrlOf(request),
        returnTo,
        csrfToken: type === 'browser' ? browserCsrfToken(request, reply, deps) : '',
        identitySchema,
        schemaDocument: schemaOf(identitySchema).document,
        twoSteps: registration.twoSteps,
        passwordEnabled,
      },
      deps,
    );
    await deps.flows.create(flow);
    if (!json) return reply.redirect(uiUrlFor(flowConfig.uiUrl, flow.id), 303);
    return reply.send(registrationFlowJson(flow, deps));
  };

  app.get('/self-service/registration/browser', (request, reply) => init(request, reply, 'browser'));
  app.get('/self-service/registration/api', (request, reply) => init(request, reply, 'api'));

  app.get('/self-service/registration/flows', async (request, reply) => {
    // With registration off, every id answers the same way: whether a flow exists is not told.
    if (!flowConfig.enabled) {
      return forward(request, reply, flowDisabled('registration'), wantsJson(request.headers));
    }
    const flow = await loadFlow('registration', queryOf(request).id, deps);
    checkFetchedFlow('registration', flow, request, deps);
    return reply.send(registrationFlowJson(flow, deps));
  });

  // --- Submit ----------------------------------------------------------------------------------

  /** Stores the form with its messages and answers as Kratos does: browsers 302, clients 400. */
  const showForm = async (request: FastifyRequest, reply: FastifyReply, flow: Flow, ui: UiContainer) => {
    sortRegistrationNodes(ui, schemaOf(flowIdentitySchema(flow)).document);
    ui.clearPasswordValues();
    flow.ui = ui.toJSON() as unknown as Record<string, unknown>;
    flow.updatedAt = deps.clock.now();
    await deps.flows.update(flow);
    if (flow.type === 'browser' && !wantsJson(request.headers)) {
      return reply.redirect(uiUrlFor(flowConfig.uiUrl, flow.id), 302);
    }
    return reply.code(400).send(registrationFlowJson(flow, deps));
  };

  /** A refused submit: the traits kept, earlier messages replaced by the new ones. */
  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    flow: Flow,
    ui: UiContainer,
    traits: unknown,
    addMessages: (ui: UiContainer) => void,
  ) => {
    keepSubmittedTraits(ui, traits);
    ui.resetMessages();
    addMessages(ui);
    return showForm(request, reply, flow, ui);
  };

  /** A step of `profile_first` shown: JSON clients get it with 400 (as Kratos answers), pages 303. */
  const showStep = async (request: FastifyRequest, reply: FastifyReply, flow: Flow, ui: UiContainer) => {
    flow.ui = ui.toJSON() as unknown as Record<string, unknown>;
    flow.updatedAt = deps.clock.now();
    await deps.flows.update(flow);
    if (wantsJson(request.headers)) return reply.code(400).send(registrationFlowJson(flow, deps));
    return reply.redirect(uiUrlFor(flowConfig.uiUrl, flow.id), 303);
  };

  /**
   * A browser submit must carry its CSRF token (403 otherwise, shown as an error); an API submit
   * must not look like a browser's (a message on the form). Undefined when the request may go on.
   */
  const checkOrigin = (
    request: FastifyRequest,
    flow: Flow,
    body: Record<string, unknown>,
    traits: unknown,
  ): RegistrationOutcome | undefined => {
    if (flow.type === 'browser') {
      try {
        checkCsrf(request, body.csrf_token, deps);
      } catch (error) {
        return { kind: 'error', error };
      }
      return undefined;
    }
    const browserTrait = looksLikeBrowser(request.headers);
    if (!browserTrait) return undefined;
    return {
      kind: 'refused',
      traits,
      addMessages: (form) => form.addMessage(validationFailed(browserTrait)),
    };
  };

  const profileStrategy = profileRegistration({ schemas: deps.schemas, passwordEnabled });
  const passwordStrategy = passwordRegistration({
    schemas: deps.schemas,
    identityManager: deps.identityManager,
    passwordPolicy: deps.passwordPolicy,
    enabled: passwordEnabled,
  });

  /** Hands the submit to `strategy` and answers what it made of it. */
  const run = async (
    strategy: RegistrationStrategy,
    request: FastifyRequest,
    reply: FastifyReply,
    submitted: Omit<RegistrationSubmit, 'checkOrigin'>,
  ) => {
    const { flow, ui, body } = submitted;
    const outcome = await strategy.submit({
      ...submitted,
      checkOrigin: (traits) => checkOrigin(request, flow, body, traits),
    });
    switch (outcome.kind) {
      case 'refused':
        return refuse(request, reply, flow, ui, outcome.traits, outcome.addMessages);
      case 'error':
        return forward(request, reply, outcome.error, flow.type === 'api' || wantsJson(request.headers));
      case 'step':
        return showStep(request, reply, flow, ui);
      case 'created':
        return complete(request, reply, flow, ui, outcome.identity, strategy.method);
    }
  };

  /** After the identity is stored: where to go, the hooks, then the answer (Kratos' post-registration). */
  const complete = async (
    request: FastifyRequest,
    reply: FastifyReply,
    flow: Flow,
    ui: UiContainer,
    identity: Identity,
    method: string,
  ) => {
    const browserJson = flow.type === 'browser' && wantsJson(request.headers);
    const json = flow.type === 'api' || browserJson;
    let returnTo: string;
    try {
      returnTo = finalReturnTo(flow, deps, registration.afterPasswordReturnUrl);
    } catch (error) {
      // The return_to was allowed when the flow began and is not any more. Kratos reports it on the
      // form, although the identity is stored by now.
      if (!(error instanceof HttpError)) throw error;
      return refuse(request, reply, flow, ui, identity.traits, (form) =>
        form.addMessage(validationFailed(error.reason ?? error.message)),
      );
    }
    const continueWith: ContinueWith[] = browserJson
      ? [{ action: 'redirect_browser_to', redirect_browser_to: returnTo }]
      : [];
    const completion = {
      request,
      reply,
      flow,
      identity,
      method,
      json,
      continueWith,
      identityJson: publicIdentity(identity),
    };
    for (const hook of hooks) {
      if ((await hook.afterRegistration(completion)) === 'responded') return reply;
    }
    if (json) {
      return reply.send({
        identity: completion.identityJson,
        continue_with: continueWith.length > 0 ? continueWith : null,
      });
    }
    return reply.redirect(returnTo, 303);
  };

  const submit = async (request: FastifyRequest, reply: FastifyReply) => {
    // Kratos turns away anyone signed in before it even reads the flow.
    if (await sessionOf(request, deps.sessions)) {
      if (wantsJson(request.headers)) throw sessionAlreadyAvailable('registration');
      return reply.redirect(signedInDestination(queryOf(request).return_to ?? '', deps, []), 302);
    }
    const flow = await loadFlow('registration', flowIdOf(request), deps);

    const now = deps.clock.now();
    if (isExpired(flow, now)) {
      // Kratos starts the replacement itself, with the expiry notice, and points the client at it.
      const json = flow.type === 'api' || wantsJson(request.headers);
      if (!flowConfig.enabled) return forward(request, reply, flowDisabled('registration'), json);
      const identitySchema = flowIdentitySchema(flow);
      const replacement = newRegistrationFlow(
        {
          type: flow.type,
          requestUrl: flow.requestUrl,
          returnTo: flow.returnTo,
          csrfToken: flow.type === 'browser' ? browserCsrfToken(request, reply, deps) : '',
          identitySchema,
          schemaDocument: schemaOf(identitySchema).document,
          twoSteps: registration.twoSteps,
          passwordEnabled,
          message: registrationFlowExpired(flow.expiresAt, now),
        },
        deps,
      );
      await deps.flows.create(replacement);
      if (!json) return reply.redirect(uiUrlFor(flowConfig.uiUrl, replacement.id), 303);
      throw flowExpired(flow.expiresAt, now, replacement.id);
    }

    const ui = uiOf(flow);
    const schema = schemaOf(flowIdentitySchema(flow));
    const body = submittedBody(request, schema);
    const method = stringField(body.method);
    // The profile method is asked first, as Kratos' first strategy, and only in `profile_first`;
    // a `screen` field makes the submit its own whatever `method` says.
    if (
      registration.twoSteps &&
      (method === 'profile' || method === 'profile:back' || stringField(body.screen))
    ) {
      return run(profileStrategy, request, reply, { flow, ui, body, schema });
    }
    if (method === 'password') return run(passwordStrategy, request, reply, { flow, ui, body, schema });
    ui.resetMessages();
    ui.addMessage(noRegistrationStrategy());
    return showForm(request, reply, flow, ui);
  };

  app.post('/self-service/registration', submit);
}

// --- Helpers -------------------------------------------------------------------------------------

/** `identity_schema` of an init: the default schema, or another one open to self-service. */
function requestedSchema(requested: string | undefined, schemas: IdentitySchemas): string {
  if (!requested || requested === schemas.defaultSchemaId) return requested ?? '';
  const schema = schemas.list().find((candidate) => candidate.id === requested);
  if (!schema) {
    throw new HttpError({
      code: 400,
      message: BAD_REQUEST,
      reason: `Requested identity schema ${goQuote(requested)} does not exist.`,
    });
  }
  if (!schema.selfserviceSelectable) {
    throw new HttpError({
      code: 400,
      message: BAD_REQUEST,
      reason: `Requested identity schema ${goQuote(requested)} is not enabled for self-service flows.`,
    });
  }
  return requested;
}

/**
 * Where a signed-in browser is sent instead of a registration: the return_to when `allowed`
 * (and the public self-service URLs) permit it, else the default return URL. An init checks
 * against the allow-list; a submit, as in Kratos, against the self-service URLs only.
 */
function signedInDestination(
  returnTo: string,
  deps: FlowHttpDependencies,
  allowed: readonly AllowedReturnUrl[],
): string {
  const checked = secureReturnTo({
    requested: returnTo || undefined,
    defaultReturnUrl: deps.config.defaultBrowserReturnUrl,
    allowed,
    publicBaseUrl: deps.publicBaseUrl.href,
  });
  return checked instanceof HttpError ? deps.config.defaultBrowserReturnUrl : checked;
}

// --- Reading the body ----------------------------------------------------------------------------

/** How a form field of a trait is typed, from the trait inputs of its schema. */
interface FormField {
  kind: 'number' | 'boolean' | 'string';
  required: boolean;
}

// Per schema id; schemas are loaded once at start-up, so nothing invalidates an entry.
const formFieldsBySchema = new WeakMap<IdentitySchema, Map<string, FormField>>();

function formFields(schema: IdentitySchema): Map<string, FormField> {
  let fields = formFieldsBySchema.get(schema);
  if (!fields) {
    fields = new Map();
    for (const node of traitNodes(schema.document, 'default')) {
      const type = node.attributes.type;
      fields.set(node.attributes.name, {
        kind: type === 'number' ? 'number' : type === 'checkbox' ? 'boolean' : 'string',
        required: node.attributes.required === true,
      });
    }
    formFieldsBySchema.set(schema, fields);
  }
  return fields;
}

const FORM_KEYS = new Set(['csrf_token', 'password', 'method', 'screen']);

/**
 * The submitted body as an object. JSON is taken as sent (dotted keys nested). A form is read as
 * Kratos reads one, by the schema: only known fields, empty ones left out (so an empty password
 * is a missing one), numbers and booleans of the traits converted (a value that does not convert
 * stays text, for validation to report).
 */
function submittedBody(request: FastifyRequest, schema: IdentitySchema): Record<string, unknown> {
  const raw = bodyOf(request);
  const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
  if (!contentType.startsWith('application/x-www-form-urlencoded')) return nestDottedKeys(raw);
  const fields = formFields(schema);
  const typed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const values = (Array.isArray(value) ? value : [value]).map(String);
    const first = values[0] ?? '';
    if (FORM_KEYS.has(key)) {
      if (first !== '') typed[key] = first;
      continue;
    }
    const field = fields.get(key);
    if (!field) continue;
    if (field.kind === 'string') {
      if (first !== '') typed[key] = first;
    } else if (field.kind === 'number') {
      if (first === '' && !field.required) continue;
      const number = first === '' ? 0 : goParseFloat(first);
      typed[key] = number ?? first;
    } else {
      const last = values.at(-1) ?? '';
      if (last === '' && !field.required) continue;
      const flag = last === '' ? false : goParseBool(last);
      typed[key] = flag ?? last;
    }
  }
  return nestDottedKeys(typed);
}

function goParseFloat(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function goParseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}
