import { Configuration, FrontendApi } from '@ory/kratos-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../../src/identity/identity.js';
import { startIdentityServer } from '../../identity/support/identity-server.js';
import { browserClient } from '../../support/browser-client.js';
import { storageBackends } from '../../support/postgres.js';

const PASSWORD = 'correct-horse-battery-9';
const NEW_PASSWORD = 'another-staple-meadow-4';
const AN_HOUR_AGO = () => new Date(Date.now() - 60 * 60 * 1000);

/** What the tests read of an answer the SDK does not type (errors, flows sent with a 4xx). */
interface WireNode {
  group: string;
  attributes: { name?: string; value?: unknown };
  messages: { id: number }[];
}
interface WireBody {
  error: { id?: string; reason?: string; details: Record<string, unknown> };
  ui: { nodes: WireNode[]; messages: { id: number }[] };
  state?: string;
  refresh?: boolean;
  redirect_browser_to: string;
  use_flow_id: string;
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

const nameOf = (node: { attributes: unknown }) => (node.attributes as { name?: string }).name;
const nodeNamed = (flow: { ui: { nodes: readonly { attributes: unknown }[] } }, name: string) =>
  flow.ui.nodes.find((node) => nameOf(node) === name) as WireNode | undefined;
const csrfOf = (flow: { ui: { nodes: readonly { attributes: unknown }[] } }) =>
  String(nodeNamed(flow, 'csrf_token')?.attributes.value);

describe.each(storageBackends)('the settings flow, on %s', (_name, database) => {
  let server: Awaited<ReturnType<typeof startIdentityServer>>;
  let drop: (() => Promise<void>) | undefined;
  let api: FrontendApi;
  let counter = 0;

  beforeAll(async () => {
    const created = await database();
    drop = created.drop;
    server = await startIdentityServer({
      dsn: created.dsn,
      selfservice: [
        '  default_browser_return_url: http://127.0.0.1/',
        '  allowed_return_urls: [http://127.0.0.1/dashboard]',
        '  methods:',
        '    password:',
        '      config: { haveibeenpwned_enabled: false }',
        '  flows:',
        '    login: { ui_url: http://127.0.0.1/auth/login }',
        '    settings:',
        '      ui_url: http://127.0.0.1/auth/settings',
        '      privileged_session_max_age: 15m',
        '',
      ].join('\n'),
    });
    api = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  /** A new person with the sample schema's one trait, and their e-mail address. */
  async function person(): Promise<{ identity: Identity; email: string }> {
    const email = `person-${++counter}-${Date.now()}@example.com`;
    const identity = await server.services.identityManager.create({
      schemaId: 'default',
      traits: { email },
      state: 'active',
      metadataPublic: null,
      metadataAdmin: null,
      organizationId: null,
      password: { password: PASSWORD },
    });
    return { identity, email };
  }

  /** Signs in through the login flow's API, as a native app does. */
  async function signIn(identifier: string, password = PASSWORD): Promise<string> {
    const { data: flow } = await api.createNativeLoginFlow();
    const { data } = await api.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'password', identifier, password },
    });
    return data.session_token!;
  }

  /** A session token whose sign-in was `authenticatedAt`, as if the person had stayed a while. */
  async function sessionFrom(identity: Identity, authenticatedAt: Date): Promise<string> {
    const issued = await server.services.sessionManager.issue(
      identity,
      [{ method: 'password', aal: 'aal1', completedAt: authenticatedAt }],
      { ipAddress: '127.0.0.1', userAgent: 'test' },
    );
    await server.services.sessions.reauthenticate({ ...issued.session, authenticatedAt });
    return issued.token;
  }

  describe('for native apps (API flows)', () => {
    it('shows the profile and password forms Kratos shows, filled with the identity’s traits', async () => {
      const { identity, email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      expect(flow).toMatchObject({ type: 'api', state: 'show_form' });
      expect(flow.identity.id).toBe(identity.id);
      expect(flow.identity.traits).toEqual({ email });
      expect(flow.identity).not.toHaveProperty('credentials');
      expect(flow.ui.action).toBe(`${server.publicUrl}/self-service/settings?flow=${flow.id}`);
      expect(flow.ui.nodes.map((node) => [node.group, nameOf(node)])).toEqual([
        ['default', 'csrf_token'],
        ['profile', 'traits.email'],
        ['profile', 'method'],
        ['password', 'password'],
        ['password', 'method'],
      ]);
      expect(nodeNamed(flow, 'traits.email')).toMatchObject({
        attributes: { type: 'email', value: email, required: true, autocomplete: 'email' },
        meta: { label: { id: 1070002, text: 'E-Mail' } },
      });
      expect(nodeNamed(flow, 'password')?.attributes).toMatchObject({
        type: 'password',
        autocomplete: 'new-password',
      });
      const saves = flow.ui.nodes.filter((node) => nameOf(node) === 'method');
      expect(
        saves.map((node) => [(node.attributes as { value: string }).value, node.meta.label?.id]),
      ).toEqual([
        ['profile', 1070003],
        ['password', 1070003],
      ]);
      expect((await api.getSettingsFlow({ id: flow.id, xSessionToken: token })).data.id).toBe(flow.id);
    });

    it('changes a trait with the profile method and says so with 1050001', async () => {
      const { identity, email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const changed = `changed-${email}`;
      const { data: saved } = await api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: 'profile', traits: { email: changed } },
      });
      expect(saved.state).toBe('success');
      expect(saved.ui.messages).toEqual([
        { id: 1050001, text: 'Your changes have been saved!', type: 'success' },
      ]);
      expect(saved.identity.traits).toEqual({ email: changed });
      expect(nodeNamed(saved, 'traits.email')?.attributes.value).toBe(changed);
      const stored = await server.services.identities.get(identity.id);
      expect(stored?.traits).toEqual({ email: changed });
      // The address is now the identifier to sign in with.
      expect(stored?.credentials.password?.identifiers).toEqual([changed]);
      await expect(signIn(changed)).resolves.toMatch(/^ory_st_/);
    });

    it('changes the password: the new one signs in, the old one no longer does', async () => {
      const { email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const { data: saved } = await api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
      });
      expect(saved.state).toBe('success');
      expect(saved.ui.messages?.[0]?.id).toBe(1050001);
      expect(nodeNamed(saved, 'password')?.attributes.value).toBeUndefined();
      await expect(signIn(email, NEW_PASSWORD)).resolves.toMatch(/^ory_st_/);
      const old = await failure(signIn(email, PASSWORD));
      expect(old.status).toBe(400);
      expect(old.data.ui.messages[0]?.id).toBe(4000006);
    });

    it('refuses a too short, a too similar and an unchanged password on the password node', async () => {
      const { email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const cases: [string, Record<string, unknown>][] = [
        [
          'short',
          {
            id: 4000032,
            type: 'error',
            text: 'The password must be at least 8 characters long, but got 5.',
            context: { actual_length: 5, min_length: 8 },
          },
        ],
        [email, { id: 4000031, type: 'error' }],
        [PASSWORD, { id: 4000039, text: 'The new password must be different from the old password.' }],
      ];
      for (const [password, message] of cases) {
        const answer = await failure(
          api.updateSettingsFlow({
            flow: flow.id,
            xSessionToken: token,
            updateSettingsFlowBody: { method: 'password', password },
          }),
        );
        expect(answer.status, password).toBe(400);
        const node = nodeNamed(answer.data, 'password');
        expect(node?.messages).toHaveLength(1);
        expect(node?.messages[0]).toMatchObject(message);
        expect(node?.attributes.value).toBeUndefined();
        expect(answer.data.state).toBe('show_form');
      }
      // Nothing changed: the old password still signs in.
      await expect(signIn(email)).resolves.toMatch(/^ory_st_/);
    });

    it('refuses a missing password with 4000002 on the password node', async () => {
      const { email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const answer = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: token,
          updateSettingsFlowBody: { method: 'password', password: '' },
        }),
      );
      expect(answer.status).toBe(400);
      expect(nodeNamed(answer.data, 'password')?.messages[0]).toMatchObject({
        id: 4000002,
        text: 'Property password is missing.',
      });
    });

    it('refuses traits the schema does not allow, with the messages on their nodes', async () => {
      const { identity, email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const answer = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: token,
          updateSettingsFlowBody: { method: 'profile', traits: { email: 'not-an-address' } },
        }),
      );
      expect(answer.status).toBe(400);
      const node = nodeNamed(answer.data, 'traits.email');
      expect(node?.attributes.value).toBe('not-an-address');
      expect(node?.messages.map((message) => message.id)).toContain(4000040);
      const missing = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: token,
          updateSettingsFlowBody: { method: 'profile', traits: {} },
        }),
      );
      expect(missing.status).toBe(400);
      expect(nodeNamed(missing.data, 'traits.email')?.messages[0]).toMatchObject({
        id: 4000002,
        text: 'Property email is missing.',
      });
      expect((await server.services.identities.get(identity.id))?.traits).toEqual({ email });
    });

    it('answers an unknown method with 4010004 and a browser-looking submit with 4000001', async () => {
      const { email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const unknown = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: token,
          updateSettingsFlowBody: { method: 'totp' } as never,
        }),
      );
      expect(unknown.status).toBe(400);
      expect(unknown.data.ui.messages[0]).toMatchObject({ id: 4010004, type: 'error' });
      const browserish = await failure(
        api.updateSettingsFlow(
          {
            flow: flow.id,
            xSessionToken: token,
            updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
          },
          { headers: { origin: 'https://x.example' } },
        ),
      );
      expect(browserish.status).toBe(400);
      expect(browserish.data.ui.messages[0]?.id).toBe(4000001);
    });

    it('needs a session: 401 session_inactive at init, a plain 401 for fetch and submit', async () => {
      const init = await failure(api.createNativeSettingsFlow());
      expect(init.status).toBe(401);
      expect(init.data).toEqual({
        error: {
          id: 'session_inactive',
          code: 401,
          status: 'Unauthorized',
          request: expect.any(String),
          reason: 'This endpoint can only be accessed with a valid session. Please log in and try again.',
          message: 'request does not have a valid authentication session',
        },
        CredentialsMissing: false,
      });
      const { email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const fetched = await failure(api.getSettingsFlow({ id: flow.id }));
      expect(fetched.status).toBe(401);
      expect(fetched.data.error.reason).toBe('A valid Ory Session Cookie or Ory Session Token is missing.');
      const submitted = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
        }),
      );
      expect(submitted.status).toBe(401);
      expect(submitted.data.error.id).toBeUndefined();
    });

    it('refuses another identity’s flow with 403 security_identity_mismatch', async () => {
      const owner = await person();
      const other = await person();
      const ownerToken = await signIn(owner.email);
      const otherToken = await signIn(other.email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: ownerToken });
      const fetched = await failure(api.getSettingsFlow({ id: flow.id, xSessionToken: otherToken }));
      expect(fetched.status).toBe(403);
      expect(fetched.data.error).toMatchObject({
        id: 'security_identity_mismatch',
        reason: 'The request was made for another identity and has been blocked for security reasons.',
      });
      const submitted = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: otherToken,
          updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
        }),
      );
      expect(submitted.status).toBe(403);
      expect(submitted.data.error.id).toBe('security_identity_mismatch');
      // The owner's password is untouched.
      await expect(signIn(owner.email)).resolves.toMatch(/^ory_st_/);
    });

    it('asks an old session to sign in again before a password change, then lets it through', async () => {
      const { identity, email } = await person();
      const token = await sessionFrom(identity, AN_HOUR_AGO());
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const refused = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: token,
          updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
        }),
      );
      expect(refused.status).toBe(403);
      expect(refused.data.error).toMatchObject({
        id: 'session_refresh_required',
        code: 403,
        reason:
          'The login session is too old and thus not allowed to update these fields. Please re-authenticate.',
      });
      const back = `${server.publicUrl}/self-service/settings?flow=${flow.id}`;
      expect(refused.data.redirect_browser_to).toBe(
        `${server.publicUrl}/self-service/login/browser?refresh=true&return_to=${encodeURIComponent(back)}`,
      );

      // The native app re-authenticates with a refresh login on the same session.
      const { data: refresh } = await api.createNativeLoginFlow({ refresh: true, xSessionToken: token });
      expect(refresh.refresh).toBe(true);
      const { data: again } = await api.updateLoginFlow({
        flow: refresh.id,
        xSessionToken: token,
        updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD },
      });
      const fresh = again.session_token ?? token;
      const { data: saved } = await api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: fresh,
        updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
      });
      expect(saved.state).toBe('success');
      await expect(signIn(email, NEW_PASSWORD)).resolves.toMatch(/^ory_st_/);
    });

    it('lets an old session change other traits, but not the identifier', async () => {
      const { identity, email } = await person();
      const token = await sessionFrom(identity, AN_HOUR_AGO());
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      const { data: saved } = await api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: { method: 'profile', traits: { email, nickname: 'al' } },
      });
      expect(saved.identity.traits).toEqual({ email, nickname: 'al' });
      // A trait the schema does not list shows as an input of its own, after the schema's.
      expect(saved.ui.nodes.map((node) => nameOf(node)).slice(1, 4)).toEqual([
        'traits.email',
        'traits.nickname',
        'method',
      ]);
      const refused = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: token,
          updateSettingsFlowBody: { method: 'profile', traits: { email: `new-${email}` } },
        }),
      );
      expect(refused.status).toBe(403);
      expect(refused.data.error.id).toBe('session_refresh_required');
      expect((await server.services.identities.get(identity.id))?.traits).toEqual({ email, nickname: 'al' });
    });

    it('replaces an expired flow, answering 410 with the new flow’s id', async () => {
      const { email } = await person();
      const token = await signIn(email);
      const { data: flow } = await api.createNativeSettingsFlow({ xSessionToken: token });
      await server.db.kysely
        .updateTable('selfservice_flows')
        .set({ expires_at: new Date(Date.now() - 60_000).toISOString() })
        .where('id', '=', flow.id)
        .execute();
      const fetched = await failure(api.getSettingsFlow({ id: flow.id, xSessionToken: token }));
      expect(fetched.status).toBe(410);
      expect(fetched.data.error.details.api).toBe(`${server.publicUrl}/self-service/settings/api`);
      const answer = await failure(
        api.updateSettingsFlow({
          flow: flow.id,
          xSessionToken: token,
          updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
        }),
      );
      expect(answer.status).toBe(410);
      expect(answer.data.error.id).toBe('self_service_flow_expired');
      const replacement = await api.getSettingsFlow({ id: answer.data.use_flow_id, xSessionToken: token });
      expect(replacement.data.ui.messages?.[0]?.id).toBe(4050001);
    });
  });

  describe('for browsers', () => {
    /** A browser signed in through the browser login flow. */
    async function signedInBrowser(email: string) {
      const browser = browserClient(server.publicUrl);
      const { data: login } = await browser.frontend.createBrowserLoginFlow();
      await browser.frontend.updateLoginFlow({
        flow: login.id,
        updateLoginFlowBody: {
          method: 'password',
          identifier: email,
          password: PASSWORD,
          csrf_token: csrfOf(login),
        },
      });
      return browser;
    }

    it('changes the password by JSON, answering the flow with where to go next', async () => {
      const { email } = await person();
      const browser = await signedInBrowser(email);
      const { data: flow } = await browser.frontend.createBrowserSettingsFlow({
        returnTo: 'http://127.0.0.1/dashboard',
      });
      expect(flow.type).toBe('browser');
      expect(flow.return_to).toBe('http://127.0.0.1/dashboard');
      expect(Buffer.from(csrfOf(flow), 'base64')).toHaveLength(64);
      const { data: saved, headers } = await browser.frontend.updateSettingsFlow({
        flow: flow.id,
        updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow) },
      });
      expect(saved.state).toBe('success');
      expect(saved.continue_with).toEqual([
        { action: 'redirect_browser_to', redirect_browser_to: 'http://127.0.0.1/dashboard' },
      ]);
      expect(
        (headers['set-cookie'] as unknown as string[]).some((line) => line.startsWith('ory_kratos_session=')),
      ).toBe(true);
      await expect(signIn(email, NEW_PASSWORD)).resolves.toMatch(/^ory_st_/);
    });

    it('refuses a submit without the CSRF token with 403 security_csrf_violation', async () => {
      const { email } = await person();
      const browser = await signedInBrowser(email);
      const { data: flow } = await browser.frontend.createBrowserSettingsFlow();
      const answer = await failure(
        browser.frontend.updateSettingsFlow({
          flow: flow.id,
          updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD },
        }),
      );
      expect(answer.status).toBe(403);
      expect(answer.data.error.id).toBe('security_csrf_violation');
      await expect(signIn(email)).resolves.toMatch(/^ory_st_/);
    });

    it('sends a page without a session to sign in, and answers JSON with 401 session_inactive', async () => {
      const browser = browserClient(server.publicUrl);
      const page = await browser.http.get(
        `${server.publicUrl}/self-service/settings/browser?return_to=http://127.0.0.1/dashboard`,
        { headers: { accept: 'text/html' } },
      );
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe(
        `${server.publicUrl}/self-service/login/browser?return_to=http%3A%2F%2F127.0.0.1%2Fdashboard`,
      );
      const json = await failure(browser.frontend.createBrowserSettingsFlow());
      expect(json.status).toBe(401);
      expect(json.data.error).toMatchObject({ id: 'session_inactive' });
    });

    it('posts a form: a validation error and a success both send the page back to the settings UI', async () => {
      const { email } = await person();
      const browser = await signedInBrowser(email);
      const page = await browser.http.get(`${server.publicUrl}/self-service/settings/browser`, {
        headers: { accept: 'text/html' },
      });
      expect(page.status).toBe(303);
      const flowId = new URL(page.headers.location).searchParams.get('flow')!;
      expect(page.headers.location).toBe(`http://127.0.0.1/auth/settings?flow=${flowId}`);
      const { data: flow } = await browser.frontend.getSettingsFlow({ id: flowId });
      const post = (fields: Record<string, string>) =>
        browser.http.post(
          `${server.publicUrl}/self-service/settings?flow=${flowId}`,
          new URLSearchParams({ csrf_token: csrfOf(flow), ...fields }).toString(),
          { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } },
        );

      const invalid = await post({ method: 'profile', 'traits.email': '' });
      expect(invalid.status).toBe(303);
      expect(invalid.headers.location).toBe(`http://127.0.0.1/auth/settings?flow=${flowId}`);
      const shown = await browser.frontend.getSettingsFlow({ id: flowId });
      expect(nodeNamed(shown.data, 'traits.email')?.messages[0]?.id).toBe(4000002);

      const changed = `form-${email}`;
      const saved = await post({ method: 'profile', 'traits.email': changed });
      expect(saved.status).toBe(303);
      // Without a return_to the page goes back to the settings UI, with the same flow.
      expect(saved.headers.location).toBe(`http://127.0.0.1/auth/settings?flow=${flowId}`);
      const after = await browser.frontend.getSettingsFlow({ id: flowId });
      expect(after.data.state).toBe('success');
      expect(after.data.identity.traits).toEqual({ email: changed });
    });

    it('sends an old session through a refresh login, after which the change goes through', async () => {
      const { identity, email } = await person();
      const browser = await signedInBrowser(email);
      const { data: whoami } = await browser.frontend.toSession();
      const session = await server.services.sessions.get(whoami.id);
      await server.services.sessions.reauthenticate({ ...session!, authenticatedAt: AN_HOUR_AGO() });

      const { data: flow } = await browser.frontend.createBrowserSettingsFlow();
      const refused = await failure(
        browser.frontend.updateSettingsFlow({
          flow: flow.id,
          updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(flow) },
        }),
      );
      expect(refused.status).toBe(403);
      expect(refused.data.error.id).toBe('session_refresh_required');
      const redirect = new URL(refused.data.redirect_browser_to);
      expect(redirect.pathname).toBe('/self-service/login/browser');
      expect(redirect.searchParams.get('refresh')).toBe('true');
      expect(redirect.searchParams.get('return_to')).toBe(
        `${server.publicUrl}/self-service/settings?flow=${flow.id}`,
      );

      // A form post is sent there directly.
      const form = await browser.http.post(
        `${server.publicUrl}/self-service/settings?flow=${flow.id}`,
        new URLSearchParams({
          method: 'password',
          password: NEW_PASSWORD,
          csrf_token: csrfOf(flow),
        }).toString(),
        { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } },
      );
      expect(form.status).toBe(303);
      expect(form.headers.location).toBe(refused.data.redirect_browser_to);

      const { data: login } = await browser.http.get(refused.data.redirect_browser_to, {
        headers: { accept: 'application/json' },
      });
      expect(login.refresh).toBe(true);
      const { data: refreshed } = await browser.frontend.updateLoginFlow({
        flow: login.id,
        updateLoginFlowBody: {
          method: 'password',
          identifier: email,
          password: PASSWORD,
          csrf_token: csrfOf(login),
        },
      });
      expect(refreshed.continue_with?.[0]).toMatchObject({
        redirect_browser_to: `${server.publicUrl}/self-service/settings?flow=${flow.id}`,
      });

      // The sign-in may have replaced the CSRF cookie: the form is fetched again for its token.
      const { data: current } = await browser.frontend.getSettingsFlow({ id: flow.id });
      const { data: saved } = await browser.frontend.updateSettingsFlow({
        flow: flow.id,
        updateSettingsFlowBody: { method: 'password', password: NEW_PASSWORD, csrf_token: csrfOf(current) },
      });
      expect(saved.state).toBe('success');
      expect(saved.continue_with).toEqual([
        {
          action: 'redirect_browser_to',
          redirect_browser_to: `http://127.0.0.1/auth/settings?flow=${flow.id}`,
        },
      ]);
      const stored = await server.services.identities.get(identity.id);
      await expect(
        server.services.hasher.verify(
          NEW_PASSWORD,
          String(stored?.credentials.password?.config.hashed_password),
        ),
      ).resolves.toBe(true);
    });
  });
});
