import { isPlainObject } from '../../config/object-path.js';
import {
  csrfTokenNode,
  inputNode,
  type UiInputNode,
  type UiNode,
  type UiNodeGroup,
  type UiNodeInputType,
  uiNodeFromJSON,
  uiNodeId,
  uiNodeToJSON,
} from './ui-node.js';
import { type UiText, uiTextFromJSON, uiTextToJSON } from './ui-text.js';

/** A flow's `ui` as Kratos serialises it (`uiContainer`). */
export interface UiContainerJSON {
  action: string;
  method: string;
  nodes: UiNode[];
  /** Left out when there are none. */
  messages?: UiText[];
}

/**
 * A flow's form: where it posts, its nodes, and the messages about the form as a whole. Strategies
 * fill it when a flow starts and again when a submit fails; it is stored with the flow as JSON.
 * Nodes are found by id (an input's name), as in Kratos; several nodes may share one (`method`).
 */
export class UiContainer {
  action: string;
  method: string;
  nodes: UiNode[];
  messages: UiText[];

  constructor(init: { action: string; method?: string; nodes?: UiNode[]; messages?: UiText[] }) {
    this.action = init.action;
    this.method = init.method ?? 'POST';
    this.nodes = init.nodes ?? [];
    this.messages = init.messages ?? [];
  }

  /** Reads a container back from its JSON; throws a TypeError naming what is wrong. */
  static fromJSON(value: unknown): UiContainer {
    if (!isPlainObject(value)) throw new TypeError('ui container: must be an object');
    if (typeof value.action !== 'string') throw new TypeError('ui container: action must be a string');
    if (typeof value.method !== 'string') throw new TypeError('ui container: method must be a string');
    const nodes = value.nodes ?? [];
    if (!Array.isArray(nodes)) throw new TypeError('ui container: nodes must be an array');
    const messages = value.messages ?? [];
    if (!Array.isArray(messages)) throw new TypeError('ui container: messages must be an array');
    return new UiContainer({
      action: value.action,
      method: value.method,
      nodes: nodes.map(uiNodeFromJSON),
      messages: messages.map(uiTextFromJSON),
    });
  }

  /** Exactly Kratos' JSON: field order, omitted fields, `messages` only when there are some. */
  toJSON(): UiContainerJSON {
    const json: UiContainerJSON = {
      action: this.action,
      method: this.method,
      nodes: this.nodes.map(uiNodeToJSON),
    };
    if (this.messages.length > 0) json.messages = this.messages.map(uiTextToJSON);
    return json;
  }

  /** The first node with this id, in `group` if given. */
  findNode(id: string, group?: UiNodeGroup): UiNode | undefined {
    return this.nodes.find((node) => uiNodeId(node) === id && (group === undefined || node.group === group));
  }

  /** Replaces the first node with the same id (whatever its group, as Kratos does), or appends it. */
  setNode(node: UiNode): void {
    const index = this.nodes.findIndex((existing) => uiNodeId(existing) === uiNodeId(node));
    if (index === -1) this.nodes.push(node);
    else this.nodes[index] = node;
  }

  /** Appends even when the id is taken: each method has its own `method` submit node. */
  appendNode(node: UiNode): void {
    this.nodes.push(node);
  }

  /** Sets the `csrf_token` node to a freshly masked token. */
  setCsrfToken(maskedToken: string): void {
    this.setNode(csrfTokenNode(maskedToken));
  }

  /** Removes every node with one of these ids, in `group` only if given. */
  removeNodes(ids: readonly string[], group?: UiNodeGroup): void {
    this.nodes = this.nodes.filter(
      (node) => !(ids.includes(uiNodeId(node)) && (group === undefined || node.group === group)),
    );
  }

  removeGroup(group: UiNodeGroup): void {
    this.nodes = this.nodes.filter((node) => node.group !== group);
  }

  /** Sets the value of the first input with this name; false when there is none. */
  setValue(name: string, value: unknown): boolean {
    const node = this.nodes.find((n): n is UiInputNode => n.type === 'input' && n.attributes.name === name);
    if (!node) return false;
    node.attributes.value = value;
    return true;
  }

  /**
   * Fills inputs from a JSON object, one per leaf (`{"email":"a"}` with prefix `traits` sets
   * `traits.email`). A found node takes the value and moves to `group`; a missing one is added as
   * an input typed by its value, as Kratos does when it re-renders submitted traits.
   */
  updateValuesFromJSON(values: unknown, prefix: string, group: UiNodeGroup): void {
    if (!isPlainObject(values)) return;
    for (const [path, value] of flatten(values, [])) {
      const name = prefix === '' ? path : `${prefix}.${path}`;
      const node = this.findNode(name);
      if (node?.type === 'input') {
        node.attributes.value = value ?? undefined;
        node.group = group;
      } else if (!node) {
        this.nodes.push(
          inputNode(group, name, inputTypeForValue(name, value), { value: value ?? undefined }),
        );
      }
    }
  }

  /** A message about the form as a whole (`ui.messages`). */
  addMessage(message: UiText): void {
    this.messages.push(message);
  }

  /**
   * A message on the node with this id. A missing node is created as a text input in the default
   * group (so a validation error on an unknown field still shows); a blank id means the whole form.
   */
  addNodeMessage(id: string, message: UiText): void {
    if (id.trim() === '') {
      this.addMessage(message);
      return;
    }
    const node = this.findNode(id);
    if (node) node.messages.push(message);
    else this.nodes.push({ ...inputNode('default', id, 'text'), messages: [message] });
  }

  /** Clears the form's messages and every node's, except those of the nodes named in `except`. */
  resetMessages(...except: string[]): void {
    this.messages = [];
    for (const node of this.nodes) if (!except.includes(uiNodeId(node))) node.messages = [];
  }

  /** Clears every message, and the value of every input not named in `except`. */
  reset(...except: string[]): void {
    this.messages = [];
    for (const node of this.nodes) {
      node.messages = [];
      if (!except.includes(uiNodeId(node))) clearValue(node);
    }
  }

  /** Clears the value and messages of the named nodes (login does so for `password` after a failure). */
  resetNodes(...ids: string[]): void {
    for (const node of this.nodes) {
      if (ids.includes(uiNodeId(node))) {
        node.messages = [];
        clearValue(node);
      }
    }
  }

  /** resetNodes for every node whose id starts with `prefix` (`traits.`). */
  resetNodesWithPrefix(prefix: string): void {
    for (const node of this.nodes) {
      if (uiNodeId(node).startsWith(prefix)) {
        node.messages = [];
        clearValue(node);
      }
    }
  }

  /**
   * Drops the value of every password input. A submitted password must never be echoed back in a
   * flow: flows are stored, fetched again by id and rendered into pages.
   */
  clearPasswordValues(): void {
    for (const node of this.nodes) {
      if (node.type === 'input' && node.attributes.type === 'password') delete node.attributes.value;
    }
  }
}

function clearValue(node: UiNode): void {
  if (node.type === 'input') delete node.attributes.value;
}

/** Leaves of a JSON object as dotted paths, in document order; dots inside keys become `\.`. */
function flatten(value: unknown, path: string[]): [string, unknown][] {
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, child]) =>
      flatten(child, [...path, key.replaceAll('.', '\\.')]),
    );
  }
  if (Array.isArray(value)) return value.flatMap((child, index) => flatten(child, [...path, String(index)]));
  return [[path.join('.'), value]];
}

function inputTypeForValue(name: string, value: unknown): UiNodeInputType {
  if (name === 'csrf_token') return 'hidden';
  if (name === 'password') return 'password';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'checkbox';
  return 'text';
}
