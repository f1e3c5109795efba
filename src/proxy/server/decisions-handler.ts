import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { cleanPath } from '../../http/go-path.js';
import { REQUEST_ID_HEADER, requestIdFrom } from '../../http/request-id.js';
import { renderError } from '../pipeline/errors/error-handling.js';
import { PipelineError } from '../pipeline/pipeline-error.js';
import { headerValue, type PipelineRequest } from '../pipeline/pipeline-request.js';
import { type PipelineResult, runPipeline } from '../pipeline/run-pipeline.js';
import type { PreparedRule } from '../rule/prepared-rule.js';
import type { ProxyRules } from '../rule/proxy-rules.js';
import { IncomingPipelineRequest } from './incoming-pipeline-request.js';
import type { ProxyMetrics } from './proxy-metrics.js';
import { writeErrorResponse } from './write-error-response.js';

// Module-level: a regexp literal inside the handler would be a new object on every request.
const PLAIN_HOST = /^[A-Za-z0-9._~!$&'()*+,;=:%[\]-]*$/;
const HTTP_SCHEME = /^https?$/i;

/**
 * `/decisions` and `/decisions/...` on the API port: rebuilds the original request from the
 * X-Forwarded-* headers (trusted unconditionally, so the port must stay private), runs the
 * matching rule's pipeline without forwarding, and answers 200 with the session headers as
 * response headers, or the error handler's answer. For nginx `auth_request` and Traefik ForwardAuth.
 */
export function createDecisionsHandler(rules: ProxyRules, metrics?: ProxyMetrics) {
  return (request: IncomingMessage, response: ServerResponse): void | Promise<void> => {
    // performance.now() is a plain double; hrtime.bigint() allocates a BigInt per request.
    const started = metrics ? performance.now() : 0;
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    const raw = request.url ?? '/';
    const queryAt = raw.indexOf('?');
    const rawPath = queryAt < 0 ? raw : raw.slice(0, queryAt);
    const query = queryAt < 0 ? '' : raw.slice(queryAt);

    // Go's ServeMux answers a non-canonical path with a redirect to the cleaned one.
    const canonical = cleanPath(rawPath);
    if (canonical !== rawPath && !(rawPath.endsWith('/') && canonical === rawPath.slice(0, -1))) {
      response.writeHead(301, { location: canonical + query, 'x-request-id': requestId });
      response.end();
      return;
    }

    const method = headerValue(request.headers, 'x-forwarded-method') ?? request.method ?? 'GET';
    const scheme =
      headerValue(request.headers, 'x-forwarded-proto') ??
      ((request.socket as TLSSocket).encrypted ? 'https' : 'http');
    const host =
      headerValue(request.headers, 'x-forwarded-host') ?? headerValue(request.headers, 'host') ?? '';
    const forwardedUri = headerValue(request.headers, 'x-forwarded-uri');
    // X-Forwarded-Uri is used as it is (not decoded); its query is dropped: the query is the
    // /decisions request's own, as in current Oathkeeper.
    const path =
      forwardedUri !== undefined
        ? forwardedUri.split('?')[0]!
        : safeDecode(rawPath.slice('/decisions'.length));
    const matchedPath = path === '' ? '' : cleanPath(path);
    const set = rules.current();
    // The URL object is only built when something reads it (see IncomingPipelineRequest): a cheap check
    // of the host stands in for URL parsing on the hot path.
    if (!PLAIN_HOST.test(host) || !HTTP_SCHEME.test(scheme)) {
      try {
        new URL(`${scheme}://${host}${matchedPath}${query}`);
      } catch {
        return writeErrorResponse(
          response,
          renderError(
            new PipelineError(400, 'The request URL is malformed'),
            fallbackRequest(request, method),
            undefined,
            rules.fallback(),
            requestId,
          ),
          requestId,
        );
      }
    }
    const pipelineRequest = new IncomingPipelineRequest(method, scheme, host, matchedPath + query, request);
    const matched = set.match(method, `${scheme}://${host}${matchedPath}`);
    if (matched instanceof PipelineError) {
      metrics?.record('', String(matched.status), started);
      return writeErrorResponse(
        response,
        renderError(matched, pipelineRequest, undefined, rules.fallback(), requestId),
        requestId,
      );
    }
    const result = runPipeline(matched.rule, pipelineRequest, matched.captureGroups);
    // Synchronous rules answer without allocating a continuation.
    if (!(result instanceof Promise))
      return answer(result, response, matched.rule, pipelineRequest, requestId, started);
    return result.then((settled) =>
      answer(settled, response, matched.rule, pipelineRequest, requestId, started),
    );
  };

  function answer(
    result: PipelineResult,
    response: ServerResponse,
    rule: PreparedRule,
    pipelineRequest: PipelineRequest,
    requestId: string,
    started: number,
  ): void {
    if ('error' in result) {
      metrics?.record(rule.rule.id, String(result.error.status), started);
      writeErrorResponse(
        response,
        renderError(result.error, pipelineRequest, rule, rules.fallback(), requestId),
        requestId,
      );
      return;
    }
    metrics?.record(rule.rule.id, 'allowed', started);
    const headers: Record<string, string> = { 'x-request-id': requestId };
    const upstream = result.session.Header;
    for (const name of Object.keys(upstream)) {
      if (name === 'Content-Length') continue;
      headers[name] = (upstream[name] as string[])[0] ?? '';
    }
    response.writeHead(200, headers);
    response.end();
  }
}

function safeDecode(path: string): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function fallbackRequest(request: IncomingMessage, method: string): PipelineRequest {
  return {
    method,
    url: new URL('http://invalid/'),
    headers: request.headers,
    remoteAddress: request.socket.remoteAddress ?? '',
  };
}
