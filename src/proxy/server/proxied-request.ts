import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { cleanPath, unescapePath } from '../../http/go-path.js';
import { IncomingPipelineRequest } from './incoming-pipeline-request.js';
import { pipelineHeaders } from './upstream-request-headers.js';

/** A request on the proxy port, read the way Oathkeeper reads it for matching and forwarding. */
export interface ProxiedRequest {
  method: string;
  /** The path as the client sent it, still percent-encoded. */
  rawPath: string;
  /** The query without `?`; undefined when the target had no `?`. */
  rawQuery: string | undefined;
  /** The decoded, cleaned path: what rules match and what goes upstream. */
  path: string;
  scheme: string;
  /** The Host header, verbatim. */
  host: string;
  /** `scheme://host/path`, the string rules match. */
  subject: string;
  pipeline: IncomingPipelineRequest;
}

/**
 * Reads the request target (origin-form, or absolute-form as proxies may send it), decodes and
 * cleans the path, and picks the scheme: https on TLS, or a trusted `X-Forwarded-Proto` of
 * http/https. Undefined when the path has a malformed escape, which Go's server refuses with 400.
 */
export function readProxiedRequest(
  request: IncomingMessage,
  trustForwardedHeaders: boolean,
): ProxiedRequest | undefined {
  let target = request.url ?? '/';
  if (!target.startsWith('/') && /^https?:\/\//i.test(target)) {
    const pathAt = target.indexOf('/', target.indexOf('//') + 2);
    target = pathAt < 0 ? '/' : target.slice(pathAt);
  }
  const queryAt = target.indexOf('?');
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? undefined : target.slice(queryAt + 1);
  const decoded = unescapePath(rawPath);
  if (decoded === undefined) return undefined;
  const path = cleanPath(decoded);
  const method = request.method ?? 'GET';
  const forwardedProto = trustForwardedHeaders ? request.headers['x-forwarded-proto'] : undefined;
  const scheme =
    typeof forwardedProto === 'string' && /^https?$/i.test(forwardedProto)
      ? forwardedProto.toLowerCase()
      : (request.socket as TLSSocket).encrypted
        ? 'https'
        : 'http';
  const host = request.headers.host ?? '';
  return {
    method,
    rawPath,
    rawQuery,
    path,
    scheme,
    host,
    subject: `${scheme}://${host}${path}`,
    pipeline: new IncomingPipelineRequest(
      method,
      scheme,
      host,
      rawQuery === undefined ? path : `${path}?${rawQuery}`,
      request,
      pipelineHeaders(request.headers, trustForwardedHeaders),
    ),
  };
}
