import { type Dispatcher, request as httpRequest } from 'undici';
import type { JsonObject } from '../../../config/object-path.js';
import type { AuthenticationSession } from '../authentication-session.js';
import type { AuthenticationOutcome } from '../handler.js';
import { PipelineError, pipelineErrors } from '../pipeline-error.js';
import type { PipelineRequest } from '../pipeline-request.js';
import { gjsonGet } from './gjson-path.js';

/** The session-check options cookie_session and bearer_token share, as prepared at rule load. */
export interface SessionCheckConfig {
  checkSessionUrl: URL;
  preservePath: boolean;
  preserveQuery: boolean;
  preserveHost: boolean;
  forceMethod?: string;
  /** Lower-cased names of request headers copied to the check, beside the credential's own. */
  forwardHeaders: string[];
  additionalHeaders: Record<string, string>;
  subjectFrom: string;
  extraFrom: string;
}

export function readSessionCheckConfig(config: JsonObject, credentialHeader: string): SessionCheckConfig {
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  const forward = new Set([
    credentialHeader,
    ...list(config.forward_http_headers).map((name) => name.toLowerCase()),
  ]);
  return {
    checkSessionUrl: new URL(String(config.check_session_url)),
    preservePath: config.preserve_path === true,
    preserveQuery: config.preserve_query !== false,
    preserveHost: config.preserve_host === true,
    forceMethod:
      typeof config.force_method === 'string' && config.force_method ? config.force_method : undefined,
    forwardHeaders: [...forward],
    additionalHeaders: Object.fromEntries(
      Object.entries((config.additional_headers ?? {}) as Record<string, unknown>).map(([name, value]) => [
        name,
        String(value),
      ]),
    ),
    subjectFrom: typeof config.subject_from === 'string' ? config.subject_from : 'subject',
    extraFrom: typeof config.extra_from === 'string' ? config.extra_from : 'extra',
  };
}

/**
 * Asks the identity server who the request's credential belongs to, as Oathkeeper's
 * cookie_session and bearer_token do: the check URL (its path replaced by the request's unless
 * `preserve_path`, the request's query added unless `preserve_query`), the request's method (or
 * `force_method`), no body, only the credential header and `forward_http_headers`, then
 * `additional_headers`, then X-Forwarded-Host with `preserve_host`. A 200 sets Subject and Extra
 * from the body by `subject_from` and `extra_from` (GJSON paths).
 *
 * One deliberate difference: when the identity server answers 5xx or cannot be reached, the
 * request gets 503 (Oathkeeper: 401 or 403), so an outage of the identity server never looks
 * like a signed-out user to a browser or an upstream.
 */
export async function checkSession(
  request: PipelineRequest,
  session: AuthenticationSession,
  config: SessionCheckConfig,
  dispatcher: Dispatcher,
): Promise<AuthenticationOutcome> {
  const url = new URL(config.checkSessionUrl.href);
  if (!config.preservePath) url.pathname = request.url.pathname;
  if (!config.preserveQuery) url.search = request.url.search;
  const headers: Record<string, string> = {};
  for (const name of config.forwardHeaders) {
    const value = request.headers[name];
    if (value !== undefined)
      headers[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  Object.assign(headers, config.additionalHeaders);
  if (config.preserveHost) headers['x-forwarded-host'] = request.url.host;

  let status: number;
  let text: string;
  try {
    const answer = await httpRequest(url, {
      method: (config.forceMethod ?? request.method) as Dispatcher.HttpMethod,
      headers,
      dispatcher,
    });
    status = answer.statusCode;
    text = await answer.body.text();
  } catch (error) {
    return { kind: 'failed', error: identityServerUnavailable((error as Error).message) };
  }
  if (status === 429)
    return {
      kind: 'failed',
      error: new PipelineError(429, 'Too Many Requests', { hideStatusFromWhen: true }),
    };
  if (status >= 500)
    return { kind: 'failed', error: identityServerUnavailable(`the session check answered ${status}`) };
  if (status !== 200) return { kind: 'failed', error: pipelineErrors.unauthorized() };

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'failed', error: pipelineErrors.forbidden('The session check did not answer with JSON.') };
  }
  const subject = gjsonGet(body, config.subjectFrom);
  if (subject !== undefined && subject !== null && typeof subject !== 'string') {
    return {
      kind: 'failed',
      error: pipelineErrors.forbidden(
        `The configured subject_from GJSON path returned an error on JSON output: expected string but got ${typeOf(subject)}`,
      ),
    };
  }
  const extra = gjsonGet(body, config.extraFrom);
  if (extra !== undefined && extra !== null && (typeof extra !== 'object' || Array.isArray(extra))) {
    return {
      kind: 'failed',
      error: pipelineErrors.forbidden(
        `The configured extra_from GJSON path returned an error on JSON output: expected object but got ${typeOf(extra)}`,
      ),
    };
  }
  session.Subject = subject ?? '';
  if (extra) session.Extra = extra as Record<string, unknown>;
  return { kind: 'authenticated' };
}

function identityServerUnavailable(reason: string): PipelineError {
  return new PipelineError(503, 'The identity server is unavailable', { reason });
}

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : typeof value;
}
