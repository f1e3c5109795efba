import { isPlainObject, type JsonObject } from '../../config/object-path.js';
import { passwordLabel, type UiText, uiTextFromJSON, uiTextToJSON } from './ui-text.js';

/** Which method a node belongs to; a UI groups and submits nodes by it. */
export type UiNodeGroup =
  | 'default'
  | 'password'
  | 'oidc'
  | 'profile'
  | 'link'
  | 'code'
  | 'totp'
  | 'lookup_secret'
  | 'webauthn'
  | 'passkey'
  | 'identifier_first'
  | 'captcha'
  | 'saml'
  | 'deviceauthn';

export type UiNodeInputType =
  | 'text'
  | 'password'
  | 'number'
  | 'checkbox'
  | 'hidden'
  | 'email'
  | 'tel'
  | 'submit'
  | 'button'
  | 'datetime-local'
  | 'date'
  | 'url';

export type UiNodeAutocomplete =
  | 'email'
  | 'tel'
  | 'url'
  | 'current-password'
  | 'new-password'
  | 'one-time-code'
  | 'username'
  | 'username webauthn';

export interface UiNodeMeta {
  label?: UiText;
}

export interface UiNodeInputAttributes {
  name: string;
  type: UiNodeInputType;
  /** Left out of the JSON when undefined or null (Kratos: a nil value). */
  value?: unknown;
  /** Left out of the JSON when false. */
  required?: boolean;
  autocomplete?: UiNodeAutocomplete;
  /** The input's own label; UIs show `meta.label`, which flows set. */
  label?: UiText;
  pattern?: string;
  /** Always written, false unless set. */
  disabled: boolean;
  onclick?: string;
  onclickTrigger?: string;
  onload?: string;
  onloadTrigger?: string;
  maxlength?: number;
  /** A schema `enum`: UIs render a select instead of a free input. */
  options?: { value: unknown }[];
  node_type: 'input';
}

export interface UiNodeTextAttributes {
  text: UiText | null;
  id: string;
  node_type: 'text';
}

export interface UiNodeImageAttributes {
  src: string;
  id: string;
  width: number;
  height: number;
  node_type: 'img';
}

export interface UiNodeAnchorAttributes {
  href: string;
  title: UiText | null;
  id: string;
  node_type: 'a';
}

export interface UiNodeScriptAttributes {
  src: string;
  async: boolean;
  referrerpolicy: string;
  crossorigin: string;
  integrity: string;
  type: string;
  id: string;
  nonce: string;
  node_type: 'script';
}

export interface UiNodeDivisionAttributes {
  class?: string;
  id: string;
  data?: Record<string, string>;
  node_type: 'div';
}

interface NodeShape<Type extends string, Attributes> {
  /** Equal to `attributes.node_type`: Kratos writes both so OpenAPI 3.0 clients can discriminate. */
  type: Type;
  group: UiNodeGroup;
  attributes: Attributes;
  /** Always an array in the JSON, `[]` when there are none. */
  messages: UiText[];
  /** Always an object in the JSON, `{}` when there is no label. */
  meta: UiNodeMeta;
}

export type UiInputNode = NodeShape<'input', UiNodeInputAttributes>;
export type UiTextNode = NodeShape<'text', UiNodeTextAttributes>;
export type UiImageNode = NodeShape<'img', UiNodeImageAttributes>;
export type UiAnchorNode = NodeShape<'a', UiNodeAnchorAttributes>;
export type UiScriptNode = NodeShape<'script', UiNodeScriptAttributes>;
export type UiDivisionNode = NodeShape<'div', UiNodeDivisionAttributes>;

/** One element of a flow's form, as Kratos serialises it (`uiNode`). */
export type UiNode = UiInputNode | UiTextNode | UiImageNode | UiAnchorNode | UiScriptNode | UiDivisionNode;

export interface InputNodeOptions {
  value?: unknown;
  required?: boolean;
  autocomplete?: UiNodeAutocomplete;
  pattern?: string;
  maxlength?: number;
  disabled?: boolean;
  options?: { value: unknown }[];
  /** `meta.label`, the label UIs show. */
  label?: UiText;
}

export function inputNode(
  group: UiNodeGroup,
  name: string,
  inputType: UiNodeInputType,
  options: InputNodeOptions = {},
): UiInputNode {
  const attributes: UiNodeInputAttributes = {
    name,
    type: inputType,
    disabled: options.disabled ?? false,
    node_type: 'input',
  };
  if (options.value !== undefined) attributes.value = options.value;
  if (options.required) attributes.required = true;
  if (options.autocomplete) attributes.autocomplete = options.autocomplete;
  if (options.pattern) attributes.pattern = options.pattern;
  if (options.maxlength) attributes.maxlength = options.maxlength;
  if (options.options && options.options.length > 0) attributes.options = options.options;
  return {
    type: 'input',
    group,
    attributes,
    messages: [],
    meta: options.label ? { label: options.label } : {},
  };
}

export function textNode(group: UiNodeGroup, id: string, text: UiText): UiTextNode {
  return { type: 'text', group, attributes: { text, id, node_type: 'text' }, messages: [], meta: {} };
}

/**
 * The hidden `csrf_token` input. It carries the masked token (re-masked on every render), never
 * the raw cookie value, so the page does not leak what the cookie holds.
 */
export function csrfTokenNode(maskedToken: string): UiInputNode {
  return inputNode('default', 'csrf_token', 'hidden', { value: maskedToken, required: true });
}

/** A method's submit button: `method=<value>` chooses the strategy that handles the submit. */
export function submitNode(group: UiNodeGroup, value: string, label: UiText): UiInputNode {
  return inputNode(group, 'method', 'submit', { value, label });
}

/**
 * The password strategy's `password` input. It never carries a value: a password is not sent
 * back to the browser, not even the one just submitted.
 */
export function passwordNode(autocomplete: 'current-password' | 'new-password'): UiInputNode {
  return inputNode('password', 'password', 'password', {
    required: true,
    autocomplete,
    label: passwordLabel(),
  });
}

/** What flows find a node by: an input's `name`, any other node's `id`. */
export function uiNodeId(node: UiNode): string {
  return node.type === 'input' ? node.attributes.name : node.attributes.id;
}

/**
 * A copy of the node exactly as Kratos writes it: its field order, `attributes.node_type` equal
 * to `type`, omitted fields left out, `messages` and `meta` always present.
 */
export function uiNodeToJSON(node: UiNode): UiNode {
  const messages = (node.messages ?? []).map(uiTextToJSON);
  const meta: UiNodeMeta = node.meta?.label ? { label: uiTextToJSON(node.meta.label) } : {};
  const group = node.group;
  switch (node.type) {
    case 'input':
      return { type: 'input', group, attributes: inputAttributesToJSON(node.attributes), messages, meta };
    case 'text': {
      const a = node.attributes;
      const attributes = { text: a.text ? uiTextToJSON(a.text) : null, id: a.id, node_type: 'text' as const };
      return { type: 'text', group, attributes, messages, meta };
    }
    case 'img': {
      const { src, id, width, height } = node.attributes;
      return { type: 'img', group, attributes: { src, id, width, height, node_type: 'img' }, messages, meta };
    }
    case 'a': {
      const a = node.attributes;
      const attributes = {
        href: a.href,
        title: a.title ? uiTextToJSON(a.title) : null,
        id: a.id,
        node_type: 'a' as const,
      };
      return { type: 'a', group, attributes, messages, meta };
    }
    case 'script': {
      const { src, async, referrerpolicy, crossorigin, integrity, type, id, nonce } = node.attributes;
      const attributes = {
        src,
        async,
        referrerpolicy,
        crossorigin,
        integrity,
        type,
        id,
        nonce,
        node_type: 'script' as const,
      };
      return { type: 'script', group, attributes, messages, meta };
    }
    case 'div': {
      const a = node.attributes;
      const attributes: Partial<UiNodeDivisionAttributes> = {};
      if (a.class) attributes.class = a.class;
      attributes.id = a.id;
      if (a.data !== undefined && a.data !== null) attributes.data = { ...a.data };
      attributes.node_type = 'div';
      return { type: 'div', group, attributes: attributes as UiNodeDivisionAttributes, messages, meta };
    }
  }
}

function inputAttributesToJSON(a: UiNodeInputAttributes): UiNodeInputAttributes {
  const json: Partial<UiNodeInputAttributes> = { name: a.name, type: a.type };
  if (a.value !== undefined && a.value !== null) json.value = structuredClone(a.value);
  if (a.required) json.required = true;
  if (a.autocomplete) json.autocomplete = a.autocomplete;
  if (a.label) json.label = uiTextToJSON(a.label);
  if (a.pattern) json.pattern = a.pattern;
  json.disabled = a.disabled === true;
  if (a.onclick) json.onclick = a.onclick;
  if (a.onclickTrigger) json.onclickTrigger = a.onclickTrigger;
  if (a.onload) json.onload = a.onload;
  if (a.onloadTrigger) json.onloadTrigger = a.onloadTrigger;
  if (a.maxlength) json.maxlength = a.maxlength;
  if (a.options && a.options.length > 0)
    json.options = a.options.map((o) => ({ value: structuredClone(o.value) }));
  json.node_type = 'input';
  return json as UiNodeInputAttributes;
}

const NODE_TYPES = new Set(['input', 'text', 'img', 'a', 'script', 'div']);

/**
 * Reads a node back from its JSON (flows are stored as JSON). Throws a TypeError naming what is
 * wrong; an unknown node type is refused, as Kratos refuses it.
 */
export function uiNodeFromJSON(value: unknown): UiNode {
  if (!isPlainObject(value)) throw new TypeError('ui node: must be an object');
  const attributes = value.attributes;
  if (!isPlainObject(attributes)) throw new TypeError('ui node: attributes must be an object');
  // `type` decides the attributes' kind; a node stored with an empty one is known by `node_type`.
  const type = value.type === undefined || value.type === '' ? attributes.node_type : value.type;
  if (typeof type !== 'string' || !NODE_TYPES.has(type)) {
    throw new TypeError(`ui node: unexpected node type ${JSON.stringify(type)}`);
  }
  if (typeof value.group !== 'string') throw new TypeError('ui node: group must be a string');
  const messages = value.messages ?? [];
  if (!Array.isArray(messages)) throw new TypeError('ui node: messages must be an array');
  const meta = value.meta ?? {};
  if (!isPlainObject(meta)) throw new TypeError('ui node: meta must be an object');
  const node = {
    type,
    group: value.group as UiNodeGroup,
    attributes: readAttributes(type, attributes),
    messages: messages.map(uiTextFromJSON),
    meta: meta.label === undefined || meta.label === null ? {} : { label: uiTextFromJSON(meta.label) },
  } as UiNode;
  return uiNodeToJSON(node);
}

function readAttributes(type: string, a: JsonObject): UiNode['attributes'] {
  const name = type === 'input' ? 'name' : 'id';
  if (typeof a[name] !== 'string') throw new TypeError(`ui node: attributes.${name} must be a string`);
  const copy: JsonObject = { ...a, node_type: type };
  for (const key of ['text', 'title', 'label']) {
    if (copy[key] !== undefined && copy[key] !== null) copy[key] = uiTextFromJSON(copy[key]);
  }
  return copy as unknown as UiNode['attributes'];
}
