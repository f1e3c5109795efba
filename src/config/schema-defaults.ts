import { resolveRef, type SchemaNode } from './json-schema-walk.js';
import { isPlainObject, type JsonObject } from './object-path.js';

/**
 * Fills in schema defaults the way Ory's loader does: every key with a `default` gets it when the
 * key is absent, even when its parent map is absent too (`serve.public.port` is 4433 in a config
 * that has no `serve` at all). A missing parent map is only created when that map would be valid
 * on its own, i.e. it does not have required keys the defaults cannot fill.
 * Defaults inside `oneOf`/`anyOf` branches are not applied here: which branch applies depends on
 * the data, and the typed config views supply those.
 */
export function applySchemaDefaults(root: SchemaNode, data: JsonObject): void {
  fill(root, root, data);
}

function fill(root: SchemaNode, schema: SchemaNode, data: JsonObject): void {
  const node = resolveRef(root, schema);
  for (const part of [node, ...(node.allOf ?? []).map((branch) => resolveRef(root, branch))]) {
    for (const [key, childSchema] of Object.entries(part.properties ?? {})) {
      const child = resolveRef(root, childSchema);
      const current = data[key];
      if (current === undefined) {
        if (child.default !== undefined) {
          data[key] = structuredClone(child.default);
        } else if (child.properties) {
          const created: JsonObject = {};
          fill(root, child, created);
          const required = child.required ?? [];
          if (Object.keys(created).length > 0 && required.every((name) => name in created))
            data[key] = created;
        }
      } else if (isPlainObject(current) && child.properties) {
        fill(root, child, current);
      }
    }
  }
}
