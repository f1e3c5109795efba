import { isPlainObject, type JsonObject } from '../../config/object-path.js';
import type { Flow, FlowType } from '../flow/flow.js';
import { type FlowHttpDependencies, publicUrl, renderUi, startedFlow } from '../flow/flow-http.js';
import { keysInSchemaOrder, traitNodes } from '../flow/traits-nodes.js';
import { UiContainer } from '../flow/ui-container.js';
import {
  csrfTokenNode,
  inputNode,
  passwordNode,
  submitNode,
  type UiNode,
  type UiNodeGroup,
  uiNodeId,
} from '../flow/ui-node.js';
import { chooseCredentials, registrationBack, signUp, type UiText } from '../flow/ui-text.js';

export interface NewRegistrationFlow {
  type: FlowType;
  requestUrl: string;
  returnTo: string;
  /** The browser's CSRF token ('' for API flows). */
  csrfToken: string;
  /** `identity_schema` as requested; '' for the default schema. */
  identitySchema: string;
  /** The document of the schema the flow registers with: its traits become the form's inputs. */
  schemaDocument: JsonObject;
  /** `profile_first`: the traits alone first; otherwise (`unified`) traits and password at once. */
  twoSteps: boolean;
  passwordEnabled: boolean;
  /** A message for the form (the expiry notice on a replacement flow). */
  message?: UiText;
}

/** A new registration flow with the first form of the configured style (see profileForm, unifiedForm). */
export function newRegistrationFlow(options: NewRegistrationFlow, deps: FlowHttpDependencies): Flow {
  const id = deps.random.uuid();
  const ui = new UiContainer({ action: `${publicUrl(deps, 'self-service/registration').href}?flow=${id}` });
  if (options.twoSteps) profileForm(ui, options.schemaDocument);
  else unifiedForm(ui, options.schemaDocument, options.passwordEnabled);
  if (options.message) ui.addMessage(options.message);
  return startedFlow(
    'registration',
    {
      id,
      state: 'choose_method',
      type: options.type,
      requestUrl: options.requestUrl,
      returnTo: options.returnTo,
      csrfToken: options.csrfToken,
      ui,
      data: options.identitySchema ? { identity_schema: options.identitySchema } : {},
    },
    deps,
  );
}

/** The schema a flow registers with: its `identity_schema`, '' meaning the default one. */
export function flowIdentitySchema(flow: Flow): string {
  return typeof flow.data.identity_schema === 'string' ? flow.data.identity_schema : '';
}

/**
 * A registration flow as Kratos' API writes it, in its field order. Unlike a login flow it shows
 * no created_at/updated_at; `organization_id` is always there (null: gatehouse has no organizations).
 */
export function registrationFlowJson(flow: Flow, deps: FlowHttpDependencies): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: flow.id,
    type: flow.type,
    expires_at: flow.expiresAt.toISOString(),
    issued_at: flow.issuedAt.toISOString(),
    request_url: flow.requestUrl,
  };
  if (flow.returnTo) json.return_to = flow.returnTo;
  if (flow.active) json.active = flow.active;
  json.ui = renderUi(flow, deps);
  json.organization_id = null;
  json.state = flow.state;
  const schema = flowIdentitySchema(flow);
  if (schema) json.identity_schema = schema;
  return json;
}

// --- Forms -------------------------------------------------------------------------------------
//
// Each form is built as Kratos builds it: the profile method fills the container first, then the
// password method, then the nodes are sorted (sortRegistrationNodes). The steps replace nodes by
// id, so a node created for an error message (a `password` text input on the first step's form)
// is replaced by the real one when the step that owns it comes.

const profileSubmit = () => submitNode('profile', 'profile', signUp());
const passwordSubmit = () => submitNode('password', 'password', signUp());
const previousScreen = () =>
  inputNode('profile', 'screen', 'submit', { value: 'previous', label: registrationBack() });

/**
 * The first step of `profile_first`: the CSRF token, one input per trait and `method=profile`
 * (1040001); no password yet. `traits`, when given, fills the inputs (going back from step two).
 */
export function profileForm(ui: UiContainer, document: JsonObject, traits?: unknown): void {
  ui.removeNodes(['screen'], 'profile');
  ui.setNode(csrfTokenNode(''));
  for (const node of traitNodes(document, 'default')) ui.setNode(node);
  if (traits !== undefined) ui.updateValuesFromJSON(traits, 'traits', 'default');
  ui.appendNode(profileSubmit());
  ui.removeNodes(['password', 'method'], 'password');
  sortRegistrationNodes(ui, document);
}

/** `unified`: the traits, the password (`new-password`) and `method=password` (1040001) in one form. */
export function unifiedForm(ui: UiContainer, document: JsonObject, passwordEnabled: boolean): void {
  ui.setNode(csrfTokenNode(''));
  for (const node of traitNodes(document, 'default')) ui.setNode(node);
  if (passwordEnabled) {
    ui.setNode(passwordNode('new-password'));
    ui.setNode(passwordSubmit());
  }
  sortRegistrationNodes(ui, document);
}

/**
 * The second step of `profile_first`, after valid traits: every default-group input (the traits,
 * the CSRF token) hidden and filled, the password and `method=password`, `screen=previous`
 * (1040008) to go back, and "choose a credential" (1040009) on the form.
 */
export function credentialsForm(
  ui: UiContainer,
  document: JsonObject,
  traits: unknown,
  passwordEnabled: boolean,
): void {
  ui.resetMessages();
  ui.appendNode(previousScreen());
  ui.removeNodes(['method'], 'profile');
  for (const node of ui.nodes) {
    if (node.group === 'default' && node.type === 'input') node.attributes.type = 'hidden';
  }
  ui.addMessage(chooseCredentials());
  if (passwordEnabled) {
    ui.setNode(csrfTokenNode(''));
    ui.setNode(passwordNode('new-password'));
    ui.setNode(passwordSubmit());
  }
  ui.updateValuesFromJSON(traits, 'traits', 'default');
  sortRegistrationNodes(ui, document);
}

/**
 * After a refused submit: the submitted traits back into the inputs the form has (no input is
 * added for a trait the form does not show), so the person does not type them again.
 */
export function keepSubmittedTraits(ui: UiContainer, traits: unknown): void {
  for (const [path, value] of leaves(traits, [])) ui.setValue(`traits.${path}`, value ?? undefined);
}

function leaves(value: unknown, path: string[]): [string, unknown][] {
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, child]) =>
      leaves(child, [...path, key.replaceAll('.', '\\.')]),
    );
  }
  if (Array.isArray(value)) return value.flatMap((child, index) => leaves(child, [...path, String(index)]));
  return path.length === 0 ? [] : [[path.join('.'), value]];
}

// --- Node order --------------------------------------------------------------------------------

const GROUP_ORDER: readonly UiNodeGroup[] = [
  'oidc',
  'saml',
  'default',
  'webauthn',
  'passkey',
  'code',
  'password',
  'captcha',
  'profile',
];
const TRAILING_KEYS = ['webauthn_remove', 'webauthn_register_displayname', 'webauthn_register'];

/**
 * Orders a registration form's nodes as Kratos does. First by group (groups it does not list
 * first, then oidc, saml, default, ..., password, captcha, profile); then, among nodes of one
 * group and between default and password nodes, by the first key their name starts with in
 * `csrf_token, <first schema key>, password, <other schema keys>, webauthn_*` (`method` always
 * last, ties by value). Nodes of other group pairs count as equal in that second pass, so its
 * result depends on the algorithm: this is the insertion sort Go's stable sort uses for up to 20
 * elements (forms longer than that may order such ties differently than Kratos).
 */
export function sortRegistrationNodes(ui: UiContainer, document: JsonObject): void {
  const schemaKeys = keysInSchemaOrder(document);
  const keys = [
    'csrf_token',
    ...schemaKeys.slice(0, 1),
    'password',
    ...schemaKeys.slice(1),
    ...TRAILING_KEYS,
  ];
  const nodes = ui.nodes;
  const methodPosition = nodes.length + keys.length + 1;
  const position = (node: UiNode) => {
    const id = uiNodeId(node);
    if (id === 'method') return methodPosition;
    const index = keys.findIndex((key) => id.startsWith(key));
    return index === -1 ? keys.length : index;
  };
  // Array.prototype.sort is stable, as Go's SliceStable is; this comparison is a total order.
  nodes.sort((a, b) => GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group));

  const comparable = (a: UiNode, b: UiNode) =>
    a.group === b.group ||
    (a.group === 'default' && b.group === 'password') ||
    (a.group === 'password' && b.group === 'default');
  const less = (a: UiNode, b: UiNode) => {
    if (!comparable(a, b)) return false;
    const pa = position(a);
    const pb = position(b);
    if (pa !== pb) return pa < pb;
    return goValueText(a) < goValueText(b);
  };
  for (let i = 1; i < nodes.length; i++) {
    for (let j = i; j > 0 && less(nodes[j]!, nodes[j - 1]!); j--) {
      [nodes[j - 1], nodes[j]] = [nodes[j]!, nodes[j - 1]!];
    }
  }
}

/** A node's value as Go's `%v` prints it, for the tie-break (nil prints `<nil>`). */
function goValueText(node: UiNode): string {
  const value = node.type === 'input' ? node.attributes.value : undefined;
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
