import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawResponse, rawRequest } from '../../support/http-request.js';
import { portalProxy } from '../support/portal-proxy.js';

let api: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const { registry, servers } = await portalProxy();
  await servers.api.listen({ host: '127.0.0.1', port: 0 });
  api = `http://127.0.0.1:${(servers.api.server.address() as AddressInfo).port}`;
  stop = async () => {
    await servers.api.close();
    registry.stop();
  };
});
afterAll(() => stop());

interface Decision {
  name: string;
  method?: string;
  path: string;
  host?: string;
  headers?: Record<string, string>;
  status: number;
  /** The rule that decided (by what its mutators set), or the error message. */
  expect?: (response: RawResponse, body: string) => void;
}

const table: Decision[] = [
  {
    name: 'kratos public API passes through noop, and noop echoes the request headers but Host',
    path: '/.ory/kratos/public/self-service/login/browser',
    headers: { 'X-Portal-Test': 'yes' },
    status: 200,
    expect: (response) => {
      expect(response.headers['x-portal-test']).toBe('yes');
      // Go keeps Host outside the request's header map, so noop never copies it.
      expect(response.headers.host).toBeUndefined();
    },
  },
  {
    name: 'kratos public API with POST',
    method: 'POST',
    path: '/.ory/kratos/public/self-service/login',
    status: 200,
  },
  { name: 'dashboard login page is anonymous', path: '/auth/login', status: 200 },
  { name: 'dashboard nested auth page', path: '/auth/registration/step', status: 200 },
  { name: 'dashboard static asset', path: '/_next/static/chunks/main.js', status: 200 },
  { name: 'favicon.ico, named explicitly', path: '/favicon.ico', status: 200 },
  { name: 'recovery page with a trailing slash (cleaned before matching)', path: '/recovery/', status: 200 },
  {
    name: 'anonymous refuses a request carrying Authorization: no other authenticator, 401',
    path: '/auth/login',
    headers: { Authorization: 'Bearer x' },
    status: 401,
    expect: (_response, body) =>
      expect(JSON.parse(body).error.message).toBe('Access credentials are invalid'),
  },
  {
    name: 'POST to an anonymous GET-only page matches no rule',
    method: 'POST',
    path: '/auth/login',
    status: 404,
  },
  { name: 'an unknown path matches no rule', path: '/nope', status: 404 },
  { name: 'another host matches no rule', path: '/auth/login', host: 'example.com', status: 404 },
  // Without a session cookie cookie_session is not responsible and nothing else is: 401.
  { name: 'dashboard root without a session cookie: 401', path: '/', status: 401 },
  { name: 'settings without a session cookie: 401', path: '/settings', status: 401 },
  {
    name: 'a cookie other than ory_kratos_session does not make cookie_session responsible (only): 401',
    path: '/settings',
    headers: { Cookie: 'theme=dark' },
    status: 401,
  },
  { name: 'API below /api without a session cookie: 401', path: '/api/user/42', status: 401 },
  {
    // The identity server is not there (check_session_url points at a closed port): 503, never
    // the 401 of a signed-out user (a deliberate difference from Oathkeeper's 403).
    name: 'settings with a session cookie while the identity server is unreachable: 503',
    path: '/settings',
    headers: { Cookie: 'ory_kratos_session=abc' },
    status: 503,
  },
  { name: 'accounts health, Host without port', path: '/health', host: 'oathkeeper', status: 200 },
  { name: 'accounts health, Host with port', path: '/health', status: 200 },
  { name: 'accounts stripe webhook by POST', method: 'POST', path: '/stripe/webhook', status: 200 },
  {
    // [cookie_session, noop]: no cookie falls through to noop; id_token signs a token for nobody.
    name: 'accounts user limits fall through cookie_session to noop, then id_token: 200 with a JWT',
    path: '/user/limits',
    status: 200,
    expect: (response) => {
      const bearer = String(response.headers.authorization ?? '');
      expect(bearer).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      const claims = JSON.parse(Buffer.from(bearer.split('.')[1]!, 'base64url').toString());
      expect(claims).toMatchObject({ iss: expect.any(String), sub: '', session: null });
    },
  },
  {
    name: 'accounts protected login without a session cookie: 401',
    path: '/login',
    host: 'oathkeeper',
    status: 401,
  },
  { name: 'accounts uploads entry without a session cookie: 401', path: '/user/uploads/abc', status: 401 },
  { name: 'accounts uploads deeper than one segment match nothing', path: '/user/uploads/a/b', status: 404 },
];

describe("the portal's access rules through /decisions", () => {
  it.each(table)('$name', async (decision) => {
    const response = await rawRequest(`${api}/decisions${decision.path}`, {
      method: decision.method ?? 'GET',
      headers: { Host: decision.host ?? 'oathkeeper:4455', Accept: 'application/json', ...decision.headers },
    });
    expect(response.status, response.body).toBe(decision.status);
    decision.expect?.(response, response.body);
  });

  it('lists the valid rules at /rules, and one by id', async () => {
    const rules = (await (await fetch(`${api}/rules`)).json()) as { id: string }[];
    // Every rule of the portal is valid now that cookie_session and id_token exist.
    expect(rules.map((rule) => rule.id).sort()).toEqual([
      'accounts:anonymous',
      'accounts:protected',
      'accounts:public',
      'dashboard:anonymous',
      'dashboard:protected',
      'ory:kratos:public',
    ]);
    const one = await fetch(`${api}/rules/ory:kratos:public`);
    expect(await one.json()).toMatchObject({
      id: 'ory:kratos:public',
      match: { url: 'http://oathkeeper:4455/.ory/kratos/public/<**>' },
    });
    expect(((await (await fetch(`${api}/rules/accounts:protected`)).json()) as { id: string }).id).toBe(
      'accounts:protected',
    );
    expect((await fetch(`${api}/rules/no-such-rule`)).status).toBe(404);
  });

  it('is ready: at least one valid rule is loaded', async () => {
    expect((await fetch(`${api}/health/ready`)).status).toBe(200);
  });
});

describe('proxy metrics', () => {
  it('count decisions by rule and outcome, with their latency', async () => {
    const { registry, servers } = await portalProxy();
    await servers.api.listen({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => servers.metrics.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(servers.api.server.address() as AddressInfo).port}`;
    const metricsUrl = `http://127.0.0.1:${(servers.metrics.address() as AddressInfo).port}/anything`;
    try {
      await rawRequest(`${base}/decisions/auth/login`, { headers: { Host: 'oathkeeper:4455' } });
      await rawRequest(`${base}/decisions/auth/login`, { headers: { Host: 'oathkeeper:4455' } });
      await rawRequest(`${base}/decisions/nope`, { headers: { Host: 'oathkeeper:4455' } });
      const text = (await rawRequest(metricsUrl)).body;
      expect(text).toContain(
        'ory_oathkeeper_decisions_total{rule="dashboard:anonymous",outcome="allowed"} 2',
      );
      expect(text).toContain('ory_oathkeeper_decisions_total{rule="",outcome="404"} 1');
      expect(text).toMatch(/ory_oathkeeper_decision_duration_seconds_count\{rule="dashboard:anonymous"\} 2/);
    } finally {
      await servers.api.close();
      servers.metrics.close();
      registry.stop();
    }
  });
});
