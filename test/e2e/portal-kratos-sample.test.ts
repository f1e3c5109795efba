import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Configuration, FrontendApi } from '@ory/kratos-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL } from '../config/config-fixtures.js';
import { freePortsEnv, type RunningGatehouse, startGatehouse } from '../support/gatehouse-process.js';

// The portal's own kratos.yml.sample, run by the real binary with only the changes a test machine
// needs, all through the environment: the identity schema's path, the session cookie's domain,
// ports, --dev (plain http), and haveibeenpwned pointed at a range server on loopback.
const SAMPLE = join(PORTAL, 'kratos.yml.sample');
const TLS = new URL('../fixtures/tls/', import.meta.url).pathname;

/** Breach counts the loopback range server knows, by password (the sample allows up to 100). */
const BREACHES: Record<string, number> = {
  'a-much-breached-password': 150,
  'a-little-breached-password': 50,
};

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex').toUpperCase();
}

interface Refusal {
  response: {
    status: number;
    data: { ui: { nodes: { attributes: { name: string }; messages: { id: number }[] }[] } };
  };
}

describe("the portal's kratos.yml.sample, served by the gatehouse binary", () => {
  let rangeServer: Server;
  const rangeRequests: string[] = [];
  let running: RunningGatehouse;
  let api: FrontendApi;

  beforeAll(async () => {
    rangeServer = createServer(
      { cert: readFileSync(join(TLS, 'localhost.crt')), key: readFileSync(join(TLS, 'localhost.key')) },
      (request, response) => {
        rangeRequests.push(request.url ?? '');
        const prefix = (request.url ?? '').replace('/range/', '');
        const lines = Object.entries(BREACHES)
          .map(([password, count]) => [sha1(password), count] as const)
          .filter(([hash]) => hash.startsWith(prefix))
          .map(([hash, count]) => `${hash.slice(5)}:${count}`);
        response.end(`${lines.join('\r\n')}\r\n`);
      },
    );
    await new Promise<void>((resolve) => rangeServer.listen(0, '127.0.0.1', resolve));
    const rangeHost = `127.0.0.1:${(rangeServer.address() as AddressInfo).port}`;
    running = await startGatehouse(['serve', '--dev', '-c', SAMPLE], {
      env: {
        ...(await freePortsEnv()),
        IDENTITY_SCHEMAS: JSON.stringify([{ id: 'default', url: `file://${PORTAL}identity.schema.json` }]),
        SESSION_COOKIE_DOMAIN: '127.0.0.1',
        SELFSERVICE_METHODS_PASSWORD_CONFIG_HAVEIBEENPWNED_HOST: rangeHost,
        // The range server's certificate is the test suite's own.
        NODE_EXTRA_CA_CERTS: join(TLS, 'localhost.crt'),
      },
    });
    api = new FrontendApi(
      new Configuration({ basePath: running.urls['identity public']!.replace(/\/$/, '') }),
    );
  });
  afterAll(async () => {
    await running?.stop('SIGTERM');
    await new Promise((resolve) => rangeServer?.close(resolve));
  });

  it('registers with the session hook: a 720h session at once, from a 10m flow', async () => {
    const { data: flow } = await api.createNativeRegistrationFlow();
    expect(new Date(flow.expires_at).getTime() - new Date(flow.issued_at).getTime()).toBe(10 * 60_000);
    const { data: registered } = await api.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: 'password',
        traits: { email: 'portal-user@example.com' },
        password: 'a-little-breached-password',
      },
    });
    expect(registered.session_token).toMatch(/^ory_st_/);
    const lifespan = new Date(registered.session!.expires_at!).getTime() - Date.now();
    expect(lifespan).toBeGreaterThan(719 * 3_600_000);
    expect(lifespan).toBeLessThanOrEqual(720 * 3_600_000);
    const whoami = await api.toSession({ xSessionToken: registered.session_token });
    expect(whoami.data.identity?.traits).toEqual({ email: 'portal-user@example.com' });
    // The breach check asked the loopback range server, with the 5-character prefix only.
    expect(rangeRequests).toContain(`/range/${sha1('a-little-breached-password').slice(0, 5)}`);
  });

  it('refuses a password breached more often than the sample’s max_breaches (100)', async () => {
    const { data: flow } = await api.createNativeRegistrationFlow();
    let refused: Refusal['response'] | undefined;
    try {
      await api.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: 'password',
          traits: { email: 'breached-user@example.com' },
          password: 'a-much-breached-password',
        },
      });
    } catch (error) {
      refused = (error as Refusal).response;
    }
    expect(refused?.status).toBe(400);
    const password = refused?.data.ui.nodes.find((node) => node.attributes.name === 'password');
    expect(password?.messages.map((message) => message.id)).toEqual([4000034]);
  });

  it('signs in with the portal’s argon2id hashing, and the settings flow is open to a fresh session', async () => {
    const { data: login } = await api.createNativeLoginFlow();
    expect(new Date(login.expires_at).getTime() - new Date(login.issued_at).getTime()).toBe(10 * 60_000);
    const { data: signedIn } = await api.updateLoginFlow({
      flow: login.id,
      updateLoginFlowBody: {
        method: 'password',
        identifier: 'portal-user@example.com',
        password: 'a-little-breached-password',
      },
    });
    const { data: settings } = await api.createNativeSettingsFlow({ xSessionToken: signedIn.session_token });
    expect(settings.identity.traits).toEqual({ email: 'portal-user@example.com' });
    const { data: changed } = await api.updateSettingsFlow({
      flow: settings.id,
      xSessionToken: signedIn.session_token,
      updateSettingsFlowBody: { method: 'password', password: 'a-new-unbreached-passphrase-77' },
    });
    expect(changed.state).toBe('success');
  });
});
