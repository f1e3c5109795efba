import { getPath, type JsonObject } from '../../config/object-path.js';
import { HttpError } from '../../http/http-error.js';
import { type Identity, identityJson } from '../../identity/identity.js';
import type { TraitAddress, TraitIdentifiers } from '../../identity/schema/trait-identifiers.js';
import type { Session } from '../../session/session.js';
import type { Flow, FlowType } from '../flow/flow.js';
import { type FlowHttpDependencies, publicUrl, renderUi, startedFlow } from '../flow/flow-http.js';
import { traitNodes } from '../flow/traits-nodes.js';
import { UiContainer } from '../flow/ui-container.js';
import { csrfTokenNode, passwordNode, submitNode, type UiNode, uiNodeId } from '../flow/ui-node.js';
import { saveLabel, type UiText } from '../flow/ui-text.js';

/** What a settings form offers besides the flow's common parts. */
export interface SettingsMethods {
  /** `selfservice.methods.profile.enabled`: the traits form. */
  profile: boolean;
  /** `selfservice.methods.password.enabled`: the new-password form. */
  password: boolean;
}

export interface NewSettingsFlow {
  type: FlowType;
  requestUrl: string;
  returnTo: string;
  /** The browser's CSRF token ('' for API flows). */
  csrfToken: string;
  /** Whose settings these are; its traits fill the profile form. */
  identity: Identity;
  /** The identity's schema document (the trait inputs). */
  schemaDocument: JsonObject;
  methods: SettingsMethods;
  /** A message for the form (the expiry notice on a replacement flow). */
  message?: UiText;
}

/**
 * A new settings flow in state `show_form`, bound to the identity: the profile form (one input per
 * trait, filled with the current values) and the new-password form, each with its `Save` button.
 */
export function newSettingsFlow(options: NewSettingsFlow, deps: FlowHttpDependencies): Flow {
  const id = deps.random.uuid();
  const ui = settingsUi(id, options.identity, options.schemaDocument, options.methods, deps);
  if (options.message) ui.addMessage(options.message);
  return startedFlow(
    'settings',
    {
      id,
      state: 'show_form',
      type: options.type,
      requestUrl: options.requestUrl,
      returnTo: options.returnTo,
      csrfToken: options.csrfToken,
      identityId: options.identity.id,
      ui,
      data: {},
    },
    deps,
  );
}

/**
 * The settings form, in the order Kratos sorts it: the CSRF token, then the profile group (the
 * schema's traits in schema order, then any other trait the identity has, then `method=profile`),
 * then the password group (`password`, then `method=password`).
 */
export function settingsUi(
  flowId: string,
  identity: Identity,
  schemaDocument: JsonObject,
  methods: SettingsMethods,
  deps: FlowHttpDependencies,
): UiContainer {
  const ui = new UiContainer({
    action: `${publicUrl(deps, 'self-service/settings').href}?flow=${flowId}`,
    nodes: [csrfTokenNode('')],
  });
  if (methods.profile) {
    const schemaTraits = traitNodes(schemaDocument, 'profile');
    ui.nodes.push(...schemaTraits);
    // Traits the schema does not list (it allows additional properties) become inputs typed by
    // their value, appended after the schema's.
    ui.updateValuesFromJSON(identity.traits, 'traits', 'profile');
    const known = new Set(schemaTraits.map(uiNodeId));
    const extra = ui.nodes.filter((node) => node.group === 'profile' && !known.has(uiNodeId(node)));
    // Kratos breaks the tie between nodes the schema does not place by their values, as Go prints them.
    const ordered = [...extra].sort((a, b) => compareGoStrings(goValueText(a), goValueText(b)));
    ui.nodes = [...ui.nodes.filter((node) => !extra.includes(node)), ...ordered];
    ui.appendNode(submitNode('profile', 'profile', saveLabel()));
  }
  if (methods.password) {
    ui.appendNode(passwordNode('new-password'));
    ui.appendNode(submitNode('password', 'password', saveLabel()));
  }
  return ui;
}

function goValueText(node: UiNode): string {
  const value = node.type === 'input' ? node.attributes.value : undefined;
  if (value === undefined || value === null) return '<nil>';
  return typeof value === 'string' ? value : String(value);
}

// Go compares strings bytewise; UTF-16 order differs only above U+FFFF, which is close enough
// for a tie-break among inputs nobody declared.
function compareGoStrings(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}

export interface SettingsFlowJsonOptions {
  /** The flow's identity, without credentials. */
  identity: Identity;
  schemaUrl: string;
  /** The CSRF token to mask into the form: the requesting browser's current one. */
  csrfToken?: string;
  continueWith?: Record<string, unknown>[];
}

/** A settings flow as Kratos' API writes it (field order as Kratos'). */
export function settingsFlowJson(
  flow: Flow,
  deps: FlowHttpDependencies,
  options: SettingsFlowJsonOptions,
): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: flow.id,
    type: flow.type,
    expires_at: flow.expiresAt.toISOString(),
    issued_at: flow.issuedAt.toISOString(),
    request_url: flow.requestUrl,
  };
  if (flow.returnTo) json.return_to = flow.returnTo;
  if (flow.active) json.active = flow.active;
  json.ui = renderUi(
    options.csrfToken && flow.type === 'browser' ? { ...flow, csrfToken: options.csrfToken } : flow,
    deps,
  );
  json.identity = identityJson(options.identity, { schemaUrl: options.schemaUrl, admin: false });
  json.state = flow.state;
  // Kratos' organization id is a nullable UUID struct, which `omitempty` never leaves out.
  json.organization_id = null;
  if (options.continueWith && options.continueWith.length > 0) json.continue_with = options.continueWith;
  return json;
}

// --- Privileged sessions -------------------------------------------------------------------------

/**
 * Whether a session counts as privileged (recently authenticated) for a profile change: signed in
 * within `privileged_session_max_age`, or always when that is zero or less.
 */
export function isPrivileged(session: Session, now: Date, maxAgeMs: number): boolean {
  if (maxAgeMs <= 0) return true;
  return session.authenticatedAt.getTime() + maxAgeMs > now.getTime();
}

/**
 * Whether a password change must re-authenticate first. Kratos checks this one strictly, so a
 * `privileged_session_max_age` of zero asks for a fresh login on every password change (unlike
 * isPrivileged).
 */
export function passwordChangeNeedsRefresh(session: Session, now: Date, maxAgeMs: number): boolean {
  return session.authenticatedAt.getTime() + maxAgeMs < now.getTime();
}

/**
 * Whether new traits change what only a privileged session may change: the password identifiers,
 * the code identifiers, the verifiable addresses (in order) or the recovery addresses.
 */
export function changesProtectedFields(before: TraitIdentifiers, after: TraitIdentifiers): boolean {
  const sameSet = (a: readonly string[], b: readonly string[]) => {
    const x = new Set(a);
    const y = new Set(b);
    return x.size === y.size && [...x].every((value) => y.has(value));
  };
  const keys = (addresses: readonly TraitAddress[]) => [
    ...new Set(addresses.map((address) => `${address.via}:${address.value.toLowerCase()}`)),
  ];
  const sameList = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((value, index) => value === b[index]);
  return !(
    sameSet(before.passwordIdentifiers, after.passwordIdentifiers) &&
    sameSet(keys(before.codeIdentifiers), keys(after.codeIdentifiers)) &&
    sameList(keys(before.verifiableAddresses), keys(after.verifiableAddresses)) &&
    sameSet(keys(before.recoveryAddresses), keys(after.recoveryAddresses))
  );
}

/**
 * Where a browser re-authenticates before the change can go on: a refresh login whose return_to
 * is the settings request itself (`<public>/self-service/settings?flow=<id>`).
 */
export function refreshLoginUrl(
  deps: FlowHttpDependencies,
  requestPath: string,
  query: URLSearchParams,
): string {
  const back = publicUrl(deps, requestPath);
  const pairs = [...query.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  back.search = goEncodeQuery(pairs);
  const login = publicUrl(deps, 'self-service/login/browser');
  login.search = goEncodeQuery([
    ['refresh', 'true'],
    ['return_to', back.href],
  ]);
  return login.href;
}

/** 403 `session_refresh_required`, with where to sign in again. */
export function sessionRefreshRequired(redirectTo: string): HttpError {
  return new HttpError({
    code: 403,
    id: 'session_refresh_required',
    message: 'The requested action was forbidden',
    reason:
      'The login session is too old and thus not allowed to update these fields. Please re-authenticate.',
    extra: { redirect_browser_to: redirectTo },
  });
}

/**
 * 401 `session_inactive`, from the flow's init endpoints. Kratos serialises its wrapper's
 * `CredentialsMissing` field alongside; it is false on these routes.
 */
export function sessionInactive(reason = 'No active session was found in this request.'): HttpError {
  return new HttpError({
    code: 401,
    id: 'session_inactive',
    message: 'request does not have a valid authentication session',
    reason,
    extra: { CredentialsMissing: false },
  });
}

/** The plain 401 (no id) of fetching or submitting a settings flow without a session. */
export function settingsSessionMissing(): HttpError {
  return new HttpError({
    code: 401,
    message: 'The request could not be authorized',
    reason: 'A valid Ory Session Cookie or Ory Session Token is missing.',
  });
}

/** 404 for submitting a settings flow that does not exist (fetching one answers the generic 404). */
export function settingsFlowNotFound(): HttpError {
  return new HttpError({
    code: 404,
    message: 'The requested resource could not be found',
    reason: 'The settings request could not be found. Please restart the flow.',
  });
}

// --- Config ----------------------------------------------------------------------------------------

/** What the settings flow reads from the Kratos config beyond SelfserviceConfig. */
export interface SettingsConfig {
  methods: SettingsMethods;
  /**
   * `selfservice.flows.settings.after[.<method>].default_browser_return_url`: where a browser goes
   * after a change; by default back to the settings UI with the same flow.
   */
  afterReturnUrl(method: string): string | undefined;
}

export function readSettingsConfig(document: JsonObject): SettingsConfig {
  const at = (...path: string[]) => getPath(document, ['selfservice', ...path]);
  const enabled = (method: string) => (at('methods', method, 'enabled') as boolean | undefined) ?? true;
  const url = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    methods: { profile: enabled('profile'), password: enabled('password') },
    afterReturnUrl: (method) =>
      url(at('flows', 'settings', 'after', method, 'default_browser_return_url')) ??
      url(at('flows', 'settings', 'after', 'default_browser_return_url')),
  };
}

/** Go's url.Values.Encode for pairs already in order: QueryEscape on keys and values. */
export function goEncodeQuery(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([key, value]) => `${goQueryEscape(key)}=${goQueryEscape(value)}`).join('&');
}

function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}
