/**
 * Go's ReverseProxy (Rewrite mode) forwards a query as it came when Go can parse all of it. A
 * query with a `;` or a malformed `%` escape is rebuilt from the parameters that do parse, keys
 * sorted and values re-encoded, as Go's url.ParseQuery + Values.Encode would.
 */
export function cleanQuery(raw: string): string {
  for (let index = 0; index < raw.length; index++) {
    const char = raw[index];
    if (char === ';') return reencode(raw);
    if (char === '%') {
      if (!/^[0-9A-Fa-f]{2}$/.test(raw.slice(index + 1, index + 3))) return reencode(raw);
      index += 2;
    }
  }
  return raw;
}

function reencode(raw: string): string {
  const values = new Map<string, string[]>();
  for (const part of raw.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const equals = part.indexOf('=');
    const key = unescapeQuery(equals < 0 ? part : part.slice(0, equals));
    const value = unescapeQuery(equals < 0 ? '' : part.slice(equals + 1));
    if (key === undefined || value === undefined) continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return [...values.keys()]
    .sort()
    .flatMap((key) => values.get(key)!.map((value) => `${escapeQuery(key)}=${escapeQuery(value)}`))
    .join('&');
}

function unescapeQuery(text: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** Go's url.QueryEscape: unreserved characters stay, a space becomes `+`, the rest is %XX. */
function escapeQuery(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}
