import {
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';
import { type CorsConfig, corsAnswer } from '../../http/cors.js';
import { REQUEST_ID_HEADER, requestIdFrom } from '../../http/request-id.js';
import type { Logger } from '../../log/logger.js';
import { renderError } from '../pipeline/errors/error-handling.js';
import type { ErrorResponse } from '../pipeline/handler.js';
import { PipelineError, pipelineErrors } from '../pipeline/pipeline-error.js';
import { type PipelineResult, runPipeline } from '../pipeline/run-pipeline.js';
import type { PreparedRule } from '../rule/prepared-rule.js';
import { upstreamTarget } from '../rule/prepared-upstream.js';
import type { ProxyRules } from '../rule/proxy-rules.js';
import { HOP_BY_HOP_HEADERS } from './hop-by-hop.js';
import { readProxiedRequest } from './proxied-request.js';
import type { ConnectCallback, createUpstreamConnector } from './upstream-connector.js';
import { upstreamRequestHeaders } from './upstream-request-headers.js';

export interface UpgradeHandlerOptions {
  rules: ProxyRules;
  connect: ReturnType<typeof createUpstreamConnector>;
  log: Logger;
  cors: CorsConfig;
  trustForwardedHeaders: boolean;
}

/**
 * Upgrade requests (WebSocket) on the proxy port: matched and run through the pipeline like any
 * request, and, when allowed, tunnelled to the upstream: the upstream's 101 goes back to the
 * client and from then on bytes flow both ways untouched, with no timeout (as Go's hijacked
 * connections have none). A denied upgrade gets the error handler's answer and is closed.
 */
export function createUpgradeHandler(options: UpgradeHandlerOptions) {
  const { rules, log, trustForwardedHeaders } = options;
  return (request: IncomingMessage, client: Socket, head: Buffer) => {
    client.on('error', () => client.destroy());
    const cors = corsAnswer(options.cors, request);
    const proxied = readProxiedRequest(request, trustForwardedHeaders);
    if (proxied === undefined) {
      writeRaw(client, { status: 400, headers: {}, body: '400 Bad Request: invalid URL escape' });
      return;
    }
    const { method, host, path, pipeline: pipelineRequest } = proxied;
    const deny = (error: PipelineError, rule?: PreparedRule) => {
      const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
      log.warn({ http_path: path, status: error.status }, 'upgrade request denied');
      const answer = renderError(error, pipelineRequest, rule, rules.fallback(), requestId);
      for (const [name, value] of cors.headers) answer.headers[name] = value;
      answer.headers['x-request-id'] = requestId;
      writeRaw(client, answer);
    };

    const matched = rules.current().match(method, proxied.subject);
    if (matched instanceof PipelineError) return deny(matched);
    const rule = matched.rule;
    const tunnel = (result: PipelineResult) => {
      if ('error' in result) return deny(result.error, rule);
      const upstream = rule.upstream;
      if (upstream === undefined)
        return deny(
          pipelineErrors.internal(
            'Unable to forward the request because matched rule does not define an upstream URL',
          ),
          rule,
        );
      if (typeof upstream === 'string') return writeRaw(client, { status: 502, headers: {}, body: '' });
      const url = new URL(upstream.origin);
      const outgoing = httpRequest({
        method,
        path: upstreamTarget(upstream, path, proxied.rawPath, proxied.rawQuery),
        headers: upstreamRequestHeaders(request.rawHeaders, {
          trustForwardedHeaders,
          session: result.session.Header,
          host: upstream.preserveHost ? host : upstream.host,
          upgrade: String(request.headers.upgrade ?? ''),
        }) as unknown as OutgoingHttpHeaders,
        createConnection: ((_: unknown, callback: ConnectCallback) => {
          options.connect({ protocol: url.protocol, hostname: url.hostname, port: url.port }, callback);
          return undefined;
        }) as never,
      });
      outgoing.on('upgrade', (answer: IncomingMessage, upstreamSocket: Socket, upstreamHead: Buffer) => {
        const lines = [`HTTP/1.1 101 ${answer.statusMessage || 'Switching Protocols'}`];
        for (let index = 0; index < answer.rawHeaders.length; index += 2)
          lines.push(`${answer.rawHeaders[index]}: ${answer.rawHeaders[index + 1]}`);
        client.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (upstreamHead.length > 0) client.write(upstreamHead);
        if (head.length > 0) upstreamSocket.write(head);
        upstreamSocket.on('error', () => client.destroy());
        client.on('close', () => upstreamSocket.destroy());
        upstreamSocket.on('close', () => client.destroy());
        upstreamSocket.pipe(client);
        client.pipe(upstreamSocket);
      });
      // The upstream declined the upgrade: its answer goes back as it is, and the connection ends.
      outgoing.on('response', (answer: IncomingMessage) => {
        const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ''}`];
        for (let index = 0; index < answer.rawHeaders.length; index += 2) {
          const name = answer.rawHeaders[index]!.toLowerCase();
          if (HOP_BY_HOP_HEADERS.has(name) || name === 'content-length') continue;
          lines.push(`${answer.rawHeaders[index]}: ${answer.rawHeaders[index + 1]}`);
        }
        lines.push('Connection: close');
        client.write(`${lines.join('\r\n')}\r\n\r\n`);
        answer.pipe(client);
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        const status = error.code === 'UND_ERR_CONNECT_TIMEOUT' || error.code === 'ETIMEDOUT' ? 504 : 502;
        log.error({ http_path: path, status, error: error.message }, 'upstream failed');
        writeRaw(client, { status, headers: {}, body: '' });
      });
      client.on('close', () => outgoing.destroy());
      outgoing.end();
    };
    const result = runPipeline(rule, pipelineRequest, matched.captureGroups);
    if (result instanceof Promise) result.then(tunnel, () => client.destroy());
    else tunnel(result);
  };
}

/** Writes a whole HTTP response on a socket that left Node's HTTP handling, and closes it. */
function writeRaw(socket: Socket, answer: ErrorResponse): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`];
  for (const name in answer.headers) lines.push(`${name}: ${answer.headers[name]}`);
  lines.push(`Content-Length: ${Buffer.byteLength(answer.body)}`, 'Connection: close');
  socket.end(`${lines.join('\r\n')}\r\n\r\n${answer.body}`);
}
