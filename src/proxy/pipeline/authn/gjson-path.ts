/**
 * The part of GJSON's path syntax that Oathkeeper's `subject_from` and `extra_from` use: `@this`
 * for the whole document, keys joined by `.` (a literal dot written `\.`), numeric indexes into
 * arrays and `#` for an array's length. Undefined when the path leads nowhere. Wildcards,
 * queries and modifiers other than `@this` are not supported.
 */
export function gjsonGet(document: unknown, path: string): unknown {
  if (path === '@this' || path === '') return document;
  let current: unknown = document;
  for (const key of splitPath(path)) {
    if (Array.isArray(current)) {
      if (key === '#') current = current.length;
      else if (/^\d+$/.test(key)) current = current[Number(key)];
      else return undefined;
    } else if (current !== null && typeof current === 'object') {
      current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

function splitPath(path: string): string[] {
  const keys: string[] = [];
  let key = '';
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    if (char === '\\' && i + 1 < path.length) key += path[++i];
    else if (char === '.') {
      keys.push(key);
      key = '';
    } else key += char;
  }
  keys.push(key);
  return keys;
}
