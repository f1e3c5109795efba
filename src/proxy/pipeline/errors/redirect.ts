import { htmlEscape } from '../../../template/builtins.js';
import type { ErrorHandlerHandler } from '../handler.js';
import { headerValue, type PipelineRequest } from '../pipeline-request.js';
import { compileWhen, type WhenCondition } from './when-conditions.js';

/**
 * Redirects (301 or 302) to `to`, optionally with the original URL in `return_to_query_param`.
 * The original URL takes X-Forwarded-Proto/-Host/-Uri into account, as Oathkeeper's does (on the
 * proxy port untrusted forwarding headers are already gone by then).
 */
export const redirect: ErrorHandlerHandler = {
  name: 'redirect',
  prepare(config) {
    const code = config.code === 301 ? 301 : 302;
    const to = String(config.to ?? '');
    const returnTo = typeof config.return_to_query_param === 'string' ? config.return_to_query_param : '';
    return {
      isResponsible: compileWhen(config.when as WhenCondition[] | undefined),
      handle(_error, request) {
        const original = originalUrl(request);
        // A relative `to` is resolved against the request's path, as Go's http.Redirect does.
        const target = new URL(to, original);
        if (returnTo) target.searchParams.set(returnTo, original.href);
        const location =
          /^[a-z][a-z0-9+.-]*:/i.test(to) || returnTo
            ? target.href
            : `${target.pathname}${target.search}${target.hash}`;
        const isGet = request.method === 'GET' || request.method === 'HEAD';
        return {
          status: code,
          headers: { location, ...(isGet ? { 'content-type': 'text/html; charset=utf-8' } : {}) },
          body: isGet
            ? `<a href="${htmlEscape(location)}">${code === 301 ? 'Moved Permanently' : 'Found'}</a>.\n\n`
            : '',
        };
      },
    };
  },
};

function originalUrl(request: PipelineRequest): URL {
  const url = new URL(request.url.href);
  const proto = headerValue(request.headers, 'x-forwarded-proto');
  const host = headerValue(request.headers, 'x-forwarded-host');
  const uri = headerValue(request.headers, 'x-forwarded-uri');
  if (proto) url.protocol = `${proto}:`;
  if (host) url.host = host;
  // X-Forwarded-Uri is taken as the path, so a "?" in it is encoded, as in Oathkeeper.
  if (uri) url.pathname = uri.replace(/\?/g, '%3F');
  return url;
}
