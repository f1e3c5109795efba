import { isPlainObject, type JsonObject } from '../../config/object-path.js';
import { pointerToken } from './go-formatting.js';

/** The keyword identity schemas carry their annotations under. */
export const EXTENSION_KEYWORD = 'ory.sh/kratos';

export type AddressVia = 'email' | 'sms';

/** A step from a value to the values under it that one schema node describes. */
export type TraitPathSegment =
  | { kind: 'property'; name: string }
  | { kind: 'index'; index: number }
  /** Every array item from `from` on (`items` as one schema, or `additionalItems`). */
  | { kind: 'items'; from: number }
  /** Every key matching `pattern` (`patternProperties`). */
  | { kind: 'pattern'; pattern: string }
  /** Every key neither in `known` nor matching `patterns` (`additionalProperties` as a schema). */
  | { kind: 'additional'; known: string[]; patterns: string[] };

/** A schema node annotated with `ory.sh/kratos`, and where its values sit in `{"traits": ...}`. */
export interface TraitAnnotation {
  path: TraitPathSegment[];
  /** The path for people: `#/traits/email`, `#/traits/emails/*` (`*`: any item or key). */
  pointer: string;
  /** The annotated schema node: `#/properties/traits/properties/email`. */
  schemaPointer: string;
  /** The node's `format`, which decides how its addresses are checked and normalised. */
  format?: string;
  passwordIdentifier: boolean;
  /** `credentials.code.identifier: true`; `via` undefined fails each validation, as in Kratos. */
  codeIdentifier?: { via: AddressVia | undefined };
  verificationVia?: AddressVia;
  recoveryVia?: AddressVia;
}

// What `ory.sh/kratos` may hold (Kratos source: embedx/identity_extension.schema.json): nested
// objects without unknown keys, booleans, and enumerated strings.
type Shape = { [key: string]: Shape | 'boolean' | readonly string[] };
const VIA = ['email', 'sms'] as const;
const EXTENSION_SHAPE: Shape = {
  credentials: {
    password: { identifier: 'boolean' },
    webauthn: { identifier: 'boolean' },
    passkey: { display_name: 'boolean' },
    totp: { account_name: 'boolean' },
    code: { identifier: 'boolean', via: VIA },
  },
  verification: { via: VIA },
  recovery: { via: VIA },
  organizations: { matcher: ['email_domain'] },
};

/**
 * Every `ory.sh/kratos` annotation of a schema document, with the trait paths it applies to, and
 * what is wrong with any of them (as `<schema pointer>: <problem>` lines).
 */
export function readTraitAnnotations(document: JsonObject): {
  annotations: TraitAnnotation[];
  problems: string[];
} {
  const problems: string[] = [];
  checkEveryAnnotation(document, '#', problems);
  const annotations: TraitAnnotation[] = [];
  if (problems.length === 0) walk(document, document, [], '#', new Set(), annotations);
  return { annotations, problems };
}

/** Kratos validates annotations wherever they occur in the document, not only on traits. */
function checkEveryAnnotation(value: unknown, pointer: string, problems: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      checkEveryAnnotation(item, `${pointer}/${index}`, problems);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const childPointer = `${pointer}/${pointerToken(key)}`;
    if (key === EXTENSION_KEYWORD) checkShape(child, EXTENSION_SHAPE, childPointer, problems);
    else checkEveryAnnotation(child, childPointer, problems);
  }
}

function checkShape(value: unknown, shape: Shape, pointer: string, problems: string[]): void {
  if (!isPlainObject(value)) {
    problems.push(`${pointer}: must be an object`);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const expected = shape[key];
    const childPointer = `${pointer}/${pointerToken(key)}`;
    if (expected === undefined) {
      problems.push(`${pointer}: unknown key "${key}"; allowed here: ${Object.keys(shape).join(', ')}`);
    } else if (expected === 'boolean') {
      if (typeof child !== 'boolean') problems.push(`${childPointer}: must be true or false`);
    } else if (Array.isArray(expected)) {
      if (typeof child !== 'string' || !expected.includes(child)) {
        problems.push(`${childPointer}: must be one of ${expected.map((v) => `"${v}"`).join(', ')}`);
      }
    } else {
      checkShape(child, expected as Shape, childPointer, problems);
    }
  }
}

/**
 * Follows the schema the way a validator descends into data: properties, items and additional
 * members step into the value; combinators and local `$ref`s stay on it. `active` guards against
 * reference cycles on the current descent only, so a definition used twice is read twice.
 */
function walk(
  root: JsonObject,
  node: unknown,
  path: TraitPathSegment[],
  schemaPointer: string,
  active: Set<unknown>,
  out: TraitAnnotation[],
): void {
  if (!isPlainObject(node) || active.has(node)) return;
  active.add(node);
  const annotation = node[EXTENSION_KEYWORD];
  if (isPlainObject(annotation)) out.push(toAnnotation(annotation, node, path, schemaPointer));

  const ref = node.$ref;
  if (typeof ref === 'string' && ref.startsWith('#')) {
    const target = resolveLocalRef(root, ref);
    if (target !== undefined) walk(root, target, path, ref, active, out);
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const list = node[keyword];
    if (Array.isArray(list)) {
      list.forEach((sub, i) => {
        walk(root, sub, path, `${schemaPointer}/${keyword}/${i}`, active, out);
      });
    }
  }
  for (const keyword of ['then', 'else'])
    walk(root, node[keyword], path, `${schemaPointer}/${keyword}`, active, out);

  const properties = isPlainObject(node.properties) ? node.properties : {};
  for (const [name, sub] of Object.entries(properties)) {
    const next: TraitPathSegment = { kind: 'property', name };
    walk(root, sub, [...path, next], `${schemaPointer}/properties/${pointerToken(name)}`, active, out);
  }
  const patterns = isPlainObject(node.patternProperties) ? node.patternProperties : {};
  for (const [pattern, sub] of Object.entries(patterns)) {
    const next: TraitPathSegment = { kind: 'pattern', pattern };
    walk(
      root,
      sub,
      [...path, next],
      `${schemaPointer}/patternProperties/${pointerToken(pattern)}`,
      active,
      out,
    );
  }
  if (isPlainObject(node.additionalProperties)) {
    const next: TraitPathSegment = {
      kind: 'additional',
      known: Object.keys(properties),
      patterns: Object.keys(patterns),
    };
    walk(
      root,
      node.additionalProperties,
      [...path, next],
      `${schemaPointer}/additionalProperties`,
      active,
      out,
    );
  }
  const items = node.items;
  if (Array.isArray(items)) {
    items.forEach((sub, index) => {
      const next: TraitPathSegment = { kind: 'index', index };
      walk(root, sub, [...path, next], `${schemaPointer}/items/${index}`, active, out);
    });
    const next: TraitPathSegment = { kind: 'items', from: items.length };
    walk(root, node.additionalItems, [...path, next], `${schemaPointer}/additionalItems`, active, out);
  } else {
    walk(root, items, [...path, { kind: 'items', from: 0 }], `${schemaPointer}/items`, active, out);
  }
  active.delete(node);
}

function toAnnotation(
  config: JsonObject,
  node: JsonObject,
  path: TraitPathSegment[],
  schemaPointer: string,
): TraitAnnotation {
  const at = (...keys: string[]): unknown => {
    let current: unknown = config;
    for (const key of keys) current = isPlainObject(current) ? current[key] : undefined;
    return current;
  };
  const annotation: TraitAnnotation = {
    path,
    pointer: describePath(path),
    schemaPointer,
    passwordIdentifier: at('credentials', 'password', 'identifier') === true,
  };
  if (typeof node.format === 'string') annotation.format = node.format;
  if (at('credentials', 'code', 'identifier') === true) {
    annotation.codeIdentifier = { via: at('credentials', 'code', 'via') as AddressVia | undefined };
  }
  const verification = at('verification', 'via');
  if (verification !== undefined) annotation.verificationVia = verification as AddressVia;
  const recovery = at('recovery', 'via');
  if (recovery !== undefined) annotation.recoveryVia = recovery as AddressVia;
  return annotation;
}

function describePath(path: readonly TraitPathSegment[]): string {
  let pointer = '#';
  for (const segment of path) {
    if (segment.kind === 'property') pointer += `/${pointerToken(segment.name)}`;
    else if (segment.kind === 'index') pointer += `/${segment.index}`;
    else pointer += '/*';
  }
  return pointer;
}

/**
 * What a `$ref` within the schema document (`#/definitions/x`, JSON-pointer escapes and
 * percent-encoding decoded) points at; undefined for other documents, named anchors and paths
 * that lead nowhere.
 */
export function resolveLocalRef(root: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined; // references into other documents are not followed
  let current: unknown = root;
  const fragment = ref.slice(1);
  if (fragment === '' || fragment === '/') return root;
  if (!fragment.startsWith('/')) return undefined; // a named anchor: not followed
  for (const raw of fragment.slice(1).split('/')) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return undefined;
    }
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isPlainObject(current)) current = current[token];
    else return undefined;
  }
  return current;
}
