import { escapePath, isValidEncodedPath, joinPath, unescapePath } from '../../http/go-path.js';
import { cleanQuery } from '../../http/go-query.js';
import type { AccessRule } from './access-rule.js';

/** A rule's `upstream`, parsed once when the rule loads. */
export interface PreparedUpstream {
  /** `scheme://host:port`: the connection pool requests go through. */
  origin: string;
  /** The Host header the upstream gets, as written in `upstream.url` (Go keeps an explicit `:80`). */
  host: string;
  /** The decoded path of `upstream.url`, joined in front of the request's path. */
  basePath: string;
  /** `"/" + strip_path` trimmed of slashes; undefined when nothing is stripped. */
  strip: string | undefined;
  preserveHost: boolean;
}

/**
 * Parses `upstream.url` for forwarding; undefined when the rule has none (forwarding it is then a
 * 500, as in Oathkeeper). Throws an Error naming the problem for a URL the proxy cannot use.
 */
export function prepareUpstream(upstream: AccessRule['upstream']): PreparedUpstream | undefined {
  if (upstream.url === '') return undefined;
  let url: URL;
  try {
    url = new URL(upstream.url);
  } catch {
    throw new Error(`upstream.url "${upstream.url}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`upstream.url "${upstream.url}" must use http or https`);
  // The Host header as written: Node's URL drops a default port and lowercases, Go's does not.
  const afterScheme = upstream.url.slice(upstream.url.indexOf('//') + 2);
  const authority = afterScheme.split(/[/?#]/, 1)[0]!;
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return {
    origin: `${url.protocol}//${url.hostname}:${port}`,
    host,
    basePath: unescapePath(url.pathname) ?? url.pathname,
    strip: upstream.strip_path === '' ? undefined : `/${upstream.strip_path.replace(/^\/+|\/+$/g, '')}`,
    preserveHost: upstream.preserve_host,
  };
}

/**
 * The request target sent upstream, as Oathkeeper builds it: Go's path.Join of the upstream's path
 * and the request's cleaned path, then the first occurrence of the strip prefix removed anywhere
 * in it (a plain substring replacement, as Oathkeeper does). The client's own encoding is kept
 * when the path came out unchanged; otherwise it is encoded as Go does, so `%2F` turns into `/`.
 * The query goes as it came unless Go could not parse it (see cleanQuery).
 *
 * @param cleanedPath the decoded, cleaned request path the rule matched
 * @param rawPath the path as the client sent it, still encoded
 * @param rawQuery the query without `?`; undefined when the request had no `?`
 */
export function upstreamTarget(
  upstream: PreparedUpstream,
  cleanedPath: string,
  rawPath: string,
  rawQuery: string | undefined,
): string {
  let path =
    upstream.basePath === '' || upstream.basePath === '/'
      ? cleanedPath
      : joinPath(upstream.basePath, cleanedPath);
  if (upstream.strip !== undefined) {
    const at = path.indexOf(upstream.strip);
    if (at >= 0) path = path.slice(0, at) + path.slice(at + upstream.strip.length);
  }
  let target = isValidEncodedPath(rawPath) && unescapePath(rawPath) === path ? rawPath : escapePath(path);
  // Oathkeeper would send a stripped path without its leading slash ("GET ary"), which no server
  // accepts; gatehouse sends it rooted (docs/migrating-from-ory.md).
  if (!target.startsWith('/')) target = `/${target}`;
  return rawQuery === undefined ? target : `${target}?${cleanQuery(rawQuery)}`;
}
