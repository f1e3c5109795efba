import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from '../log/logger.js';
import { HttpError } from './http-error.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';
import type { TlsCredentials } from './tls-credentials.js';

export interface CreateAppOptions {
  log: Logger;
  /** Names the server on every log line (`identity-public`, `proxy-api`). */
  server: string;
  /** Largest request body accepted; Kratos caps bodies at 5 MB. */
  bodyLimit?: number;
  /** Rewrites each request path before routing (the admin port's `/admin` prefix rule). */
  rewritePath?: (path: string) => string;
  /**
   * Requests this answers (returns true) never reach Fastify: for hot paths such as
   * `/decisions`, which need neither body parsing nor routing.
   */
  intercept?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** node:http settings for the server under an app with `intercept` (limits, timeouts). */
  serverOptions?: ServerOptions;
  /** Serve HTTPS only, with this certificate and key (apps with `intercept`). */
  tls?: TlsCredentials;
}

/**
 * A Fastify app with what every gatehouse HTTP server shares: request ids taken from or added to
 * `X-Request-Id`, one log line per request, and errors in Ory's JSON shape.
 */
export function createHttpApp(options: CreateAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.log.child({ server: options.server }) as FastifyBaseLogger,
    logController: new RequestLineLogController(),
    genReqId: (request) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    bodyLimit: options.bodyLimit ?? 5 * 1024 * 1024,
    rewriteUrl: options.rewritePath
      ? (request) => {
          const url = request.url ?? '/';
          const queryAt = url.indexOf('?');
          const path = queryAt < 0 ? url : url.slice(0, queryAt);
          return options.rewritePath!(path) + (queryAt < 0 ? '' : url.slice(queryAt));
        }
      : undefined,
    // While shutting down, requests arriving on kept-alive connections get 503 and the connection closes.
    return503OnClosing: true,
    ...(options.intercept
      ? {
          serverFactory: (handler: (request: IncomingMessage, response: ServerResponse) => void) => {
            const listener = (request: IncomingMessage, response: ServerResponse) => {
              if (!options.intercept!(request, response)) handler(request, response);
            };
            return options.tls
              ? (createHttpsServer(
                  { ...options.serverOptions, ...options.tls },
                  listener,
                ) as unknown as Server)
              : createServer(options.serverOptions ?? {}, listener);
          },
        }
      : {}),
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const httpError = toHttpError(error);
    if (httpError.code >= 500) request.log.error({ err: error }, 'request failed');
    void reply
      .code(httpError.code)
      .type('application/json')
      .header('ory-error-id', httpError.id ?? '')
      .send(httpError.toJSON(request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('application/json')
      .send(
        new HttpError({ code: 404, message: 'The requested resource could not be found' }).toJSON(request.id),
      );
  });

  return app;
}

/** One line per request, when it completes; Fastify's own two lines per request are dropped. */
class RequestLineLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    // The query string can carry tokens (`?token=`, `?code=`), so only the path is logged.
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        ...(error ? { error: error.message } : {}),
      },
      'completed handling request',
    );
  }
}

function toHttpError(error: FastifyError | HttpError): HttpError {
  if (error instanceof HttpError) return error;
  const status = (error as FastifyError).statusCode;
  if (status === 413) {
    return new HttpError({ code: 413, message: 'The request body is too large.' });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    // Fastify's own client errors (malformed JSON, unsupported media type) describe the input only.
    return new HttpError({ code: status, message: error.message });
  }
  return new HttpError({
    code: 500,
    message: 'An internal server error occurred, please contact the system administrator',
  });
}
