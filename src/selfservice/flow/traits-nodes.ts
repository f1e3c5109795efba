import { isPlainObject, type JsonObject } from '../../config/object-path.js';
import { pointerToken } from '../../identity/schema/go-formatting.js';
import { EXTENSION_KEYWORD, resolveLocalRef } from '../../identity/schema/kratos-extension.js';
import {
  type TraitsValidationCause,
  TraitsValidationError,
} from '../../identity/schema/traits-validation-error.js';
import type { UiContainer } from './ui-container.js';
import { inputNode, type UiInputNode, type UiNodeGroup, type UiNodeInputAttributes } from './ui-node.js';
import {
  aboveMaximum,
  belowMinimum,
  generatedLabel,
  idLabel,
  invalidEmail,
  invalidPhone,
  itemsNotUnique,
  notAboveExclusiveMinimum,
  notBelowExclusiveMaximum,
  notConstant,
  notConstantGeneric,
  notMultipleOf,
  patternMismatch,
  propertyMissing,
  tooFewItems,
  tooManyItems,
  type UiText,
  validationFailed,
  valueTooLong,
  valueTooShort,
  wrongType,
} from './ui-text.js';

// Kratos caps the options an `enum` turns into, so one huge enum cannot bloat every flow.
const MAX_ENUM_OPTIONS = 500;

/**
 * The inputs Kratos shows for an identity schema's traits (pass the loaded schema's `document`):
 * one per trait with a value type, named `traits.<dotted path>`, in the order a Kratos flow shows
 * them (the schema's). Objects get no input of their own, only their members; an array gets one
 * text input, unless its items are objects.
 *
 * What Kratos copies from the schema: the input type (from `format`, else the JSON type),
 * `required`, `pattern`, `enum` as options, `title` as the label (1070002), and autocomplete for
 * the email, tel and uri formats. It copies neither `maxLength` nor `default`, and sets no
 * autocomplete for identifier traits beyond what their format gives.
 */
export function traitNodes(document: JsonObject, group: UiNodeGroup): UiInputNode[] {
  const nodes = listSchemaPaths(document)
    .filter((path) => path.name.startsWith('traits.') && path.kind !== 'object')
    .map((path) => nodeForPath(path, group));
  // Kratos lists the paths by name, then sorts a flow's nodes by where their key first appears in
  // the schema (a node takes the position of the first key that is a prefix of its name).
  const keys = keysInSchemaOrder(document, []);
  const position = (name: string) => {
    const index = keys.findIndex((key) => name.startsWith(key));
    return index === -1 ? keys.length : index;
  };
  return nodes.sort((a, b) => position(a.attributes.name) - position(b.attributes.name));
}

/**
 * The label of the login form's `identifier` input: the trait's title (1070002) when the schema
 * has exactly one identifier trait and it has a title, otherwise "ID" (1070004).
 */
export function loginIdentifierLabel(document: JsonObject): UiText {
  const identifiers = listSchemaPaths(document).filter((path) => isIdentifier(path.extension));
  const only = identifiers.length === 1 ? identifiers[0]! : undefined;
  return only?.title ? generatedLabel(only.title, only.name) : idLabel();
}

/**
 * Puts what is wrong with submitted traits on the form: each problem on the node of the trait it
 * is about (`#/traits/email` → `traits.email`, created as a text input if the form has none), a
 * problem with the whole document on the form itself.
 */
export function addTraitsValidationMessages(
  container: UiContainer,
  error: TraitsValidationError | readonly TraitsValidationCause[],
): void {
  const causes = error instanceof TraitsValidationError ? error.causes : error;
  for (const cause of distinct(causes)) addCause(container, cause);
}

/**
 * The schema's own check and gatehouse's extension check can refuse a value for the same reason
 * (an address that is no e-mail address); Kratos reports such a problem once, and so does the form.
 */
function distinct(causes: readonly TraitsValidationCause[]): TraitsValidationCause[] {
  const seen = new Set<string>();
  return causes.filter((cause) => {
    const key = JSON.stringify([cause.instancePtr, cause.schemaPtr, cause.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function addCause(container: UiContainer, cause: TraitsValidationCause): void {
  if (cause.keyword === 'required') {
    // One message per missing property, on that property's node rather than on its object.
    const base = cause.instancePtr.endsWith('/') ? cause.instancePtr.slice(0, -1) : cause.instancePtr;
    for (const name of cause.missing ?? []) {
      const pointer = `${base}/${pointerToken(name)}`;
      container.addNodeMessage(nodeIdForPointer(pointer), propertyMissing(pointer.split('/').at(-1)!));
    }
    return;
  }
  if (cause.causes && cause.causes.length > 0) {
    for (const inner of distinct(cause.causes)) addCause(container, inner);
    return;
  }
  container.addNodeMessage(nodeIdForPointer(cause.instancePtr), messageForCause(cause));
}

/**
 * Kratos rebuilds the message from the validator's text, keyed by the refusing keyword (the
 * schema pointer's last token), so the numbers in the text and the context are the same ones.
 */
function messageForCause(cause: TraitsValidationCause): UiText {
  const message = cause.message;
  const keyword = cause.schemaPtr.split('/').at(-1);
  switch (keyword) {
    case 'minLength': {
      const [min, actual] = scanIntegers(message, /^length must be >= (-?\d+), but got (-?\d+)/);
      return valueTooShort(min, actual);
    }
    case 'maxLength': {
      const [max, actual] = scanIntegers(message, /^length must be <= (-?\d+), but got (-?\d+)/);
      return valueTooLong(max, actual);
    }
    case 'pattern': {
      const quoted = /^does not match pattern (".*")/s.exec(message)?.[1];
      return patternMismatch((quoted === undefined ? undefined : goUnquote(quoted)) ?? '');
    }
    case 'minimum': {
      const [min, actual] = scanNumbers(message, /^must be >= (\S+) but found (\S+)/);
      return belowMinimum(min, actual);
    }
    case 'exclusiveMinimum': {
      const [min, actual] = scanNumbers(message, /^must be > (\S+) but found (\S+)/);
      return notAboveExclusiveMinimum(min, actual);
    }
    case 'maximum': {
      const [max, actual] = scanNumbers(message, /^must be <= (\S+) but found (\S+)/);
      return aboveMaximum(max, actual);
    }
    case 'exclusiveMaximum': {
      const [max, actual] = scanNumbers(message, /^must be < (\S+) but found (\S+)/);
      return notBelowExclusiveMaximum(max, actual);
    }
    case 'multipleOf': {
      const [actual, base] = scanNumbers(message, /^(\S+) not multipleOf (\S+)/);
      return notMultipleOf(base, actual);
    }
    case 'maxItems': {
      const [max, actual] = scanIntegers(message, /^maximum (-?\d+) items allowed, but found (-?\d+) items/);
      return tooManyItems(max, actual);
    }
    case 'minItems': {
      const [min, actual] = scanIntegers(message, /^minimum (-?\d+) items allowed, but found (-?\d+) items/);
      return tooFewItems(min, actual);
    }
    case 'uniqueItems': {
      const [a, b] = scanIntegers(message, /^items at index (-?\d+) and (-?\d+) are equal/);
      return itemsNotUnique(a, b);
    }
    case 'type': {
      const rest = message.startsWith('expected ') ? message.slice('expected '.length) : message;
      const cut = rest.indexOf(', but got ');
      const [allowed, actual] =
        cut === -1 ? [rest, ''] : [rest.slice(0, cut), rest.slice(cut + ', but got '.length)];
      return wrongType(allowed.split(' or '), actual);
    }
    case 'const':
      return message === 'const failed'
        ? notConstantGeneric()
        : notConstant(
            message.startsWith('value must be ') ? message.slice('value must be '.length) : message,
          );
    case 'format': {
      const match = /"([^"]+)"\s+is not valid\s+"([^"]+)"/.exec(message);
      if (match?.[2] === 'email' || match?.[2] === 'email_loose') return invalidEmail(match[1]!);
      if (match?.[2] === 'tel') return invalidPhone(match[1]!);
      return validationFailed(message);
    }
    default:
      return validationFailed(message);
  }
}

// What fmt.Sscanf leaves in a value it could not read.
const UNREAD = -1;

function scanIntegers(message: string, pattern: RegExp): [number, number] {
  const match = pattern.exec(message);
  return match ? [Number(match[1]), Number(match[2])] : [UNREAD, UNREAD];
}

function scanNumbers(message: string, pattern: RegExp): [number, number] {
  const match = pattern.exec(message);
  const read = (text: string | undefined) => {
    const value = Number(text);
    return text === undefined || Number.isNaN(value) ? UNREAD : value;
  };
  return match ? [read(match[1]), read(match[2])] : [UNREAD, UNREAD];
}

/**
 * The node a JSON pointer names: `#/traits/email` → `traits.email`, dots inside a token written
 * `\.`. An empty result means the whole form: the root (`#`, `#/`) and a pointer that cannot be
 * decoded. Anything not starting with `#/` is taken as a node id as it is, as Kratos does.
 */
function nodeIdForPointer(pointer: string): string {
  if (pointer === '#' || pointer === '') return '';
  if (!pointer.startsWith('#/')) return pointer;
  const tokens: string[] = [];
  for (const raw of pointer.slice(2).split('/')) {
    const token = pathUnescape(raw.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (token === undefined) return '';
    tokens.push(token.replaceAll('.', '\\.'));
  }
  return tokens.join('.');
}

/** Go's url.PathUnescape: `%XX` decoded, nothing else; undefined for a broken escape. */
function pathUnescape(text: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      const code = text.codePointAt(i)!;
      const char = String.fromCodePoint(code);
      bytes.push(...Buffer.from(char, 'utf8'));
      if (code > 0xffff) i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  '"': 34,
};

/** Go's strconv.Unquote for a double-quoted string (what `%q` wrote); undefined if it is not one. */
function goUnquote(quoted: string): string | undefined {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return undefined;
  const body = quoted.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char === '"') return undefined;
    if (char !== '\\') {
      const code = body.codePointAt(i)!;
      bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
      if (code > 0xffff) i++;
      continue;
    }
    const kind = body[++i];
    if (kind === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[kind];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (kind === 'x' || kind === 'u' || kind === 'U') {
      const width = kind === 'x' ? 2 : kind === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9A-Fa-f]{${width}}$`).test(hex)) return undefined;
      const code = Number.parseInt(hex, 16);
      if (kind === 'x') bytes.push(code);
      else if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
      else bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
      i += width;
    } else if (/[0-7]/.test(kind)) {
      const octal = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(octal) || Number.parseInt(octal, 8) > 255) return undefined;
      bytes.push(Number.parseInt(octal, 8));
      i += 2;
    } else {
      return undefined;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// --- Reading the schema ------------------------------------------------------------------------

/** A place in the document a schema node describes, as Kratos' schema path lister reports it. */
interface SchemaPath {
  name: string;
  /** `object`: a structured value, which gets no input of its own. */
  kind: 'number' | 'boolean' | 'object' | 'other';
  format?: string;
  pattern?: string;
  enum?: unknown[];
  title?: string;
  required: boolean;
  hasDefault: boolean;
  extension?: JsonObject;
}

/**
 * Every path of the schema, one per name, sorted by name. Combinators (`allOf`, `anyOf`, `oneOf`,
 * `not`, `if`/`then`/`else`) and local `$ref`s describe the same place; where several describe one
 * name, the first with a `default` wins, else the last, as in Kratos.
 */
function listSchemaPaths(document: JsonObject): SchemaPath[] {
  const found: SchemaPath[] = [];
  walk(document, document, undefined, [], new Set(), found);
  found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byName = new Map<string, SchemaPath>();
  for (const path of found) {
    const kept = byName.get(path.name);
    if (!kept?.hasDefault) byName.set(path.name, path);
  }
  return [...byName.values()];
}

function walk(
  root: JsonObject,
  node: unknown,
  parent: JsonObject | undefined,
  names: string[],
  ancestors: Set<unknown>,
  out: SchemaPath[],
): void {
  if (!isPlainObject(node)) return;
  const ref = typeof node.$ref === 'string' ? node.$ref : undefined;
  // In draft-07 the siblings of `$ref` are ignored: a referencing node has no type, title or
  // `required` of its own (so a trait defined by reference is never marked required).
  const schema: JsonObject = ref === undefined ? node : {};
  const kind = kindOf(root, schema);
  const hasDefault = schema.default !== undefined && schema.default !== null;
  if ((kind !== undefined || hasDefault) && names.length > 0) {
    const name = names.at(-1)!;
    const path: SchemaPath = {
      name: names.join('.'),
      kind: kind ?? 'other',
      required: Array.isArray(parent?.required) && parent.required.includes(name),
      hasDefault,
    };
    if (typeof schema.format === 'string') path.format = schema.format;
    if (typeof schema.pattern === 'string') path.pattern = schema.pattern;
    if (Array.isArray(schema.enum)) path.enum = schema.enum;
    if (typeof schema.title === 'string') path.title = schema.title;
    if (isPlainObject(schema[EXTENSION_KEYWORD])) path.extension = schema[EXTENSION_KEYWORD];
    out.push(path);
  }
  // Kratos refuses a schema that refers back into itself here; gatehouse stops descending instead.
  if (ancestors.has(node)) return;
  const inner = new Set(ancestors).add(node);
  if (ref !== undefined) walk(root, resolveLocalRef(root, ref), schema, names, inner, out);
  for (const keyword of ['not', 'if', 'then', 'else']) walk(root, schema[keyword], schema, names, inner, out);
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[keyword];
    if (Array.isArray(list)) for (const sub of list) walk(root, sub, schema, names, inner, out);
  }
  if (isPlainObject(schema.properties)) {
    for (const [name, sub] of Object.entries(schema.properties))
      walk(root, sub, schema, [...names, name], inner, out);
  }
}

/**
 * What kind of value a schema node declares, undefined when it declares none (no `type`, two
 * types, or `null`): such a node is only listed when it has a default.
 */
function kindOf(root: JsonObject, schema: JsonObject): SchemaPath['kind'] | undefined {
  if ('const' in schema) {
    const value = schema.const;
    if (typeof value === 'number') return 'number';
    if (typeof value === 'boolean') return 'boolean';
    if (typeof value === 'string') return 'other';
    return value === null ? undefined : 'object';
  }
  const types = declaredTypes(schema);
  if (types.length > 2) return 'object';
  if (types.length !== 1) return undefined;
  switch (types[0]) {
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'integer':
      return 'number';
    case 'string':
      return 'other';
    case 'object':
      return 'object';
    case 'array':
      return arrayKind(root, schema.items);
    default:
      return undefined;
  }
}

/** An array of scalars (or of unknown items) becomes one text input; an array of objects none. */
function arrayKind(root: JsonObject, items: unknown): SchemaPath['kind'] {
  if (items === undefined) return 'other';
  const schemas = Array.isArray(items) ? items : [items];
  const types: string[] = [];
  for (const item of schemas) {
    if (!isPlainObject(item)) continue;
    if (typeof item.$ref === 'string') {
      const target = resolveLocalRef(root, item.$ref);
      if (isPlainObject(target)) types.push(...declaredTypes(target));
    } else {
      types.push(...declaredTypes(item));
    }
  }
  // Only neighbouring repeats collapse (Go's slices.Compact), so [string, number, string] is mixed.
  const compact = types.filter((type, index) => index === 0 || types[index - 1] !== type);
  if (compact.length !== 1) return 'other';
  return ['boolean', 'number', 'integer', 'string'].includes(compact[0]!) ? 'other' : 'object';
}

function declaredTypes(schema: JsonObject): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  return Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === 'string') : [];
}

/**
 * The schema's leaf keys in document order (`traits.email`), descending only into nodes whose
 * `type` is exactly "object"; a dot inside a key is written `\.`. Kratos orders flow nodes by it.
 */
export function keysInSchemaOrder(schema: unknown, parents: string[] = []): string[] {
  if (!isPlainObject(schema)) return [parents.join('.')];
  if (schema.type !== 'object') return [parents.join('.')];
  if (!isPlainObject(schema.properties)) return [];
  return Object.entries(schema.properties).flatMap(([key, sub]) =>
    keysInSchemaOrder(sub, [...parents, key.replaceAll('.', '\\.')]),
  );
}

function nodeForPath(path: SchemaPath, group: UiNodeGroup): UiInputNode {
  let type: UiNodeInputAttributes['type'] =
    path.kind === 'number' ? 'number' : path.kind === 'boolean' ? 'checkbox' : 'text';
  let autocomplete: UiNodeInputAttributes['autocomplete'];
  switch (path.format) {
    case 'date-time':
      type = 'datetime-local';
      break;
    case 'email':
      type = 'email';
      autocomplete = 'email';
      break;
    case 'tel':
      type = 'tel';
      autocomplete = 'tel';
      break;
    case 'date':
      type = 'date';
      break;
    case 'uri':
      type = 'url';
      autocomplete = 'url';
      break;
    case 'regex':
      type = 'text';
      break;
  }
  return inputNode(group, path.name, type, {
    required: path.required,
    autocomplete,
    pattern: path.pattern,
    options: path.enum?.slice(0, MAX_ENUM_OPTIONS).map((value) => ({ value })),
    label: path.title ? generatedLabel(path.title, path.name) : undefined,
  });
}

function isIdentifier(extension: JsonObject | undefined): boolean {
  const credentials = extension?.credentials;
  if (!isPlainObject(credentials)) return false;
  const flag = (method: string, key: string) => {
    const config = credentials[method];
    return isPlainObject(config) && config[key] === true;
  };
  return (
    flag('password', 'identifier') ||
    flag('webauthn', 'identifier') ||
    flag('passkey', 'display_name') ||
    flag('totp', 'account_name') ||
    flag('code', 'identifier')
  );
}
