/** Minimal view of a JSON Schema node, enough to walk a config schema. */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode | SchemaNode[];
  allOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  if?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
  required?: string[];
  default?: unknown;
  definitions?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
}

/** Resolves a local `#/definitions/...` reference; other references are left alone. */
export function resolveRef(root: SchemaNode, node: SchemaNode): SchemaNode {
  let current = node;
  for (let hops = 0; current.$ref?.startsWith('#/') && hops < 32; hops++) {
    let target: unknown = root;
    for (const segment of current.$ref.slice(2).split('/')) {
      target = (target as Record<string, unknown> | undefined)?.[
        decodeURIComponent(segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      ];
    }
    if (!target || typeof target !== 'object') return current;
    current = target as SchemaNode;
  }
  return current;
}

/** The schema types a node allows, looking through `$ref`. Empty when the node does not say. */
export function schemaTypes(root: SchemaNode, node: SchemaNode): string[] {
  const resolved = resolveRef(root, node);
  if (typeof resolved.type === 'string') return [resolved.type];
  if (Array.isArray(resolved.type)) return resolved.type;
  return [];
}

/**
 * Every key path a schema describes, with the schema nodes that describe it. Array items are the
 * segment `#`. Composition keywords (`allOf`, `oneOf`, `anyOf`, `if`/`then`/`else`) are looked through,
 * so a path described in several branches lists each branch's node.
 */
export function listSchemaPaths(root: SchemaNode): Map<string, { segments: string[]; nodes: SchemaNode[] }> {
  const paths = new Map<string, { segments: string[]; nodes: SchemaNode[] }>();
  const visit = (node: SchemaNode, segments: string[], refsOnPath: Set<string>): void => {
    if (node.$ref) {
      if (refsOnPath.has(node.$ref)) return;
      const resolved = resolveRef(root, node);
      if (resolved === node) return;
      visit(resolved, segments, new Set([...refsOnPath, node.$ref]));
      return;
    }
    if (segments.length > 0) {
      const key = segments.join('\u0000');
      const entry = paths.get(key) ?? { segments, nodes: [] };
      entry.nodes.push(node);
      paths.set(key, entry);
    }
    for (const [name, child] of Object.entries(node.properties ?? {}))
      visit(child, [...segments, name], refsOnPath);
    if (node.items && !Array.isArray(node.items)) visit(node.items, [...segments, '#'], refsOnPath);
    for (const branch of [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) {
      visit(branch, segments, refsOnPath);
    }
    for (const branch of [node.then, node.else]) if (branch) visit(branch, segments, refsOnPath);
  };
  visit(root, [], new Set());
  return paths;
}
