import { connectionOptions, HOP_BY_HOP_HEADERS, listsToken } from './hop-by-hop.js';

export interface UpstreamRequestHeaderOptions {
  /** `serve.proxy.trust_forwarded_headers`. */
  trustForwardedHeaders: boolean;
  /** The session's headers after the mutators, keyed by canonical name; each sets its first value. */
  session: Readonly<Record<string, unknown>>;
  /** The Host header the upstream gets. */
  host: string;
  /** The protocol of an Upgrade request being tunnelled (`websocket`), re-armed after hop-by-hop removal. */
  upgrade?: string;
}

// Headers the proxy sets itself or that only the client's own lines may carry.
const MESSAGE_HEADERS = new Set(['host', 'content-length', 'expect']);

// X-Forwarded-* headers that a trusting proxy passes on with their first value only.
const FIRST_VALUE_ONLY = new Set(['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-for']);

/**
 * The headers sent upstream, in the client's order and spelling (a flat name, value list), as
 * Oathkeeper's proxy forwards them: hop-by-hop headers and those named in `Connection` dropped
 * (`Te: trailers` survives); `Forwarded` always dropped and `X-Forwarded-*` dropped unless
 * trusted — the proxy never adds its own; every session header set over the client's; `Host`
 * replaced. No `User-Agent` is added when the client sent none. `Expect` is not forwarded: Node
 * has already answered `100 Continue` to the client.
 */
export function upstreamRequestHeaders(
  raw: readonly string[],
  options: UpstreamRequestHeaderOptions,
): string[] {
  let connection: string[] | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    if (raw[index]!.length === 10 && raw[index]!.toLowerCase() === 'connection') {
      connection ??= [];
      connection.push(raw[index + 1]!);
    }
  }
  const listed = connection ? connectionOptions(connection) : undefined;
  // Session headers that describe the message or the connection (a noop mutator copies them all)
  // are left to the client's own lines, which the rules below already handle.
  const session: string[] = [];
  let overridden: Set<string> | undefined;
  for (const name in options.session) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower) || MESSAGE_HEADERS.has(lower) || listed?.has(lower)) continue;
    const values = options.session[name];
    session.push(name, Array.isArray(values) && values.length > 0 ? String(values[0]) : '');
    overridden ??= new Set();
    overridden.add(lower);
  }

  const out: string[] = [];
  let teTrailers = false;
  let trustedSeen: Set<string> | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    const value = raw[index + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower)) {
      if (lower === 'te' && listsToken(value, 'trailers')) teTrailers = true;
      continue;
    }
    if (lower === 'host' || lower === 'expect' || listed?.has(lower) || overridden?.has(lower)) continue;
    if (lower.startsWith('x-forwarded') || lower === 'forwarded') {
      if (!options.trustForwardedHeaders || lower === 'forwarded') continue;
      if (FIRST_VALUE_ONLY.has(lower)) {
        trustedSeen ??= new Set();
        if (trustedSeen.has(lower)) continue;
        trustedSeen.add(lower);
        if (value === '') continue;
      }
    }
    out.push(name, value);
  }
  if (teTrailers) out.push('Te', 'trailers');
  for (let index = 0; index < session.length; index++) out.push(session[index]!);
  out.push('Host', options.host);
  if (options.upgrade !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', options.upgrade);
  return out;
}

/**
 * The request headers the pipeline sees: without `Forwarded` and `X-Forwarded-*` unless they are
 * trusted, so that no rule, template or session check acts on what a client claims. The object
 * is the request's own when there is nothing to remove, which is the common case.
 */
export function pipelineHeaders<Headers extends Record<string, unknown>>(
  headers: Headers,
  trustForwardedHeaders: boolean,
): Headers {
  let copy: Headers | undefined;
  for (const name in headers) {
    if (name.charCodeAt(0) !== 0x78 /* x */ && name !== 'forwarded') continue;
    if (name === 'forwarded' || (!trustForwardedHeaders && name.startsWith('x-forwarded'))) {
      copy ??= { ...headers };
      delete copy[name];
    }
  }
  return copy ?? headers;
}
