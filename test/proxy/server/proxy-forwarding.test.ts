import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProxy } from '../support/proxy-api.js';
import { headerLines, type StubUpstream, startStubUpstream } from '../support/stub-upstream.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/** A request with the target and header lines exactly as given. */
function send(
  base: string,
  options: {
    method?: string;
    path: string;
    headers?: string[];
    body?: string | (Buffer | Promise<Buffer>)[];
  },
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: (options.headers ?? ['Host', 'app.test']) as unknown as IncomingHttpHeaders,
        setHost: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            rawHeaders: response.rawHeaders,
            body,
          }),
        );
      },
    );
    request.on('error', reject);
    if (Array.isArray(options.body)) {
      const parts = options.body;
      (async () => {
        for (const part of parts) request.write(await part);
        request.end();
      })().catch(reject);
    } else request.end(options.body);
  });
}

/** A TCP listener that accepts connections and never says a word: a TLS handshake that never completes. */
async function silentListener(): Promise<{ server: TcpServer; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the proxy port forwards allowed requests to their upstream', () => {
  let upstream: StubUpstream;
  let silent: Awaited<ReturnType<typeof silentListener>>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const logLines: string[] = [];

  beforeAll(async () => {
    upstream = await startStubUpstream();
    silent = await silentListener();
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-forwarding-'));
    const allow = {
      authenticators: [{ handler: 'anonymous' }],
      authorizer: { handler: 'allow' },
      mutators: [{ handler: 'noop' }],
    };
    const rules = [
      {
        id: 'plain',
        match: { url: 'http://app.test/plain<{,/**}>', methods: ['GET', 'POST', 'PUT'] },
        upstream: { url: upstream.url },
        ...allow,
      },
      {
        id: 'base',
        match: { url: 'http://app.test/based/<**>', methods: ['GET'] },
        upstream: { url: `${upstream.url}/base/` },
        ...allow,
      },
      {
        id: 'strip',
        match: { url: 'http://app.test/api/<**>', methods: ['GET'] },
        upstream: { url: `${upstream.url}/`, strip_path: '/api' },
        ...allow,
      },
      {
        id: 'preserve',
        match: { url: 'http://app.test/preserve', methods: ['GET'] },
        upstream: { url: upstream.url, preserve_host: true },
        ...allow,
      },
      {
        id: 'header',
        match: { url: 'http://app.test/header', methods: ['GET'] },
        upstream: { url: upstream.url },
        ...allow,
        mutators: [
          {
            handler: 'header',
            config: {
              headers: { 'X-User': '{{ print .Subject }}', 'X-Path': '{{ .MatchContext.URL.Path }}' },
            },
          },
        ],
      },
      {
        id: 'deny',
        match: { url: 'http://app.test/deny', methods: ['GET'] },
        upstream: { url: upstream.url },
        ...allow,
        authorizer: { handler: 'deny' },
      },
      { id: 'no-upstream', match: { url: 'http://app.test/nowhere', methods: ['GET'] }, ...allow },
      {
        id: 'closed',
        match: { url: 'http://app.test/closed', methods: ['GET'] },
        upstream: { url: `http://127.0.0.1:${await closedPort()}` },
        ...allow,
      },
      {
        id: 'hang',
        match: { url: 'http://app.test/hang', methods: ['GET'] },
        upstream: { url: `https://127.0.0.1:${silent.port}` },
        ...allow,
      },
      {
        id: 'https-scheme',
        match: { url: 'https://app.test/secure', methods: ['GET'] },
        upstream: { url: upstream.url },
        ...allow,
      },
    ];
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(rules));
    writeFileSync(
      join(dir, 'oathkeeper.yml'),
      [
        'serve:',
        '  proxy:',
        '    upstream:',
        '      tls_handshake_timeout: 300ms',
        '    cors:',
        '      enabled: true',
        '      allowed_origins: ["https://portal.test"]',
        '      allow_credentials: true',
        'access_rules:',
        '  matching_strategy: glob',
        `  repositories: ["file://${join(dir, 'rules.json')}"]`,
        'errors:',
        '  handlers:',
        '    json: { enabled: true, config: { verbose: true } }',
        'authenticators:',
        '  anonymous: { enabled: true, config: { subject: guest } }',
        'authorizers:',
        '  allow: { enabled: true }',
        '  deny: { enabled: true }',
        'mutators:',
        '  noop: { enabled: true }',
        '  header: { enabled: true, config: { headers: {} } }',
      ].join('\n'),
    );
    proxy = await startProxy(join(dir, 'oathkeeper.yml'), dir, logLines);
  });
  afterAll(async () => {
    await proxy.stop();
    await upstream.close();
    for (const socket of silent.sockets) socket.destroy();
    silent.server.close();
  });
  beforeEach(() => {
    upstream.received.length = 0;
    upstream.answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('upstream');
    };
  });

  it("passes the request on with the client's method, path, query and headers", async () => {
    const answer = await send(proxy.proxyUrl, {
      path: '/plain/a%2Fb?x=1&y=%20',
      headers: [
        'Host',
        'app.test',
        'Accept',
        'text/plain',
        'X-Custom',
        'one',
        'X-Custom',
        'two',
        'Cookie',
        'c=1',
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('upstream');
    const [received] = upstream.received;
    expect(received!.method).toBe('GET');
    expect(received!.target).toBe('/plain/a%2Fb?x=1&y=%20');
    expect(received!.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    // The rule's noop mutator sets every request header as a session header: repeated lines
    // arrive joined into one (Oathkeeper would keep only the first value).
    expect(headerLines(received!.rawHeaders, 'x-custom')).toEqual(['one, two']);
    expect(received!.headers.cookie).toBe('c=1');
    expect(received!.headers.accept).toBe('text/plain');
  });

  it('adds no User-Agent when the client sent none, and keeps one it sent', async () => {
    await send(proxy.proxyUrl, { path: '/plain' });
    await send(proxy.proxyUrl, { path: '/plain', headers: ['Host', 'app.test', 'User-Agent', 'portal/1'] });
    expect(upstream.received[0]!.headers['user-agent']).toBeUndefined();
    expect(upstream.received[1]!.headers['user-agent']).toBe('portal/1');
  });

  it.each([
    ['/based/x/y', '/base/based/x/y'],
    ['/api/users/1234', '/users/1234'],
    ['/api/../plain/./z/', '/plain/z'],
    ['/plain//double///slash/', '/plain/double/slash'],
  ])('sends %s upstream as %s', async (path, target) => {
    const answer = await send(proxy.proxyUrl, { path });
    expect(answer.status).toBe(200);
    expect(upstream.received.at(-1)!.target).toBe(target);
  });

  it('sends the Host of upstream.url, or the original one with preserve_host', async () => {
    await send(proxy.proxyUrl, { path: '/preserve', headers: ['Host', 'app.test'] });
    expect(upstream.received[0]!.headers.host).toBe('app.test');
  });

  it("sets the mutators' headers over the client's", async () => {
    await send(proxy.proxyUrl, {
      path: '/header',
      headers: [
        'Host',
        'app.test',
        'X-User',
        'admin',
        'x-user',
        'root',
        'X-Custom',
        'one',
        'X-Custom',
        'two',
      ],
    });
    const received = upstream.received[0]!;
    expect(headerLines(received.rawHeaders, 'x-user')).toEqual(['guest']);
    // Headers no mutator touched go as the client sent them, line by line.
    expect(headerLines(received.rawHeaders, 'x-custom')).toEqual(['one', 'two']);
    expect(received.headers['x-path']).toBe('/header');
  });

  it('removes hop-by-hop headers and those named in Connection, both ways; keeps Te: trailers', async () => {
    upstream.answer = (_request, response) => {
      response.writeHead(200, [
        'Content-Type',
        'text/plain',
        'Connection',
        'X-Upstream-Hop',
        'X-Upstream-Hop',
        'secret',
        'Keep-Alive',
        'timeout=5',
        'Proxy-Authenticate',
        'Basic',
        'X-Kept',
        'yes',
      ] as unknown as Record<string, string>);
      response.end('ok');
    };
    const answer = await send(proxy.proxyUrl, {
      path: '/plain',
      headers: [
        'Host',
        'app.test',
        'Connection',
        'keep-alive, X-Hop',
        'X-Hop',
        'drop me',
        'Keep-Alive',
        'timeout=9',
        'Proxy-Authorization',
        'Basic eA==',
        'Proxy-Connection',
        'keep-alive',
        'Te',
        'trailers, deflate',
        'Upgrade-Insecure-Requests',
        '1',
      ],
    });
    const received = upstream.received[0]!.headers;
    expect(received['x-hop']).toBeUndefined();
    expect(received['keep-alive']).toBeUndefined();
    expect(received['proxy-authorization']).toBeUndefined();
    expect(received['proxy-connection']).toBeUndefined();
    expect(received.te).toBe('trailers');
    expect(received['upgrade-insecure-requests']).toBe('1');
    expect(answer.headers['x-upstream-hop']).toBeUndefined();
    expect(answer.headers['proxy-authenticate']).toBeUndefined();
    expect(answer.headers['keep-alive']).not.toBe('timeout=5');
    expect(answer.headers['x-kept']).toBe('yes');
  });

  it('drops X-Forwarded-* and Forwarded from clients and adds none of its own', async () => {
    await send(proxy.proxyUrl, {
      path: '/plain',
      headers: [
        'Host',
        'app.test',
        'X-Forwarded-For',
        '6.6.6.6',
        'x-forwarded-host',
        'evil.test',
        'Forwarded',
        'for=6.6.6.6',
        'X-Forwarded-Proto',
        'https',
      ],
    });
    const names = upstream.received[0]!.rawHeaders.filter((_, index) => index % 2 === 0).map((name) =>
      name.toLowerCase(),
    );
    expect(names.filter((name) => name.startsWith('x-forwarded') || name === 'forwarded')).toEqual([]);
    // An untrusted X-Forwarded-Proto does not make the request https for matching either.
    const secure = await send(proxy.proxyUrl, {
      path: '/secure',
      headers: ['Host', 'app.test', 'X-Forwarded-Proto', 'https'],
    });
    expect(secure.status).toBe(404);
  });

  it('streams a content-length body and a chunked body to the upstream, and both kinds back', async () => {
    upstream.answer = (request, response, body) => {
      if (request.headers['x-answer'] === 'chunked') {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.write(body.subarray(0, 3));
        setTimeout(() => response.end(body.subarray(3)), 20);
      } else {
        response.writeHead(201, { 'content-length': String(body.length) });
        response.end(body);
      }
    };
    const fixed = await send(proxy.proxyUrl, {
      method: 'POST',
      path: '/plain',
      headers: ['Host', 'app.test', 'Content-Length', '11'],
      body: 'hello world',
    });
    expect(fixed.status).toBe(201);
    expect(fixed.body).toBe('hello world');
    expect(fixed.headers['content-length']).toBe('11');
    expect(upstream.received[0]!.headers['content-length']).toBe('11');
    expect(upstream.received[0]!.headers['transfer-encoding']).toBeUndefined();

    // The second part is sent only once the upstream has the first: the body really streams,
    // and with no length known in advance it goes upstream chunked.
    const firstPartArrived = new Promise<void>((resolve) =>
      upstream.server.once('request', (request) => request.once('data', () => resolve())),
    );
    const chunked = await send(proxy.proxyUrl, {
      method: 'PUT',
      path: '/plain',
      headers: ['Host', 'app.test', 'Transfer-Encoding', 'chunked', 'X-Answer', 'chunked'],
      body: [Buffer.from('part one, '), firstPartArrived.then(() => Buffer.from('part two'))],
    });
    expect(chunked.status).toBe(200);
    expect(chunked.body).toBe('part one, part two');
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(upstream.received[1]!.body.toString()).toBe('part one, part two');
    expect(upstream.received[1]!.headers['transfer-encoding']).toBe('chunked');
  });

  it("answers with the pipeline's error and never calls the upstream when access is denied", async () => {
    const answer = await send(proxy.proxyUrl, {
      path: '/deny',
      headers: ['Host', 'app.test', 'X-Request-Id', 'req-7'],
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: 403,
        status: 'Forbidden',
        request: 'req-7',
        message: 'Access credentials are not sufficient to access this resource',
      },
    });
    const unmatched = await send(proxy.proxyUrl, { path: '/nothing-here' });
    expect(unmatched.status).toBe(404);
    expect(upstream.received).toEqual([]);
  });

  it('answers 500 for a rule without an upstream, as Oathkeeper does', async () => {
    const answer = await send(proxy.proxyUrl, { path: '/nowhere' });
    expect(answer.status).toBe(500);
  });

  it('answers 502 with an empty body when nothing listens at the upstream', async () => {
    const answer = await send(proxy.proxyUrl, { path: '/closed' });
    expect(answer.status).toBe(502);
    expect(answer.body).toBe('');
  });

  it('answers 504 when the TLS handshake with the upstream does not complete in time', async () => {
    const started = Date.now();
    const answer = await send(proxy.proxyUrl, { path: '/hang' });
    expect(answer.status).toBe(504);
    expect(answer.body).toBe('');
    expect(silent.sockets.length).toBeGreaterThan(0);
    // The configured 300 ms, not Go's 10 s default.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('adds its CORS headers to what the upstream answers, duplicates included', async () => {
    upstream.answer = (_request, response) => {
      response.writeHead(200, { 'Access-Control-Allow-Origin': '*', Vary: 'Accept' });
      response.end();
    };
    const answer = await send(proxy.proxyUrl, {
      path: '/plain',
      headers: ['Host', 'app.test', 'Origin', 'https://portal.test'],
    });
    expect(headerLines(answer.rawHeaders, 'access-control-allow-origin')).toEqual([
      'https://portal.test',
      '*',
    ]);
    expect(headerLines(answer.rawHeaders, 'vary')).toEqual(['Origin', 'Accept']);
    expect(answer.headers['access-control-allow-credentials']).toBe('true');

    const preflight = await send(proxy.proxyUrl, {
      method: 'OPTIONS',
      path: '/plain',
      headers: ['Host', 'app.test', 'Origin', 'https://portal.test', 'Access-Control-Request-Method', 'PUT'],
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('PUT');
    expect(upstream.received.map((request) => request.method)).toEqual(['GET']);
  });

  it('frees the upstream connection when the client aborts in the middle of its body', async () => {
    let upstreamSawClose = false;
    upstream.answer = () => {};
    const arrived = new Promise<void>((resolve) => {
      upstream.server.once('request', (request) => {
        request.once('data', () => resolve());
        request.socket.once('close', () => {
          upstreamSawClose = true;
        });
      });
    });
    const url = new URL(proxy.proxyUrl);
    const client = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/plain',
      headers: { host: 'app.test', 'content-length': '1000000' },
    });
    client.on('error', () => {});
    client.write(Buffer.alloc(64 * 1024, 1));
    await arrived;
    client.destroy();
    await expect.poll(() => upstreamSawClose, { timeout: 5000 }).toBe(true);
    await expect
      .poll(() => logLines.some((line) => line.includes('"status":499')), { timeout: 5000 })
      .toBe(true);
  });
});
