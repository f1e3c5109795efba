import { Configuration, FrontendApi } from '@ory/kratos-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityServer } from '../../identity/support/identity-server.js';
import { browserClient } from '../../support/browser-client.js';
import { storageBackends } from '../../support/postgres.js';

const PASSWORD = 'correct-horse-battery-9';

/** What a refused call answers: the flow with its messages, or Ory's error JSON. */
interface FailureBody {
  ui: { messages: { id: number }[]; nodes: { attributes: { name: string; value?: unknown } }[] };
  error: { id: string; code: number; details: { reject_reason: string } };
}
interface AxiosFailure {
  response: { status: number; data: FailureBody; headers: Record<string, unknown> };
}

/** The attributes of the flow's input called `name`; fails the test when there is none. */
function input(
  flow: { ui: { nodes: { attributes: unknown }[] } },
  name: string,
): { value?: unknown; type?: string } {
  const node = flow.ui.nodes.find((candidate) => (candidate.attributes as { name?: string }).name === name);
  if (!node) throw new Error(`the flow has no input called ${name}`);
  return node.attributes as { value?: unknown; type?: string };
}
async function failure(promise: Promise<unknown>): Promise<AxiosFailure['response']> {
  try {
    await promise;
  } catch (error) {
    return (error as AxiosFailure).response;
  }
  throw new Error('expected the call to fail');
}

describe.each(storageBackends)('the login flow, on %s', (_name, database) => {
  let server: Awaited<ReturnType<typeof startIdentityServer>>;
  let drop: (() => Promise<void>) | undefined;
  let api: FrontendApi;
  beforeAll(async () => {
    const created = await database();
    drop = created.drop;
    server = await startIdentityServer({
      dsn: created.dsn,
      selfservice:
        '  default_browser_return_url: http://127.0.0.1/\n  allowed_return_urls: [http://127.0.0.1/dashboard]\n  flows:\n    error:\n      ui_url: http://127.0.0.1/error\n    login:\n      ui_url: http://127.0.0.1/auth/login\n      lifespan: 10m\n',
    });
    api = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    await server.services.identityManager.create({
      schemaId: 'default',
      traits: { email: 'alice@example.com' },
      state: 'active',
      metadataPublic: null,
      metadataAdmin: null,
      organizationId: null,
      password: { password: PASSWORD },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  describe('for native apps (API flows)', () => {
    it('starts with the password form Kratos shows, and signs in with a session token', async () => {
      const { data: flow } = await api.createNativeLoginFlow();
      expect(flow).toMatchObject({
        type: 'api',
        state: 'choose_method',
        refresh: false,
        requested_aal: 'aal1',
      });
      expect(Object.keys(flow).slice(0, 3)).toEqual(['id', 'organization_id', 'type']);
      expect(flow.organization_id).toBeNull();
      expect(flow.ui.action).toBe(`${server.publicUrl}/self-service/login?flow=${flow.id}`);
      expect(flow.ui.nodes.map((node) => (node.attributes as { name: string }).name)).toEqual([
        'identifier',
        'csrf_token',
        'password',
        'method',
      ]);
      const fetched = await api.getLoginFlow({ id: flow.id });
      expect(fetched.data.id).toBe(flow.id);

      const { data: signedIn } = await api.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: 'password', identifier: ' ALICE@example.com', password: PASSWORD },
      });
      expect(signedIn.session_token).toMatch(/^ory_st_[A-Za-z0-9]{32}$/);
      expect(signedIn.session).toMatchObject({ active: true, authenticator_assurance_level: 'aal1' });
      expect(signedIn.session.authentication_methods?.[0]?.method).toBe('password');
      const whoami = await api.toSession({ xSessionToken: signedIn.session_token });
      expect(whoami.data.identity?.traits).toEqual({ email: 'alice@example.com' });
    });

    it('answers a wrong password and an unknown identifier with the same 400 and message 4000006', async () => {
      const answers = [];
      for (const identifier of ['alice@example.com', 'nobody@example.com']) {
        const { data: flow } = await api.createNativeLoginFlow();
        const answer = await failure(
          api.updateLoginFlow({
            flow: flow.id,
            updateLoginFlowBody: { method: 'password', identifier, password: 'wrong-horse-battery-9' },
          }),
        );
        expect(answer.status).toBe(400);
        answers.push(answer.data.ui.messages);
        expect(input(answer.data, 'password').value).toBeUndefined();
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0]?.[0]).toMatchObject({ id: 4000006, type: 'error' });
    });

    it('with refresh=true authenticates the same session again, for the signed-in person only', async () => {
      const { data: first } = await api.createNativeLoginFlow();
      const { data: signedIn } = await api.updateLoginFlow({
        flow: first.id,
        updateLoginFlowBody: { method: 'password', identifier: 'alice@example.com', password: PASSWORD },
      });
      const token = signedIn.session_token!;
      const refused = await failure(api.createNativeLoginFlow({ xSessionToken: token }));
      expect(refused.data.error.id).toBe('session_already_available');

      const { data: refresh } = await api.createNativeLoginFlow({ refresh: true, xSessionToken: token });
      expect(refresh.refresh).toBe(true);
      const identifier = input(refresh, 'identifier');
      expect(identifier).toMatchObject({ type: 'hidden', value: 'alice@example.com' });
      const { data: again } = await api.updateLoginFlow({
        flow: refresh.id,
        xSessionToken: token,
        updateLoginFlowBody: { method: 'password', identifier: 'alice@example.com', password: PASSWORD },
      });
      expect(again.session.id).toBe(signedIn.session.id);
      expect(again.session_token).toBe(token);
      expect(again.session.authentication_methods).toHaveLength(2);
      expect(new Date(again.session.authenticated_at!).getTime()).toBeGreaterThanOrEqual(
        new Date(signedIn.session.authenticated_at!).getTime(),
      );
    });

    it('refuses a submit that looks like a browser, with message 4000001', async () => {
      const { data: flow } = await api.createNativeLoginFlow();
      for (const headers of [{ cookie: 'a=b' }, { origin: 'https://x.example' }]) {
        const answer = await failure(
          api.updateLoginFlow(
            {
              flow: flow.id,
              updateLoginFlowBody: {
                method: 'password',
                identifier: 'alice@example.com',
                password: PASSWORD,
              },
            },
            { headers },
          ),
        );
        expect(answer.status).toBe(400);
        expect(answer.data.ui.messages[0]?.id).toBe(4000001);
      }
    });

    it('answers a submit of an expired flow with 410 and a new flow carrying message 4010001', async () => {
      const { data: flow } = await api.createNativeLoginFlow();
      await server.db.kysely
        .updateTable('selfservice_flows')
        .set({ expires_at: new Date(Date.now() - 90_000).toISOString() })
        .where('id', '=', flow.id)
        .execute();
      const fetched = await failure(api.getLoginFlow({ id: flow.id }));
      expect(fetched.status).toBe(410);
      const expired = await failure(
        api.updateLoginFlow({
          flow: flow.id,
          updateLoginFlowBody: { method: 'password', identifier: 'alice@example.com', password: PASSWORD },
        }),
      );
      expect(expired.status).toBe(410);
      const body = expired.data as unknown as { error: { id: string }; use_flow_id: string; since: number };
      expect(body.error.id).toBe('self_service_flow_expired');
      expect(Number.isInteger(body.since)).toBe(true);
      expect(body.since).toBeGreaterThanOrEqual(90e9);
      const { data: replacement } = await api.getLoginFlow({ id: body.use_flow_id });
      expect(replacement.ui.messages?.[0]?.id).toBe(4010001);
      const { data: signedIn } = await api.updateLoginFlow({
        flow: replacement.id,
        updateLoginFlowBody: { method: 'password', identifier: 'alice@example.com', password: PASSWORD },
      });
      expect(signedIn.session.active).toBe(true);
    });

    it('takes aal1 or aal2 only, and aal2 only from someone signed in already', async () => {
      const unknown = await failure(api.createNativeLoginFlow({ aal: 'aal9' }));
      expect(unknown.status).toBe(400);
      expect((unknown.data.error as unknown as { reason: string }).reason).toBe(
        'Unable to parse AuthenticationMethod Assurance Level (AAL): expected one of [aal1, aal2] but got aal9',
      );
      const second = await failure(api.createNativeLoginFlow({ aal: 'aal2' }));
      expect(second.status).toBe(401);
      expect(second.data.error.id).toBe('session_aal1_required');
      expect((await api.createNativeLoginFlow({ aal: 'aal1' })).data.requested_aal).toBe('aal1');
    });

    it('answers unknown flows with 404, a missing flow parameter with 400, another method with 4010002', async () => {
      expect(
        (await fetch(`${server.publicUrl}/self-service/login/flows?id=${crypto.randomUUID()}`)).status,
      ).toBe(404);
      const missing = await fetch(`${server.publicUrl}/self-service/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(missing.status).toBe(400);
      const { data: flow } = await api.createNativeLoginFlow();
      const answer = await failure(
        api.updateLoginFlow({
          flow: flow.id,
          updateLoginFlowBody: { method: 'code', identifier: 'x' } as never,
        }),
      );
      expect(answer.status).toBe(400);
      expect(answer.data.ui.messages[0]?.id).toBe(4010002);
    });
  });

  describe('for browsers', () => {
    it('signs in by JSON with the CSRF token: a session cookie, no token, and where to go next', async () => {
      const browser = browserClient(server.publicUrl);
      const { data: flow } = await browser.frontend.createBrowserLoginFlow({
        returnTo: 'http://127.0.0.1/dashboard',
      });
      expect(flow.type).toBe('browser');
      expect(flow.return_to).toBe('http://127.0.0.1/dashboard');
      const csrf = input(flow, 'csrf_token');
      const masked = String(csrf.value);
      expect(Buffer.from(masked, 'base64')).toHaveLength(64);
      // Re-masked on every render: the page never shows the same bytes twice.
      const again = await browser.frontend.getLoginFlow({ id: flow.id });
      const remasked = input(again.data, 'csrf_token');
      expect(remasked.value).not.toBe(masked);

      const { data: signedIn, headers } = await browser.frontend.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: {
          method: 'password',
          identifier: 'alice@example.com',
          password: PASSWORD,
          csrf_token: masked,
        },
      });
      expect(signedIn.session_token).toBeUndefined();
      expect(signedIn.continue_with).toEqual([
        { action: 'redirect_browser_to', redirect_browser_to: 'http://127.0.0.1/dashboard' },
      ]);
      const cookie = (headers['set-cookie'] as string[]).find((line) =>
        line.startsWith('ory_kratos_session='),
      );
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      const whoami = await browser.frontend.toSession();
      expect(whoami.data.identity?.traits).toEqual({ email: 'alice@example.com' });
    });

    it('signs out through the logout URL, after which whoami answers 401, and signs in again', async () => {
      const browser = browserClient(server.publicUrl);
      const signIn = async () => {
        const { data: flow } = await browser.frontend.createBrowserLoginFlow();
        const csrf = input(flow, 'csrf_token');
        await browser.frontend.updateLoginFlow({
          flow: flow.id,
          updateLoginFlowBody: {
            method: 'password',
            identifier: 'alice@example.com',
            password: PASSWORD,
            csrf_token: String(csrf.value),
          },
        });
      };
      await signIn();
      expect((await browser.frontend.toSession()).status).toBe(200);
      const { data: logout } = await browser.frontend.createBrowserLogoutFlow();
      expect(logout.logout_token).toMatch(/^ory_lo_[A-Za-z0-9]{32}$/);
      await browser.frontend.updateLogoutFlow({ token: logout.logout_token });
      expect((await failure(browser.frontend.toSession())).status).toBe(401);
      await signIn();
      expect((await browser.frontend.toSession()).data.identity?.traits).toEqual({
        email: 'alice@example.com',
      });
    });

    it('refuses a submit without the CSRF token, or with another browser’s, with 403 security_csrf_violation', async () => {
      const first = browserClient(server.publicUrl);
      const second = browserClient(server.publicUrl);
      const { data: flow } = await first.frontend.createBrowserLoginFlow();
      await second.frontend.createBrowserLoginFlow();
      const body = { method: 'password', identifier: 'alice@example.com', password: PASSWORD } as const;
      const without = await failure(
        first.frontend.updateLoginFlow({ flow: flow.id, updateLoginFlowBody: body }),
      );
      expect(without.status).toBe(403);
      expect(without.data.error.id).toBe('security_csrf_violation');
      const { data: secondFlow } = await second.frontend.createBrowserLoginFlow();
      const theirs = input(secondFlow, 'csrf_token');
      const foreign = await failure(
        first.frontend.updateLoginFlow({
          flow: flow.id,
          updateLoginFlowBody: {
            ...body,
            csrf_token: String(theirs.value),
          },
        }),
      );
      expect(foreign.status).toBe(403);
      expect(foreign.data.error.details.reject_reason).toContain('do not match');
    });

    it('sends a page whose form lacks the CSRF token to the error page, which shows the violation', async () => {
      const browser = browserClient(server.publicUrl);
      const { data: flow } = await browser.frontend.createBrowserLoginFlow();
      const form = new URLSearchParams({
        method: 'password',
        identifier: 'alice@example.com',
        password: PASSWORD,
      });
      const answer = await browser.http.post(
        `${server.publicUrl}/self-service/login?flow=${flow.id}`,
        form.toString(),
        {
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        },
      );
      expect(answer.status).toBe(303);
      const location = new URL(answer.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1/error');
      const { data: shown } = await browser.frontend.getFlowError({ id: location.searchParams.get('id')! });
      expect(shown.error).toMatchObject({ id: 'security_csrf_violation', code: 403 });
    });

    it('sends a page to the login UI, and refuses a foreign return_to', async () => {
      const browser = browserClient(server.publicUrl);
      const page = await browser.http.get(`${server.publicUrl}/self-service/login/browser`, {
        headers: { accept: 'text/html' },
      });
      expect(page.status).toBe(303);
      expect(page.headers.location).toMatch(/^http:\/\/127\.0\.0\.1\/auth\/login\?flow=[0-9a-f-]{36}$/);
      const foreign = await failure(
        browser.frontend.createBrowserLoginFlow({ returnTo: 'https://evil.example/' }),
      );
      expect(foreign.status).toBe(400);
      expect(foreign.data.error.id).toBe('self_service_flow_return_to_forbidden');
    });

    it('answers a form post with a wrong password by sending the browser back to the flow', async () => {
      const browser = browserClient(server.publicUrl);
      const { data: flow } = await browser.frontend.createBrowserLoginFlow();
      const csrf = input(flow, 'csrf_token');
      const form = new URLSearchParams({
        method: 'password',
        identifier: 'alice@example.com',
        password: 'wrong-horse-battery-9',
        csrf_token: String(csrf.value),
      });
      const answer = await browser.http.post(
        `${server.publicUrl}/self-service/login?flow=${flow.id}`,
        form.toString(),
        {
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        },
      );
      expect(answer.status).toBe(303);
      expect(answer.headers.location).toBe(`http://127.0.0.1/auth/login?flow=${flow.id}`);
      const shown = await browser.frontend.getLoginFlow({ id: flow.id });
      expect(shown.data.ui.messages?.[0]?.id).toBe(4000006);
      const identifier = input(shown.data, 'identifier');
      expect(identifier.value).toBe('alice@example.com');
    });
  });
});
