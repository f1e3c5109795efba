import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { type CorsConfig, corsAnswer } from '../../http/cors.js';
import { REQUEST_ID_HEADER, requestIdFrom } from '../../http/request-id.js';
import type { Logger } from '../../log/logger.js';
import { renderError } from '../pipeline/errors/error-handling.js';
import { PipelineError, pipelineErrors } from '../pipeline/pipeline-error.js';
import { type PipelineResult, runPipeline } from '../pipeline/run-pipeline.js';
import type { PreparedRule } from '../rule/prepared-rule.js';
import { upstreamTarget } from '../rule/prepared-upstream.js';
import type { ProxyRules } from '../rule/proxy-rules.js';
import { connectionOptions, HOP_BY_HOP_HEADERS } from './hop-by-hop.js';
import { readProxiedRequest } from './proxied-request.js';
import type { ProxyMetrics } from './proxy-metrics.js';
import type { UpstreamPools } from './upstream-pools.js';
import { upstreamRequestHeaders } from './upstream-request-headers.js';
import { writeErrorResponse } from './write-error-response.js';

export interface ProxyHandlerOptions {
  rules: ProxyRules;
  upstreams: UpstreamPools;
  log: Logger;
  metrics?: ProxyMetrics;
  /** `serve.proxy.cors`. */
  cors: CorsConfig;
  /** `serve.proxy.trust_forwarded_headers`. */
  trustForwardedHeaders: boolean;
  /** `serve.proxy.timeout.write`: the response must be written within this, as Go's WriteTimeout. */
  writeTimeoutMs: number;
}

/**
 * The proxy port (4455): every request is matched against the access rules, runs its rule's
 * pipeline, and, when allowed, is forwarded to the rule's upstream with the session's headers;
 * bodies stream both ways. Reads top to bottom: CORS → request URL → match → pipeline → upstream.
 * What can be computed when rules load (patterns, handler configs, upstream URLs) was computed
 * there.
 */
export function createProxyHandler(options: ProxyHandlerOptions) {
  const { rules, upstreams, log, metrics, trustForwardedHeaders } = options;

  return (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const cors = corsAnswer(options.cors, request);
    if (cors.preflight) {
      response.writeHead(204, cors.headers.flat());
      response.end();
      return;
    }

    const proxied = readProxiedRequest(request, trustForwardedHeaders);
    if (proxied === undefined) {
      // Go's server refuses a malformed escape before any handler runs.
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      response.end('400 Bad Request: invalid URL escape');
      return;
    }
    const { method, host, path, pipeline: pipelineRequest } = proxied;

    const deny = (error: PipelineError, ruleId: string, rule?: PreparedRule) => {
      metrics?.record(ruleId, String(error.status), started);
      const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
      log.warn(
        { http_method: method, http_host: host, http_path: path, rule_id: ruleId, status: error.status },
        'access request denied',
      );
      writeErrorResponse(
        response,
        renderError(error, pipelineRequest, rule, rules.fallback(), requestId),
        requestId,
        cors.headers,
      );
    };

    const matched = rules.current().match(method, proxied.subject);
    if (matched instanceof PipelineError) return deny(matched, '');
    const rule = matched.rule;

    const forward = (result: PipelineResult) => {
      if ('error' in result) return deny(result.error, rule.rule.id, rule);
      const upstream = rule.upstream;
      if (upstream === undefined) {
        return deny(
          pipelineErrors.internal(
            'Unable to forward the request because matched rule does not define an upstream URL',
          ),
          rule.rule.id,
          rule,
        );
      }
      const exchange = new UpstreamExchange(request, response, cors.headers, log, options.writeTimeoutMs);
      if (typeof upstream === 'string') {
        exchange.onError(new Error(upstream));
        return;
      }
      metrics?.record(rule.rule.id, 'allowed', started);
      if (log.isLevelEnabled('info')) {
        log.info(
          {
            http_method: method,
            http_host: host,
            http_path: path,
            rule_id: rule.rule.id,
            subject: result.session.Subject,
          },
          'access request granted',
        );
      }
      const length = request.headers['content-length'];
      const hasBody =
        (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
      upstreams.get(upstream.origin).dispatch(
        {
          path: upstreamTarget(upstream, path, proxied.rawPath, proxied.rawQuery),
          method,
          headers: upstreamRequestHeaders(request.rawHeaders, {
            trustForwardedHeaders,
            session: result.session.Header,
            host: upstream.preserveHost ? host : upstream.host,
          }),
          body: hasBody ? request : null,
        },
        exchange,
      );
    };

    const result = runPipeline(rule, pipelineRequest, matched.captureGroups);
    if (result instanceof Promise) {
      result.then(forward).catch((error: Error) => {
        log.error({ err: error }, 'proxying failed');
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      });
    } else forward(result);
  };
}

/** Thrown into the upstream request when the client went away; answered 499 in the log. */
class ClientGoneError extends Error {
  override name = 'ClientGoneError';
}

/**
 * One request's exchange with its upstream, as undici's dispatch handler: the upstream's answer
 * is streamed to the client with backpressure both ways. Failures before the answer started are
 * Oathkeeper's: 499 when the client left, 504 on a timeout, 502 otherwise, with an empty body.
 * A client that leaves aborts the upstream request, which frees its connection.
 */
class UpstreamExchange implements Dispatcher.DispatchHandler {
  private abort: ((error: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  private clientGone = false;
  private timedOut = false;
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly request: IncomingMessage,
    private readonly response: ServerResponse,
    private readonly cors: readonly [string, string][],
    private readonly log: Logger,
    writeTimeoutMs: number,
  ) {
    // Go's WriteTimeout: a response not written in time loses its connection.
    this.deadline = setTimeout(() => {
      this.timedOut = true;
      log.warn({ http_path: request.url }, 'response not written within serve.proxy.timeout.write');
      this.abort?.(new Error('write timeout'));
      response.destroy();
    }, writeTimeoutMs);
    response.once('close', () => {
      clearTimeout(this.deadline);
      if (!response.writableFinished) {
        this.clientGone = true;
        this.abort?.(new ClientGoneError('the client closed the connection'));
      }
    });
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.clientGone) abort(new ClientGoneError('the client closed the connection'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // Informational answers (100, 103) are not passed on; the final one follows.
    if (statusCode < 200) return true;
    this.resume = resume;
    this.response.writeHead(statusCode, upstreamResponseHeaders(rawHeaders, this.cors));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.response.write(chunk)) return true;
    this.response.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    this.response.end();
  }

  onError(error: Error): void {
    clearTimeout(this.deadline);
    if (this.timedOut) return; // logged, and the connection is gone already
    const code = (error as NodeJS.ErrnoException).code;
    const status =
      this.clientGone || error instanceof ClientGoneError
        ? 499
        : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT'
          ? 504
          : 502;
    const where = { http_method: this.request.method, http_path: this.request.url, status };
    if (status === 499) this.log.warn({ ...where, error: error.message }, 'client canceled the request');
    else if (status === 504) this.log.error({ ...where, error: error.message }, 'upstream timed out');
    else this.log.error({ ...where, error: error.message }, 'upstream failed');
    if (this.response.headersSent || status === 499) {
      this.response.destroy();
      return;
    }
    this.response.writeHead(status, [...this.cors.flat(), 'content-length', '0']);
    this.response.end();
  }
}

/**
 * The upstream's response headers as the client gets them: CORS headers first (the upstream's own
 * CORS headers are added on top, as in Oathkeeper), then the upstream's in their order, without
 * hop-by-hop headers and those its `Connection` header names. Bytes are kept as they came.
 */
export function upstreamResponseHeaders(raw: readonly Buffer[], cors: readonly [string, string][]): string[] {
  const out: string[] = [];
  for (const [name, value] of cors) out.push(name, value);
  let connection: string[] | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!.toString('latin1');
    const lower = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lower)) {
      if (lower === 'connection') {
        connection ??= [];
        connection.push(raw[index + 1]!.toString('latin1'));
      }
      continue;
    }
    out.push(name, raw[index + 1]!.toString('latin1'));
  }
  if (!connection) return out;
  const listed = connectionOptions(connection);
  if (!listed) return out;
  const kept: string[] = [];
  for (let index = 0; index < out.length; index += 2) {
    if (index >= cors.length * 2 && listed.has(out[index]!.toLowerCase())) continue;
    kept.push(out[index]!, out[index + 1]!);
  }
  return kept;
}
