export type JsonObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges config layers the way Ory's loader does: maps merge key by key, everything else is replaced. */
export function deepMerge(base: JsonObject, overlay: JsonObject): JsonObject {
  const result: JsonObject = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return result;
}

export function getPath(data: unknown, path: readonly (string | number)[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

export function hasPath(data: unknown, path: readonly (string | number)[]): boolean {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !(segment in (current as object))) return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return true;
}

/** Sets a value, creating the maps and lists on the way. */
export function setPath(data: JsonObject, path: readonly (string | number)[], value: unknown): void {
  let current: Record<string | number, unknown> = data;
  path.forEach((segment, index) => {
    if (index === path.length - 1) {
      current[segment] = value;
      return;
    }
    const nextIsIndex = typeof path[index + 1] === 'number';
    const existing = current[segment];
    if (existing === null || typeof existing !== 'object' || Array.isArray(existing) !== nextIsIndex) {
      current[segment] = nextIsIndex ? [] : {};
    }
    current = current[segment] as Record<string | number, unknown>;
  });
}

export function deletePath(data: JsonObject, path: readonly string[]): void {
  const parent = getPath(data, path.slice(0, -1));
  if (isPlainObject(parent)) delete parent[path[path.length - 1]!];
}
