import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityServer } from '../identity/support/identity-server.js';

let server: Awaited<ReturnType<typeof startIdentityServer>>;
beforeAll(async () => {
  server = await startIdentityServer({
    dsn: 'memory',
    publicCors: '{ enabled: true, allowed_origins: ["https://app.example"] }',
  });
});
afterAll(() => server.stop());

describe('CORS on the public port (serve.public.cors)', () => {
  it('answers a preflight from an allowed origin with Kratos’ defaults: credentials, X-Session-Token', async () => {
    const answer = await fetch(`${server.publicUrl}/self-service/login/browser`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'X-Session-Token',
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-session-token');
  });

  it('echoes an allowed origin on a flow answer, and no other origin', async () => {
    const allowed = await fetch(`${server.publicUrl}/self-service/login/api`, {
      headers: { origin: 'https://app.example' },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const foreign = await fetch(`${server.publicUrl}/self-service/login/api`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
