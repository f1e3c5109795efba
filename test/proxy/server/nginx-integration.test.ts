import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../../support/http-request.js';
import { startProxy } from '../support/proxy-api.js';
import { headerLines, type StubUpstream, startStubUpstream } from '../support/stub-upstream.js';

// Debian's nginx: a real reverse proxy in front of gatehouse, written by nobody here.
const NGINX = '/usr/sbin/nginx';

/** Fails (never skips) when the nginx that .ci/run installs is missing or lacks auth_request. */
function requireNginx(): void {
  if (!existsSync(NGINX))
    throw new Error(
      `${NGINX} is missing: .ci/run installs it (apt-get install nginx); install the Debian package nginx to run this test`,
    );
  const built = spawnSync(NGINX, ['-V'], { encoding: 'utf8' });
  if (!`${built.stdout}${built.stderr}`.includes('--with-http_auth_request_module'))
    throw new Error(
      `${NGINX} was built without the auth_request module; .ci/run installs Debian's nginx, which has it`,
    );
}

/** A loopback port free right now (nginx cannot report the port it picked for `listen 0`). */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** nginx's own configuration: every path it writes (pid, logs, temp files) is inside `dir`. */
function nginxConfig(
  dir: string,
  ports: { nginx: number; proxy: number; api: number; upstream: number },
): string {
  return `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;

  server {
    listen 127.0.0.1:${ports.nginx};

    # (a) nginx in front of gatehouse's proxy port, which decides and forwards.
    location /proxied/ {
      proxy_pass http://127.0.0.1:${ports.proxy};
      proxy_set_header Host app.test;
    }

    # (b) nginx asks gatehouse's /decisions and forwards to the upstream itself.
    location /guarded/ {
      auth_request /_decide;
      auth_request_set $user $upstream_http_x_user;
      proxy_set_header X-User $user;
      proxy_set_header Host app.test;
      proxy_pass http://127.0.0.1:${ports.upstream};
    }
    location = /_decide {
      internal;
      proxy_pass http://127.0.0.1:${ports.api}/decisions$request_uri;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header Host app.test;
    }
  }
}
`;
}

describe('Debian nginx as a client of the proxy', () => {
  let upstream: StubUpstream;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let nginx: ChildProcess | undefined;
  let nginxUrl: string;
  let dir: string;

  beforeAll(async () => {
    requireNginx();
    upstream = await startStubUpstream();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
    const pipeline = {
      authenticators: [{ handler: 'anonymous' }],
      authorizer: { handler: 'allow' },
      mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
    };
    // `<{proxied,guarded}>`: one rule per outcome serves both nginx set-ups.
    const rules = [
      {
        id: 'allowed',
        match: { url: 'http://app.test/<{proxied,guarded}>/allowed', methods: ['GET', 'POST'] },
        upstream: { url: upstream.url },
        ...pipeline,
      },
      {
        id: 'read-only',
        match: { url: 'http://app.test/<{proxied,guarded}>/read-only', methods: ['GET'] },
        upstream: { url: upstream.url },
        ...pipeline,
      },
      {
        id: 'denied',
        match: { url: 'http://app.test/<{proxied,guarded}>/denied', methods: ['GET'] },
        upstream: { url: upstream.url },
        ...pipeline,
        authorizer: { handler: 'deny' },
      },
      {
        id: 'unauthorized',
        match: { url: 'http://app.test/<{proxied,guarded}>/unauthorized', methods: ['GET'] },
        upstream: { url: upstream.url },
        ...pipeline,
        authenticators: [{ handler: 'unauthorized' }],
      },
    ];
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules));
    writeFileSync(
      join(dir, 'oathkeeper.yml'),
      [
        'access_rules:',
        '  matching_strategy: glob',
        `  repositories: ["file://${join(dir, 'rules.json')}"]`,
        'errors:',
        '  handlers:',
        '    json: { enabled: true, config: { verbose: true } }',
        'authenticators:',
        '  anonymous: { enabled: true, config: { subject: guest } }',
        '  unauthorized: { enabled: true }',
        'authorizers:',
        '  allow: { enabled: true }',
        '  deny: { enabled: true }',
        'mutators:',
        '  header: { enabled: true, config: { headers: {} } }',
      ].join('\n'),
    );
    proxy = await startProxy(join(dir, 'oathkeeper.yml'), dir);

    const port = await freePort();
    mkdirSync(join(dir, 'temp'));
    writeFileSync(
      join(dir, 'nginx.conf'),
      nginxConfig(dir, {
        nginx: port,
        proxy: Number(new URL(proxy.proxyUrl).port),
        api: Number(new URL(proxy.url).port),
        upstream: upstream.port,
      }),
    );
    // -e: the error log nginx writes before it has read the configuration.
    const child = spawn(
      NGINX,
      ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    nginx = child;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let exited = false;
    child.once('exit', () => (exited = true));
    child.once('error', () => (exited = true));
    const deadline = Date.now() + 5000;
    while (!(await accepts(port))) {
      if (exited || Date.now() > deadline) {
        const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
        throw new Error(`nginx did not start on 127.0.0.1:${port}:\n${stderr}${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    nginxUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      // SIGQUIT: graceful shutdown, the master waits for its worker.
      nginx.kill('SIGQUIT');
      const timer = setTimeout(() => nginx!.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await proxy?.stop();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    upstream.received.length = 0;
  });

  describe('(a) proxy_pass to the proxy port', () => {
    it("reaches the upstream with the mutator's X-User, replacing the client's", async () => {
      const answer = await rawRequest(`${nginxUrl}/proxied/allowed?q=1`, { headers: { 'X-User': 'admin' } });
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('upstream');
      expect(upstream.received).toHaveLength(1);
      expect(upstream.received[0]!.target).toBe('/proxied/allowed?q=1');
      expect(headerLines(upstream.received[0]!.rawHeaders, 'x-user')).toEqual(['guest']);
    });

    it('passes a request body on to the upstream', async () => {
      const answer = await rawRequest(`${nginxUrl}/proxied/allowed`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'hello',
      });
      expect(answer.status).toBe(200);
      expect(upstream.received[0]!.method).toBe('POST');
      expect(upstream.received[0]!.body.toString()).toBe('hello');
    });

    it.each([
      ['denied', 403],
      ['unauthorized', 401],
    ])("answers the %s rule with the proxy's %i and reaches no upstream", async (path, status) => {
      const answer = await rawRequest(`${nginxUrl}/proxied/${path}`);
      expect(answer.status).toBe(status);
      // The JSON error handler's body, passed through nginx unchanged.
      expect(JSON.parse(answer.body).error.code).toBe(status);
      expect(upstream.received).toEqual([]);
    });

    it('answers a method no rule allows with 404 and reaches no upstream', async () => {
      const answer = await rawRequest(`${nginxUrl}/proxied/read-only`, { method: 'POST', body: 'x' });
      expect(answer.status).toBe(404);
      expect(upstream.received).toEqual([]);
    });
  });

  describe('(b) auth_request to /decisions on the API port', () => {
    it("reaches the upstream with the decision's X-User, replacing the client's", async () => {
      const answer = await rawRequest(`${nginxUrl}/guarded/allowed?q=1`, { headers: { 'X-User': 'admin' } });
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('upstream');
      expect(upstream.received).toHaveLength(1);
      expect(upstream.received[0]!.target).toBe('/guarded/allowed?q=1');
      expect(headerLines(upstream.received[0]!.rawHeaders, 'x-user')).toEqual(['guest']);
    });

    it("lets a POST its rule allows through with its body and the decision's X-User", async () => {
      const answer = await rawRequest(`${nginxUrl}/guarded/allowed`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'hello',
      });
      expect(answer.status).toBe(200);
      expect(upstream.received[0]!.method).toBe('POST');
      expect(upstream.received[0]!.body.toString()).toBe('hello');
      expect(headerLines(upstream.received[0]!.rawHeaders, 'x-user')).toEqual(['guest']);
    });

    it.each([
      ['denied', 403],
      ['unauthorized', 401],
    ])('answers the %s rule with %i and reaches no upstream', async (path, status) => {
      const answer = await rawRequest(`${nginxUrl}/guarded/${path}`, { headers: { 'X-User': 'admin' } });
      expect(answer.status).toBe(status);
      expect(upstream.received).toEqual([]);
    });

    it("turns the decision's 404 for a method no rule allows into 500, reaching no upstream", async () => {
      // auth_request passes only 2xx, 401 and 403 on; the GET-only rule does not match this POST.
      const answer = await rawRequest(`${nginxUrl}/guarded/read-only`, { method: 'POST', body: 'x' });
      expect(answer.status).toBe(500);
      expect(upstream.received).toEqual([]);
      // The same path with GET is allowed, so the 500 came from the method, not the path.
      expect((await rawRequest(`${nginxUrl}/guarded/read-only`)).status).toBe(200);
    });
  });
});
