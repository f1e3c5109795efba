import { describe, expect, it } from 'vitest';
import { defaultHandlers } from '../../../src/proxy/pipeline/default-handlers.js';
import {
  type ErrorFallback,
  prepareFallback,
  renderError,
} from '../../../src/proxy/pipeline/errors/error-handling.js';
import { json } from '../../../src/proxy/pipeline/errors/json.js';
import { redirect } from '../../../src/proxy/pipeline/errors/redirect.js';
import { wwwAuthenticate } from '../../../src/proxy/pipeline/errors/www-authenticate.js';
import { PipelineError, pipelineErrors } from '../../../src/proxy/pipeline/pipeline-error.js';
import type { PipelineRequest } from '../../../src/proxy/pipeline/pipeline-request.js';
import type { PreparedRule } from '../../../src/proxy/rule/prepared-rule.js';
import { handlerDependencies } from '../support/handler-dependencies.js';

const deps = handlerDependencies();

function request(
  headers: Record<string, string> = {},
  options: { method?: string; url?: string; remote?: string } = {},
): PipelineRequest {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    method: options.method ?? 'GET',
    url: new URL(options.url ?? 'http://app.example/private/page?x=1'),
    headers: lower,
    remoteAddress: options.remote ?? '127.0.0.1',
  };
}

describe('the json error handler', () => {
  it('answers with the specific message and reason when verbose', () => {
    const answer = json
      .prepare({ verbose: true }, deps)
      .handle(pipelineErrors.unauthorized('no cookie'), request({ 'X-Request-ID': 'req-1' }), 'generated');
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toBe(
      '{"error":{"code":401,"status":"Unauthorized","request":"req-1","reason":"no cookie","message":"Access credentials are invalid"}}\n',
    );
  });

  it('answers with the generic message of the status, without the reason, when not verbose', () => {
    const answer = json.prepare({}, deps).handle(pipelineErrors.forbidden('nope'), request(), 'generated');
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: 403,
        status: 'Forbidden',
        request: 'generated',
        message: 'The requested action was forbidden',
      },
    });
  });

  it('passes rate-limit headers on with a 429', () => {
    const error = new PipelineError(429, 'Too many requests', {
      headers: { 'Retry-After': '30' },
      hideStatusFromWhen: true,
    });
    const answer = json.prepare({ verbose: true }, deps).handle(error, request(), 'r');
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('30');
    expect(error.condition).toBe('internal_server_error');
  });
});

describe('the redirect error handler', () => {
  it('redirects with 302 by default and a small HTML body for GET', () => {
    const answer = redirect
      .prepare({ to: 'http://127.0.0.1/auth/login' }, deps)
      .handle(pipelineErrors.unauthorized(), request(), 'r');
    expect(answer).toEqual({
      status: 302,
      headers: { location: 'http://127.0.0.1/auth/login', 'content-type': 'text/html; charset=utf-8' },
      body: '<a href="http://127.0.0.1/auth/login">Found</a>.\n\n',
    });
  });

  it('uses 301 when configured, and no body for POST', () => {
    const answer = redirect
      .prepare({ to: '/login', code: 301 }, deps)
      .handle(pipelineErrors.unauthorized(), request({}, { method: 'POST' }), 'r');
    expect(answer).toEqual({ status: 301, headers: { location: '/login' }, body: '' });
  });

  it('resolves a relative target against the request path', () => {
    const answer = redirect
      .prepare({ to: 'login' }, deps)
      .handle(pipelineErrors.unauthorized(), request(), 'r');
    expect(answer.headers.location).toBe('/private/login');
  });

  it('puts the original URL, as the forwarding headers describe it, into return_to_query_param', () => {
    const answer = redirect
      .prepare({ to: 'https://accounts.example/login', return_to_query_param: 'return_to' }, deps)
      .handle(
        pipelineErrors.unauthorized(),
        request({
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'portal.example',
          'X-Forwarded-Uri': '/files?id=1',
        }),
        'r',
      );
    expect(answer.headers.location).toBe(
      `https://accounts.example/login?return_to=${encodeURIComponent('https://portal.example/files%3Fid=1?x=1')}`,
    );
  });
});

describe('the www_authenticate error handler', () => {
  it('answers 401 with an unquoted Basic realm, as Oathkeeper writes it', () => {
    const answer = wwwAuthenticate.prepare({}, deps).handle(pipelineErrors.forbidden(), request(), 'r');
    expect(answer).toEqual({
      status: 401,
      headers: {
        'www-authenticate': 'Basic realm=Please authenticate.',
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
      },
      body: 'Unauthorized\n',
    });
    expect(
      wwwAuthenticate.prepare({ realm: 'portal' }, deps).handle(pipelineErrors.forbidden(), request(), 'r')
        .headers['www-authenticate'],
    ).toBe('Basic realm=portal');
  });
});

describe('when conditions', () => {
  const responsible = (
    when: unknown,
    error: PipelineError,
    headers: Record<string, string> = {},
    remote?: string,
  ) => json.prepare({ when }, deps).isResponsible(error, request(headers, { remote }));

  it('with none given, handles every error', () => {
    expect(responsible(undefined, pipelineErrors.noRule())).toBe(true);
  });

  it('matches the error by name; an empty list means any error', () => {
    expect(responsible([{ error: ['unauthorized'] }], pipelineErrors.unauthorized())).toBe(true);
    expect(responsible([{ error: ['unauthorized'] }], pipelineErrors.forbidden())).toBe(false);
    expect(responsible([{ error: ['not_found'] }], pipelineErrors.noRule())).toBe(true);
    expect(responsible([{ error: ['internal_server_error'] }], pipelineErrors.severalRules())).toBe(true);
    expect(responsible([{ error: [] }], pipelineErrors.forbidden())).toBe(true);
  });

  it('ORs the conditions and ANDs the parts of one', () => {
    const when = [
      { error: ['forbidden'] },
      { error: ['unauthorized'], request: { header: { accept: ['text/html'] } } },
    ];
    expect(responsible(when, pipelineErrors.forbidden(), { Accept: 'application/json' })).toBe(true);
    expect(responsible(when, pipelineErrors.unauthorized(), { Accept: 'text/html' })).toBe(true);
    expect(responsible(when, pipelineErrors.unauthorized(), { Accept: 'application/json' })).toBe(false);
  });

  it('reads Accept as media ranges, ignoring parameters; a missing Accept is application/octet-stream', () => {
    const html = [{ request: { header: { accept: ['text/html'] } } }];
    expect(
      responsible(html, pipelineErrors.unauthorized(), { Accept: 'text/html,application/xhtml+xml;q=0.9' }),
    ).toBe(true);
    expect(responsible(html, pipelineErrors.unauthorized(), { Accept: 'text/html;q=0.8' })).toBe(true);
    expect(responsible(html, pipelineErrors.unauthorized())).toBe(false);
    expect(
      responsible(
        [{ request: { header: { accept: ['application/octet-stream'] } } }],
        pipelineErrors.unauthorized(),
      ),
    ).toBe(true);
  });

  it('lets configured wildcards match widely, but a wildcard sent by the client only itself', () => {
    expect(
      responsible([{ request: { header: { accept: ['*/*'] } } }], pipelineErrors.unauthorized(), {
        Accept: 'image/png',
      }),
    ).toBe(true);
    expect(
      responsible([{ request: { header: { accept: ['text/*'] } } }], pipelineErrors.unauthorized(), {
        Accept: 'text/plain',
      }),
    ).toBe(true);
    expect(
      responsible(
        [{ request: { header: { accept: ['application/json'] } } }],
        pipelineErrors.unauthorized(),
        { Accept: '*/*' },
      ),
    ).toBe(false);
    expect(
      responsible([{ request: { header: { accept: ['*/*'] } } }], pipelineErrors.unauthorized(), {
        Accept: '*/*',
      }),
    ).toBe(true);
  });

  it('compares Content-Type without its parameters', () => {
    const when = [{ request: { header: { content_type: ['application/json'] } } }];
    expect(
      responsible(when, pipelineErrors.unauthorized(), { 'Content-Type': 'application/json; charset=utf-8' }),
    ).toBe(true);
    expect(responsible(when, pipelineErrors.unauthorized(), { 'Content-Type': 'text/plain' })).toBe(false);
  });

  it('applies request.cidr to the client address (Oathkeeper ignores it)', () => {
    const when = [{ request: { cidr: ['10.0.0.0/8', '127.0.0.1/32'] } }];
    expect(responsible(when, pipelineErrors.unauthorized(), {}, '127.0.0.1')).toBe(true);
    expect(responsible(when, pipelineErrors.unauthorized(), {}, '::ffff:10.1.2.3')).toBe(true);
    expect(responsible(when, pipelineErrors.unauthorized(), {}, '192.168.1.1')).toBe(false);
  });
});

describe('choosing the error handler', () => {
  const document = {
    errors: {
      fallback: ['redirect', 'json'],
      handlers: {
        json: { enabled: true, config: { verbose: true } },
        redirect: {
          enabled: true,
          config: {
            to: 'http://127.0.0.1/login',
            when: [{ error: ['unauthorized'], request: { header: { accept: ['text/html'] } } }],
          },
        },
        www_authenticate: { enabled: true, config: { realm: 'x' } },
      },
    },
  };
  const fallback: ErrorFallback = prepareFallback(document, defaultHandlers(), deps);
  const ruleWith = (errors: PreparedRule['errors']) => ({ errors }) as PreparedRule;

  it('walks the fallback list with the global config when the rule has no handler for it', () => {
    expect(
      renderError(pipelineErrors.unauthorized(), request({ Accept: 'text/html' }), undefined, fallback, 'r')
        .status,
    ).toBe(302);
    expect(
      renderError(
        pipelineErrors.unauthorized(),
        request({ Accept: 'application/json' }),
        undefined,
        fallback,
        'r',
      ).status,
    ).toBe(401);
  });

  it('uses the one responsible rule handler', () => {
    const rule = ruleWith([
      {
        name: 'www_authenticate',
        prepared: wwwAuthenticate.prepare({ when: [{ error: ['forbidden'] }] }, deps),
      },
    ]);
    expect(
      renderError(pipelineErrors.forbidden(), request(), rule, fallback, 'r').headers['www-authenticate'],
    ).toBe('Basic realm=Please authenticate.');
    // Not responsible for a 401: the fallback list decides.
    expect(renderError(pipelineErrors.unauthorized(), request(), rule, fallback, 'r').status).toBe(401);
  });

  it('answers 500 when two rule handlers are responsible', () => {
    const rule = ruleWith([
      { name: 'json', prepared: json.prepare({}, deps) },
      { name: 'www_authenticate', prepared: wwwAuthenticate.prepare({}, deps) },
    ]);
    const answer = renderError(pipelineErrors.forbidden(), request(), rule, fallback, 'r');
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body).error.message).toBe(
      'Expected exactly one responsible error handler but found multiple',
    );
  });

  it('answers 500 when a fallback is disabled or unknown, or none is responsible', () => {
    const broken = prepareFallback(
      { errors: { fallback: ['www_authenticate'], handlers: { www_authenticate: { enabled: false } } } },
      defaultHandlers(),
      deps,
    );
    const disabled = renderError(pipelineErrors.forbidden(), request(), undefined, broken, 'r');
    expect(disabled.status).toBe(500);
    expect(JSON.parse(disabled.body).error.code).toBe(500);
    const picky = prepareFallback(
      {
        errors: {
          fallback: ['json'],
          handlers: { json: { enabled: true, config: { when: [{ error: ['not_found'] }] } } },
        },
      },
      defaultHandlers(),
      deps,
    );
    const answer = renderError(pipelineErrors.forbidden(), request(), undefined, picky, 'r');
    expect(answer.status).toBe(500);
  });
});
