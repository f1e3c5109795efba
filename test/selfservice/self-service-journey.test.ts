import { Configuration, FrontendApi, type UiContainer } from '@ory/kratos-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityServer } from '../identity/support/identity-server.js';
import { browserClient } from '../support/browser-client.js';
import { storageBackends } from '../support/postgres.js';

// One person's whole life with the portal, through the official SDK, as an app (API flows) and
// as a browser (cookies and CSRF): sign up, sign out, sign in, change a trait, change the
// password (signing in again once the session is past the privileged window), sign in with the
// new password — and not with the old one.
const SELFSERVICE = [
  '  default_browser_return_url: http://127.0.0.1/',
  '  methods:',
  '    password:',
  '      config: { haveibeenpwned_enabled: false }',
  '  flows:',
  '    settings: { privileged_session_max_age: 15m }',
  '    registration:',
  '      after:',
  '        password:',
  '          hooks: [{ hook: session }]',
].join('\n');

const FIRST = 'first-long-passphrase-4711';
const SECOND = 'second-long-passphrase-0815';

function csrfOf(ui: UiContainer): string {
  const node = ui.nodes.find(
    (candidate) => (candidate.attributes as { name?: string }).name === 'csrf_token',
  );
  return String((node?.attributes as { value?: unknown } | undefined)?.value ?? '');
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { response: { status: number } }).response.status;
  }
}

describe.each(storageBackends)('a self-service journey, on %s', (_name, database) => {
  let server: Awaited<ReturnType<typeof startIdentityServer>>;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await database();
    drop = created.drop;
    server = await startIdentityServer({ dsn: created.dsn, selfservice: SELFSERVICE });
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  /** Moves a session's last authentication an hour back: past the 15 minute privileged window. */
  async function age(sessionId: string) {
    await server.db.kysely
      .updateTable('sessions')
      .set({ authenticated_at: new Date(Date.now() - 3_600_000).toISOString() })
      .where('id', '=', sessionId)
      .execute();
  }

  it('as a native app', async () => {
    const api = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    const email = 'journey-app@example.com';
    const { data: registration } = await api.createNativeRegistrationFlow();
    const { data: registered } = await api.updateRegistrationFlow({
      flow: registration.id,
      updateRegistrationFlowBody: { method: 'password', traits: { email }, password: FIRST },
    });
    const token = registered.session_token!;
    expect((await api.toSession({ xSessionToken: token })).data.identity?.traits).toEqual({ email });

    await api.performNativeLogout({ performNativeLogoutBody: { session_token: token } });
    expect(await status(api.toSession({ xSessionToken: token }))).toBe(401);

    const signIn = async (password: string) => {
      const { data: flow } = await api.createNativeLoginFlow();
      const { data } = await api.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: 'password', identifier: email, password },
      });
      return data;
    };
    const session = await signIn(FIRST);

    const { data: settings } = await api.createNativeSettingsFlow({ xSessionToken: session.session_token });
    const { data: profile } = await api.updateSettingsFlow({
      flow: settings.id,
      xSessionToken: session.session_token,
      updateSettingsFlowBody: { method: 'profile', traits: { email, website: 'https://example.com' } },
    });
    expect(profile.state).toBe('success');
    expect(profile.identity.traits).toMatchObject({ website: 'https://example.com' });

    await age(session.session.id);
    const { data: passwordFlow } = await api.createNativeSettingsFlow({
      xSessionToken: session.session_token,
    });
    const change = () =>
      api.updateSettingsFlow({
        flow: passwordFlow.id,
        xSessionToken: session.session_token,
        updateSettingsFlowBody: { method: 'password', password: SECOND },
      });
    expect(await status(change())).toBe(403);
    const { data: refresh } = await api.createNativeLoginFlow({
      refresh: true,
      xSessionToken: session.session_token,
    });
    await api.updateLoginFlow({
      flow: refresh.id,
      xSessionToken: session.session_token,
      updateLoginFlowBody: { method: 'password', identifier: email, password: FIRST },
    });
    expect((await change()).data.state).toBe('success');

    expect((await signIn(SECOND)).session.active).toBe(true);
    expect(await status(signIn(FIRST))).toBe(400);
  });

  it('as a browser', async () => {
    const browser = browserClient(server.publicUrl);
    const { frontend } = browser;
    const email = 'journey-browser@example.com';
    const { data: registration } = await frontend.createBrowserRegistrationFlow();
    await frontend.updateRegistrationFlow({
      flow: registration.id,
      updateRegistrationFlowBody: {
        method: 'password',
        traits: { email },
        password: FIRST,
        csrf_token: csrfOf(registration.ui),
      },
    });
    const { data: whoami } = await frontend.toSession();
    expect(whoami.identity?.traits).toEqual({ email });

    const { data: logout } = await frontend.createBrowserLogoutFlow();
    await frontend.updateLogoutFlow({ token: logout.logout_token });
    expect(await status(frontend.toSession())).toBe(401);

    const signIn = async (password: string) => {
      const { data: flow } = await frontend.createBrowserLoginFlow();
      return frontend.updateLoginFlow({
        flow: flow.id,
        updateLoginFlowBody: { method: 'password', identifier: email, password, csrf_token: csrfOf(flow.ui) },
      });
    };
    await signIn(FIRST);

    const { data: settings } = await frontend.createBrowserSettingsFlow();
    const { data: profile } = await frontend.updateSettingsFlow({
      flow: settings.id,
      updateSettingsFlowBody: {
        method: 'profile',
        traits: { email, website: 'https://example.org' },
        csrf_token: csrfOf(settings.ui),
      },
    });
    expect(profile.state).toBe('success');

    await age((await frontend.toSession()).data.id);
    const { data: passwordFlow } = await frontend.createBrowserSettingsFlow();
    const change = async () => {
      const { data: current } = await frontend.getSettingsFlow({ id: passwordFlow.id });
      return frontend.updateSettingsFlow({
        flow: passwordFlow.id,
        updateSettingsFlowBody: { method: 'password', password: SECOND, csrf_token: csrfOf(current.ui) },
      });
    };
    expect(await status(change())).toBe(403);
    const { data: refresh } = await frontend.createBrowserLoginFlow({ refresh: true });
    await frontend.updateLoginFlow({
      flow: refresh.id,
      updateLoginFlowBody: {
        method: 'password',
        identifier: email,
        password: FIRST,
        csrf_token: csrfOf(refresh.ui),
      },
    });
    expect((await change()).data.state).toBe('success');

    const { data: out } = await frontend.createBrowserLogoutFlow();
    await frontend.updateLogoutFlow({ token: out.logout_token });
    expect((await signIn(SECOND)).data.session.active).toBe(true);
    expect(await status(signIn(FIRST))).toBe(400);
  });
});
