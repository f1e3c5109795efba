import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../http/http-error.js';
import { gatehouseVersion } from '../../version.js';
import type { PreparedRule } from '../rule/prepared-rule.js';
import type { ProxyRules } from '../rule/proxy-rules.js';

/** A rule as `/rules` shows it: Oathkeeper's JSON, reporting the running server's version. */
function ruleJson(prepared: PreparedRule) {
  const { rule } = prepared;
  const handler = (reference: { handler: string; config?: unknown }) => ({
    handler: reference.handler,
    config: reference.config ?? null,
  });
  return {
    id: rule.id,
    version: gatehouseVersion(),
    description: rule.description ?? '',
    match: { methods: rule.match.methods, url: rule.match.url },
    authenticators: rule.authenticators.map(handler),
    authorizer: handler(rule.authorizer),
    mutators: rule.mutators.map(handler),
    errors: rule.errors.map(handler),
    upstream: {
      preserve_host: rule.upstream.preserve_host,
      strip_path: rule.upstream.strip_path,
      url: rule.upstream.url,
    },
  };
}

/** `GET /rules?limit=&offset=` (valid rules only, 50 by default, 500 at most) and `GET /rules/{id}`. */
export function registerRulesRoutes(app: FastifyInstance, rules: ProxyRules): void {
  app.get<{ Querystring: { limit?: string; offset?: string } }>('/rules', async (request) => {
    const limit = Math.min(Math.max(Number.parseInt(request.query.limit ?? '50', 10) || 50, 1), 500);
    const offset = Math.max(Number.parseInt(request.query.offset ?? '0', 10) || 0, 0);
    return rules
      .current()
      .valid.slice(offset, offset + limit)
      .map(ruleJson);
  });
  app.get<{ Params: { id: string } }>('/rules/:id', async (request) => {
    const rule = rules.current().byId(request.params.id);
    if (!rule) throw new HttpError({ code: 404, message: 'The requested resource could not be found' });
    return ruleJson(rule);
  });
}
