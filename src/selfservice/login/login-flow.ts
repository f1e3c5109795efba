import type { JsonObject } from '../../config/object-path.js';
import type { Flow, FlowType } from '../flow/flow.js';
import { type FlowHttpDependencies, publicUrl, renderUi, startedFlow } from '../flow/flow-http.js';
import { loginIdentifierLabel } from '../flow/traits-nodes.js';
import { UiContainer } from '../flow/ui-container.js';
import { csrfTokenNode, inputNode, passwordNode, submitNode } from '../flow/ui-node.js';
import { signInWithPassword, type UiText } from '../flow/ui-text.js';

export interface NewLoginFlow {
  type: FlowType;
  requestUrl: string;
  returnTo: string;
  /** The browser's CSRF token ('' for API flows). */
  csrfToken: string;
  refresh: boolean;
  requestedAal: string;
  /** The identity schema's document, for the identifier's label. */
  schemaDocument: JsonObject;
  /** The identifier to show (a refresh asks only for the password of the signed-in identity). */
  identifier?: string;
  /** A message for the form (the expiry notice on a replacement flow). */
  message?: UiText;
}

/**
 * A new login flow with the password method's form, laid out as Kratos lays it out: the
 * identifier (labelled from the schema), the CSRF token, the password and its submit button. On a
 * refresh the identifier is fixed and hidden: only the signed-in person's password is asked for.
 */
export function newLoginFlow(options: NewLoginFlow, deps: FlowHttpDependencies): Flow {
  const id = deps.random.uuid();
  const identifier = options.identifier
    ? inputNode('default', 'identifier', 'hidden', { value: options.identifier })
    : inputNode('default', 'identifier', 'text', {
        value: '',
        required: true,
        label: loginIdentifierLabel(options.schemaDocument),
      });
  const nodes = options.identifier ? [csrfTokenNode(''), identifier] : [identifier, csrfTokenNode('')];
  const ui = new UiContainer({
    action: `${publicUrl(deps, 'self-service/login').href}?flow=${id}`,
    nodes: [
      ...nodes,
      passwordNode('current-password'),
      submitNode('password', 'password', signInWithPassword()),
    ],
  });
  if (options.message) ui.addMessage(options.message);
  return startedFlow(
    'login',
    {
      id,
      state: 'choose_method',
      type: options.type,
      requestUrl: options.requestUrl,
      returnTo: options.returnTo,
      csrfToken: options.csrfToken,
      ui,
      data: { refresh: options.refresh, requested_aal: options.requestedAal },
    },
    deps,
  );
}

/** A login flow as Kratos' API writes it (field order as Kratos'). */
export function loginFlowJson(flow: Flow, deps: FlowHttpDependencies): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: flow.id,
    // Go's omitempty never drops a nullable UUID (a struct), so Kratos always sends this field.
    organization_id: null,
    type: flow.type,
    expires_at: flow.expiresAt.toISOString(),
    issued_at: flow.issuedAt.toISOString(),
    request_url: flow.requestUrl,
  };
  if (flow.returnTo) json.return_to = flow.returnTo;
  if (flow.active) json.active = flow.active;
  json.ui = renderUi(flow, deps);
  json.created_at = flow.createdAt.toISOString();
  json.updated_at = flow.updatedAt.toISOString();
  json.refresh = flow.data.refresh === true;
  json.requested_aal = flow.data.requested_aal ?? 'aal1';
  json.state = flow.state;
  return json;
}
