/**
 * Headers that describe one connection rather than the message, removed by a proxy in both
 * directions (RFC 9110 §7.6.1; the list Go's ReverseProxy uses), plus `Proxy-Connection`.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Lower-cased names listed in `Connection` headers: hop-by-hop too, by the sender's say-so. */
export function connectionOptions(values: Iterable<string>): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const value of values) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name === '' || name === 'close' || name === 'keep-alive' || name === 'upgrade') continue;
      names ??= new Set();
      names.add(name);
    }
  }
  return names;
}

/** Whether a comma-separated header value lists `token` (case-insensitive). */
export function listsToken(value: string, token: string): boolean {
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}
