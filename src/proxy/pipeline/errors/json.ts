import { statusText } from '../../../http/http-error.js';
import type { ErrorHandlerHandler } from '../handler.js';
import { GENERIC_MESSAGES } from '../pipeline-error.js';
import { headerValue } from '../pipeline-request.js';
import { compileWhen, type WhenCondition } from './when-conditions.js';

// Headers a rate-limited backend sent that the client should see too.
const RATE_LIMIT_HEADERS = [
  'Retry-After',
  'X-Ratelimit-Limit',
  'X-Ratelimit-Remaining',
  'X-Ratelimit-Reset',
  'X-Ratelimit-Type',
];

/** Answers with Ory's error JSON; without `verbose`, only the generic message of the status. */
export const json: ErrorHandlerHandler = {
  name: 'json',
  prepare(config) {
    const verbose = config.verbose === true;
    const when = compileWhen(config.when as WhenCondition[] | undefined);
    return {
      isResponsible: when,
      handle(error, request, requestId) {
        const status = error.status || 500;
        const body: Record<string, unknown> = { code: status, status: statusText(status) };
        const requestHeader = headerValue(request.headers, 'x-request-id');
        if (requestHeader ?? requestId) body.request = requestHeader ?? requestId;
        if (verbose && error.reason) body.reason = error.reason;
        if (verbose && error.details && Object.keys(error.details).length > 0) body.details = error.details;
        body.message = verbose ? error.message : (GENERIC_MESSAGES[status] ?? error.message);
        const headers: Record<string, string> = { 'content-type': 'application/json', 'ory-error-id': '' };
        for (const name of RATE_LIMIT_HEADERS) {
          const value = error.headers?.[name];
          if (value !== undefined) headers[name.toLowerCase()] = value;
        }
        return { status, headers, body: `${JSON.stringify({ error: body })}\n` };
      },
    };
  },
};
