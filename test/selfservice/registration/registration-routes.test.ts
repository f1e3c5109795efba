import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Configuration, FrontendApi, type RegistrationFlow } from '@ory/kratos-client';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityServer } from '../../identity/support/identity-server.js';
import { browserClient } from '../../support/browser-client.js';
import { storageBackends } from '../../support/postgres.js';

const PASSWORD = 'correct-horse-battery-9';

/** What the tests read of answers the SDK does not type (errors, flows sent with a 4xx). */
interface WireNode {
  group: string;
  attributes: { name?: string; type?: string; value?: unknown };
  messages: { id: number; type: string; context?: Record<string, unknown> }[];
}
interface WireBody {
  error: { id?: string; code: number; reason?: string; details?: Record<string, unknown> };
  ui: { nodes: WireNode[]; messages?: { id: number }[] };
  use_flow_id: string;
  [key: string]: unknown;
}
interface AxiosFailure {
  response: { status: number; data: WireBody; headers: Record<string, string> };
}
async function failure(promise: Promise<unknown>): Promise<AxiosFailure['response']> {
  try {
    await promise;
  } catch (error) {
    const response = (error as AxiosFailure).response;
    if (!response) throw error;
    return response;
  }
  throw new Error('expected the call to fail');
}

type AnyFlow = { ui: { nodes: readonly { attributes: unknown }[] } };
const nameOf = (node: { attributes: unknown }) => (node.attributes as { name?: string }).name;
const namesOf = (flow: AnyFlow) => flow.ui.nodes.map(nameOf);
const nodeNamed = (flow: AnyFlow, name: string) =>
  flow.ui.nodes.find((node) => nameOf(node) === name) as WireNode | undefined;
const csrfOf = (flow: AnyFlow) => String(nodeNamed(flow, 'csrf_token')?.attributes.value);
const sessionCookieOf = (headers: Record<string, unknown>) =>
  ((headers['set-cookie'] as string[] | undefined) ?? []).find((line) =>
    line.startsWith('ory_kratos_session='),
  );

let counter = 0;
/** An address no other test uses (identities stay in the database between tests). */
const newEmail = () => `person-${process.pid}-${++counter}@example.com`;

const selfservice = (lines: string[]) =>
  [
    '  default_browser_return_url: http://127.0.0.1/',
    '  allowed_return_urls: [http://127.0.0.1/dashboard]',
    ...lines,
  ].join('\n');

const NO_BREACH_CHECK = [
  '  methods:',
  '    password:',
  '      config:',
  '        haveibeenpwned_enabled: false',
];

describe.each(storageBackends)('the registration flow, on %s', (_name, database) => {
  const drops: (() => Promise<void>)[] = [];
  const stops: (() => Promise<void>)[] = [];
  const start = async (lines: string[], extra: Partial<Parameters<typeof startIdentityServer>[0]> = {}) => {
    const created = await database();
    if (created.drop) drops.push(created.drop);
    const server = await startIdentityServer({ dsn: created.dsn, selfservice: selfservice(lines), ...extra });
    stops.push(() => server.stop());
    return server;
  };
  afterAll(async () => {
    for (const stop of stops) await stop();
    for (const drop of drops) await drop();
  });

  describe('in the default style (profile_first) with the session hook', () => {
    let server: Awaited<ReturnType<typeof startIdentityServer>>;
    let api: FrontendApi;
    beforeAll(async () => {
      server = await start([
        ...NO_BREACH_CHECK,
        '  flows:',
        '    registration:',
        '      ui_url: http://127.0.0.1/auth/registration',
        '      lifespan: 10m',
        '      after:',
        '        password:',
        '          hooks:',
        '            - hook: session',
      ]);
      api = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    });

    const expire = (flowId: string) =>
      server.db.kysely
        .updateTable('selfservice_flows')
        .set({ expires_at: new Date(Date.now() - 5 * 60_000).toISOString() })
        .where('id', '=', flowId)
        .execute();

    describe('for native apps (API flows)', () => {
      it('starts with the traits form: csrf_token, traits.email and method=profile, no password', async () => {
        const { data: flow } = await api.createNativeRegistrationFlow();
        expect(flow).toMatchObject({ type: 'api', state: 'choose_method', organization_id: null });
        expect(Object.keys(flow)).toEqual([
          'id',
          'type',
          'expires_at',
          'issued_at',
          'request_url',
          'ui',
          'organization_id',
          'state',
        ]);
        expect(flow.ui.action).toBe(`${server.publicUrl}/self-service/registration?flow=${flow.id}`);
        expect(namesOf(flow)).toEqual(['csrf_token', 'traits.email', 'method']);
        expect(nodeNamed(flow, 'method')).toMatchObject({
          group: 'profile',
          attributes: { value: 'profile' },
        });
        expect(nodeNamed(flow, 'traits.email')).toMatchObject({
          attributes: { type: 'email', required: true },
          meta: { label: { id: 1070002, text: 'E-Mail' } },
        });
        const { data: fetched } = await api.getRegistrationFlow({ id: flow.id });
        expect(fetched.id).toBe(flow.id);
      });

      it('registers in one shot and signs in: token, session, identity and set_ory_session_token', async () => {
        const email = newEmail();
        const { data: flow } = await api.createNativeRegistrationFlow();
        const { data: done } = await api.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: { method: 'password', traits: { email }, password: PASSWORD },
        });
        expect(Object.keys(done)).toEqual(['session_token', 'session', 'identity', 'continue_with']);
        expect(done.session_token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
        expect(done.continue_with).toEqual([
          { action: 'set_ory_session_token', ory_session_token: done.session_token },
        ]);
        expect(done.identity).toMatchObject({ traits: { email }, state: 'active', schema_id: 'default' });
        expect(done.identity).not.toHaveProperty('credentials');
        expect(done.session?.authentication_methods?.[0]).toMatchObject({ method: 'password', aal: 'aal1' });
        const { data: whoami } = await api.toSession({ xSessionToken: done.session_token });
        expect(whoami.identity?.id).toBe(done.identity.id);
      });

      it('goes through both steps: traits (400 with the credentials form), back, and the password', async () => {
        const email = newEmail();
        const { data: flow } = await api.createNativeRegistrationFlow();
        const toCredentials = await failure(
          api.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: { method: 'profile', traits: { email } },
          }),
        );
        expect(toCredentials.status).toBe(400);
        const second = toCredentials.data as unknown as RegistrationFlow;
        expect(namesOf(second)).toEqual(['csrf_token', 'traits.email', 'password', 'method', 'screen']);
        expect(nodeNamed(second, 'traits.email')?.attributes).toMatchObject({ type: 'hidden', value: email });
        expect(nodeNamed(second, 'method')?.attributes.value).toBe('password');
        expect(second.ui.messages?.map((message) => message.id)).toEqual([1040009]);

        const back = await failure(
          api.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: { method: 'profile', screen: 'previous', traits: { email } },
          }),
        );
        expect(back.status).toBe(400);
        const first = back.data as unknown as RegistrationFlow;
        expect(namesOf(first)).toEqual(['csrf_token', 'traits.email', 'method']);
        expect(nodeNamed(first, 'traits.email')?.attributes).toMatchObject({ type: 'email', value: email });

        await failure(
          api.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: { method: 'profile', traits: { email } },
          }),
        );
        const { data: done } = await api.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: { method: 'password', traits: { email }, password: PASSWORD },
        });
        expect(done.identity.traits).toEqual({ email });
        expect(done.session_token).toBeDefined();
      });

      it('puts the password policy’s refusals on the password node: too short 4000032, too similar 4000031', async () => {
        const email = newEmail();
        const { data: flow } = await api.createNativeRegistrationFlow();
        const attempt = (password: string) =>
          failure(
            api.updateRegistrationFlow({
              flow: flow.id,
              updateRegistrationFlowBody: { method: 'password', traits: { email }, password },
            }),
          );
        const short = await attempt('short');
        expect(short.status).toBe(400);
        expect(nodeNamed(short.data, 'password')?.messages).toEqual([
          {
            id: 4000032,
            text: 'The password must be at least 8 characters long, but got 5.',
            type: 'error',
            context: { actual_length: 5, min_length: 8 },
          },
        ]);
        expect(nodeNamed(short.data, 'traits.email')?.attributes.value).toBe(email);
        const similar = await attempt(email.toUpperCase());
        expect(nodeNamed(similar.data, 'password')?.messages.map((message) => message.id)).toEqual([4000031]);
        expect(nodeNamed(similar.data, 'password')?.attributes.value).toBeUndefined();
      });

      it('refuses a taken e-mail address, whatever its case, with 4000007 on the form', async () => {
        const email = newEmail();
        const register = async (address: string) => {
          const { data: flow } = await api.createNativeRegistrationFlow();
          return api.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: {
              method: 'password',
              traits: { email: address },
              password: PASSWORD,
            },
          });
        };
        await register(email);
        const taken = await failure(register(email.toUpperCase()));
        expect(taken.status).toBe(400);
        expect(taken.data.ui.messages?.map((message) => message.id)).toEqual([4000007]);
        expect(nodeNamed(taken.data, 'traits.email')?.attributes.value).toBe(email.toUpperCase());
      });

      it('puts a schema violation on the trait’s node, and a missing password on the password node', async () => {
        const { data: flow } = await api.createNativeRegistrationFlow();
        const invalid = await failure(
          api.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: {
              method: 'password',
              traits: { email: 'no-address' },
              password: PASSWORD,
            },
          }),
        );
        expect(invalid.status).toBe(400);
        expect(nodeNamed(invalid.data, 'traits.email')?.messages).toEqual([
          {
            id: 4000040,
            text: 'Enter a valid email address',
            type: 'error',
            context: { value: 'no-address' },
          },
        ]);
        expect(invalid.data.ui.messages).toBeUndefined();
        const missing = await failure(
          api.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: { method: 'password', traits: { email: newEmail() } } as never,
          }),
        );
        expect(nodeNamed(missing.data, 'password')?.messages.map((message) => message.id)).toEqual([4000002]);
        // The earlier submit's message is gone: each answer shows only its own.
        expect(nodeNamed(missing.data, 'traits.email')?.messages).toEqual([]);
      });

      it('answers a method it does not know with 4010003, and a browser-like submit with 4000001', async () => {
        const { data: flow } = await api.createNativeRegistrationFlow();
        const unknown = await failure(
          api.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: { method: 'webauthn', traits: { email: newEmail() } } as never,
          }),
        );
        expect(unknown.status).toBe(400);
        expect(unknown.data.ui.messages?.map((message) => message.id)).toEqual([4010003]);
        const browserLike = await failure(
          api.updateRegistrationFlow(
            {
              flow: flow.id,
              updateRegistrationFlowBody: {
                method: 'password',
                traits: { email: newEmail() },
                password: PASSWORD,
              },
            },
            { headers: { origin: 'https://app.example' } },
          ),
        );
        expect(browserLike.status).toBe(400);
        expect(browserLike.data.ui.messages?.map((message) => message.id)).toEqual([4000001]);
      });

      it('answers an expired flow with 410 and use_flow_id; the replacement says why (4040001)', async () => {
        const { data: flow } = await api.createNativeRegistrationFlow();
        await expire(flow.id);
        const expired = await failure(
          api.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: {
              method: 'password',
              traits: { email: newEmail() },
              password: PASSWORD,
            },
          }),
        );
        expect(expired.status).toBe(410);
        expect(expired.data.error.id).toBe('self_service_flow_expired');
        expect(expired.data.use_flow_id).not.toBe(flow.id);
        const { data: replacement } = await api.getRegistrationFlow({ id: expired.data.use_flow_id });
        expect(replacement.ui.messages?.map((message) => message.id)).toEqual([4040001]);
        expect(namesOf(replacement)).toEqual(['csrf_token', 'traits.email', 'method']);
        const fetched = await failure(api.getRegistrationFlow({ id: flow.id }));
        expect(fetched.status).toBe(410);
        expect(fetched.data.error.details).toEqual({
          api: `${server.publicUrl}/self-service/registration/api`,
        });
      });

      it('refuses to start or submit a registration for someone signed in (400 session_already_available)', async () => {
        const { data: flow } = await api.createNativeRegistrationFlow();
        const { data: done } = await api.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: { email: newEmail() },
            password: PASSWORD,
          },
        });
        const headers = { 'x-session-token': String(done.session_token) };
        const init = await failure(api.createNativeRegistrationFlow({}, { headers }));
        expect(init.status).toBe(400);
        expect(init.data.error.id).toBe('session_already_available');
        const { data: other } = await api.createNativeRegistrationFlow();
        const submit = await failure(
          api.updateRegistrationFlow(
            {
              flow: other.id,
              updateRegistrationFlowBody: {
                method: 'password',
                traits: { email: newEmail() },
                password: PASSWORD,
              },
            },
            { headers },
          ),
        );
        expect(submit.status).toBe(400);
        expect(submit.data.error.id).toBe('session_already_available');
      });
    });

    describe('for browsers', () => {
      it('registers by JSON with the CSRF token: a session cookie, no token, and where to go next', async () => {
        const browser = browserClient(server.publicUrl);
        const email = newEmail();
        const { data: flow } = await browser.frontend.createBrowserRegistrationFlow({
          returnTo: 'http://127.0.0.1/dashboard',
        });
        expect(flow).toMatchObject({ type: 'browser', return_to: 'http://127.0.0.1/dashboard' });
        expect(Buffer.from(csrfOf(flow), 'base64')).toHaveLength(64);
        const { data: done, headers } = await browser.frontend.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: { email },
            password: PASSWORD,
            csrf_token: csrfOf(flow),
          },
        });
        expect(Object.keys(done)).toEqual(['session', 'identity', 'continue_with']);
        expect(done.continue_with).toEqual([
          { action: 'redirect_browser_to', redirect_browser_to: 'http://127.0.0.1/dashboard' },
        ]);
        expect(sessionCookieOf(headers)).toMatch(/HttpOnly/i);
        const { data: whoami } = await browser.frontend.toSession();
        expect(whoami.identity?.traits).toEqual({ email });
      });

      it('refuses a submit without the CSRF token, or with another browser’s, with 403', async () => {
        const first = browserClient(server.publicUrl);
        const second = browserClient(server.publicUrl);
        const { data: flow } = await first.frontend.createBrowserRegistrationFlow();
        const { data: theirs } = await second.frontend.createBrowserRegistrationFlow();
        const body = { method: 'password' as const, traits: { email: newEmail() }, password: PASSWORD };
        const without = await failure(
          first.frontend.updateRegistrationFlow({ flow: flow.id, updateRegistrationFlowBody: body }),
        );
        expect(without.status).toBe(403);
        expect(without.data.error.id).toBe('security_csrf_violation');
        const foreign = await failure(
          first.frontend.updateRegistrationFlow({
            flow: flow.id,
            updateRegistrationFlowBody: { ...body, csrf_token: csrfOf(theirs) },
          }),
        );
        expect(foreign.status).toBe(403);
        expect(foreign.data.error.id).toBe('security_csrf_violation');
        // Nobody was registered by either attempt.
        const { data: registered } = await first.frontend.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: { ...body, csrf_token: csrfOf(flow) },
        });
        expect(registered.identity.traits).toEqual(body.traits);
      });

      it('sends a page to the registration UI, and refuses a foreign return_to', async () => {
        const browser = browserClient(server.publicUrl);
        const page = await browser.http.get(`${server.publicUrl}/self-service/registration/browser`, {
          headers: { accept: 'text/html' },
        });
        expect(page.status).toBe(303);
        expect(page.headers.location).toMatch(
          /^http:\/\/127\.0\.0\.1\/auth\/registration\?flow=[0-9a-f-]{36}$/,
        );
        const foreign = await failure(
          browser.frontend.createBrowserRegistrationFlow({ returnTo: 'https://evil.example/' }),
        );
        expect(foreign.status).toBe(400);
        expect(foreign.data.error.id).toBe('self_service_flow_return_to_forbidden');
      });

      it('walks a form-posting page through both steps: 303 on, 302 back on a refusal, 303 at the end', async () => {
        const browser = browserClient(server.publicUrl);
        const email = newEmail();
        const { data: flow } = await browser.frontend.createBrowserRegistrationFlow({
          returnTo: 'http://127.0.0.1/dashboard',
        });
        const post = (fields: Record<string, string>) =>
          browser.http.post(
            `${server.publicUrl}/self-service/registration?flow=${flow.id}`,
            new URLSearchParams(fields).toString(),
            { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } },
          );
        const ui = `http://127.0.0.1/auth/registration?flow=${flow.id}`;

        const step = await post({ method: 'profile', 'traits.email': email, csrf_token: csrfOf(flow) });
        expect(step.status).toBe(303);
        expect(step.headers.location).toBe(ui);
        const { data: second } = await browser.frontend.getRegistrationFlow({ id: flow.id });
        expect(namesOf(second)).toEqual(['csrf_token', 'traits.email', 'password', 'method', 'screen']);

        // An empty form field counts as not sent: the password is missing.
        const refused = await post({
          method: 'password',
          'traits.email': email,
          password: '',
          csrf_token: csrfOf(second),
        });
        expect(refused.status).toBe(302);
        expect(refused.headers.location).toBe(ui);
        const { data: shown } = await browser.frontend.getRegistrationFlow({ id: flow.id });
        expect(nodeNamed(shown, 'password')?.messages.map((message) => message.id)).toEqual([4000002]);

        const done = await post({
          method: 'password',
          'traits.email': email,
          password: PASSWORD,
          csrf_token: csrfOf(shown),
        });
        expect(done.status).toBe(303);
        expect(done.headers.location).toBe('http://127.0.0.1/dashboard');
        expect(sessionCookieOf(done.headers)).toBeDefined();
        const { data: whoami } = await browser.frontend.toSession();
        expect(whoami.identity?.traits).toEqual({ email });
      });

      it('sends a page that submits an expired flow to a new one, and tells a fetch where to start again', async () => {
        const browser = browserClient(server.publicUrl);
        const { data: flow } = await browser.frontend.createBrowserRegistrationFlow();
        await expire(flow.id);
        const answer = await browser.http.post(
          `${server.publicUrl}/self-service/registration?flow=${flow.id}`,
          new URLSearchParams({
            method: 'profile',
            'traits.email': newEmail(),
            csrf_token: csrfOf(flow),
          }).toString(),
          { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } },
        );
        expect(answer.status).toBe(303);
        const next = new URL(String(answer.headers.location)).searchParams.get('flow');
        expect(next).toMatch(/^[0-9a-f-]{36}$/);
        expect(next).not.toBe(flow.id);
        const { data: replacement } = await browser.frontend.getRegistrationFlow({ id: String(next) });
        expect(replacement.ui.messages?.map((message) => message.id)).toEqual([4040001]);
        const fetched = await failure(browser.frontend.getRegistrationFlow({ id: flow.id }));
        expect(fetched.status).toBe(410);
        expect(fetched.data.error.details?.redirect_to).toBe(
          `${server.publicUrl}/self-service/registration/browser`,
        );
      });

      it('sends someone signed in away: JSON gets 400 session_already_available, a page the default URL', async () => {
        const browser = browserClient(server.publicUrl);
        const { data: flow } = await browser.frontend.createBrowserRegistrationFlow();
        await browser.frontend.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: { email: newEmail() },
            password: PASSWORD,
            csrf_token: csrfOf(flow),
          },
        });
        const json = await failure(browser.frontend.createBrowserRegistrationFlow());
        expect(json.status).toBe(400);
        expect(json.data.error.id).toBe('session_already_available');
        const page = await browser.http.get(`${server.publicUrl}/self-service/registration/browser`, {
          headers: { accept: 'text/html' },
        });
        expect(page.status).toBe(303);
        expect(page.headers.location).toBe('http://127.0.0.1/');
      });
    });
  });

  describe('in the unified style, without the session hook', () => {
    let server: Awaited<ReturnType<typeof startIdentityServer>>;
    let api: FrontendApi;
    beforeAll(async () => {
      server = await start([
        ...NO_BREACH_CHECK,
        '  flows:',
        '    registration:',
        '      ui_url: http://127.0.0.1/auth/registration',
        '      style: unified',
      ]);
      api = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    });

    it('shows traits and password in one form, and has no profile step', async () => {
      const { data: flow } = await api.createNativeRegistrationFlow();
      expect(namesOf(flow)).toEqual(['csrf_token', 'traits.email', 'password', 'method']);
      expect(nodeNamed(flow, 'password')?.attributes).toMatchObject({ autocomplete: 'new-password' });
      expect(nodeNamed(flow, 'method')).toMatchObject({
        group: 'password',
        attributes: { value: 'password' },
      });
      const profile = await failure(
        api.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: { method: 'profile', traits: { email: newEmail() } },
        }),
      );
      expect(profile.status).toBe(400);
      expect(profile.data.ui.messages?.map((message) => message.id)).toEqual([4010003]);
    });

    it('answers an app with the identity only, and gives it no session', async () => {
      const email = newEmail();
      const { data: flow } = await api.createNativeRegistrationFlow();
      const { data: done } = await api.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: { method: 'password', traits: { email }, password: PASSWORD },
      });
      expect(Object.keys(done)).toEqual(['identity', 'continue_with']);
      expect(done.continue_with).toBeNull();
      expect(done.identity.traits).toEqual({ email });
    });

    it('answers a browser with the identity and where to go, without a session cookie', async () => {
      const browser = browserClient(server.publicUrl);
      const { data: flow } = await browser.frontend.createBrowserRegistrationFlow();
      const { data: done, headers } = await browser.frontend.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: 'password',
          traits: { email: newEmail() },
          password: PASSWORD,
          csrf_token: csrfOf(flow),
        },
      });
      expect(Object.keys(done)).toEqual(['identity', 'continue_with']);
      expect(done.continue_with).toEqual([
        { action: 'redirect_browser_to', redirect_browser_to: 'http://127.0.0.1/' },
      ]);
      expect(sessionCookieOf(headers)).toBeUndefined();
      expect((await failure(browser.frontend.toSession())).status).toBe(401);
    });
  });

  describe('with the breach check against a local range server', () => {
    const BREACHED = 'breached-horse-battery-9';
    const hash = createHash('sha1').update(BREACHED).digest('hex').toUpperCase();
    const requested: string[] = [];
    let range: Server;
    let agent: Agent;
    let api: FrontendApi;
    beforeAll(async () => {
      const tls = new URL('../../fixtures/tls/', import.meta.url);
      const cert = readFileSync(new URL('localhost.crt', tls));
      range = createServer(
        { cert, key: readFileSync(new URL('localhost.key', tls)) },
        (request, response) => {
          requested.push(String(request.url));
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end(request.url === `/range/${hash.slice(0, 5)}` ? `${hash.slice(5)}:12\r\n` : '');
        },
      );
      await new Promise<void>((resolve) => range.listen(0, '127.0.0.1', resolve));
      agent = new Agent({ connect: { ca: cert } });
      const host = `127.0.0.1:${(range.address() as AddressInfo).port}`;
      const server = await start(
        [
          '  methods:',
          '    password:',
          '      config:',
          '        haveibeenpwned_enabled: true',
          `        haveibeenpwned_host: "${host}"`,
          '        ignore_network_errors: false',
        ],
        { pwnedPasswordsDispatcher: agent },
      );
      api = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    });
    afterAll(async () => {
      await agent?.close();
      range?.closeAllConnections();
      await new Promise((resolve) => range?.close(resolve));
    });

    it('refuses a password seen in breaches with 4000034 and the count, asking with the prefix only', async () => {
      const { data: flow } = await api.createNativeRegistrationFlow();
      const breached = await failure(
        api.updateRegistrationFlow({
          flow: flow.id,
          updateRegistrationFlowBody: {
            method: 'password',
            traits: { email: newEmail() },
            password: BREACHED,
          },
        }),
      );
      expect(breached.status).toBe(400);
      expect(nodeNamed(breached.data, 'password')?.messages).toEqual([
        {
          id: 4000034,
          text: 'The password has been found in data breaches and must no longer be used.',
          type: 'error',
          context: { breaches: 12 },
        },
      ]);
      expect(requested).toContain(`/range/${hash.slice(0, 5)}`);
      expect(requested.join()).not.toContain(hash.slice(5));
      const { data: done } = await api.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: { method: 'password', traits: { email: newEmail() }, password: PASSWORD },
      });
      expect(done.identity.id).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
