import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy } from '../support/proxy-api.js';
import { type StubUpstream, startStubUpstream } from '../support/stub-upstream.js';

const TLS = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));

/** A proxy whose one rule forwards everything under http(s)://app.test/ to a stub upstream. */
async function proxyWith(serve: string[], upstream: StubUpstream) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-listener-'));
  writeFileSync(
    join(dir, 'rules.json'),
    JSON.stringify([
      {
        id: 'all',
        match: { url: '<http|https>://app.test/<.*>', methods: ['GET', 'POST'] },
        upstream: { url: upstream.url },
        authenticators: [{ handler: 'anonymous' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'noop' }],
      },
    ]),
  );
  writeFileSync(
    join(dir, 'oathkeeper.yml'),
    [
      ...(serve.length > 0 ? ['serve:', '  proxy:', ...serve.map((line) => `    ${line}`)] : []),
      'access_rules:',
      `  repositories: ["file://${join(dir, 'rules.json')}"]`,
      'authenticators: { anonymous: { enabled: true } }',
      'authorizers: { allow: { enabled: true } }',
      'mutators: { noop: { enabled: true } }',
    ].join('\n'),
  );
  return startProxy(join(dir, 'oathkeeper.yml'), dir);
}

function rawExchange(
  port: number,
  text: string,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, received: () => received, closed }));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.write(text);
  });
}

describe('the proxy listener', () => {
  let upstream: StubUpstream;
  let proxy: Awaited<ReturnType<typeof proxyWith>> | undefined;
  afterEach(async () => {
    await proxy?.stop();
    await upstream?.close();
  });

  it('serves HTTPS only when serve.proxy.tls names a certificate and key, and rules see https', async () => {
    upstream = await startStubUpstream();
    proxy = await proxyWith(
      [
        'tls:',
        `  cert: { path: ${join(TLS, 'localhost.crt')} }`,
        `  key: { base64: ${readFileSync(join(TLS, 'localhost.key')).toString('base64')} }`,
      ],
      upstream,
    );
    expect(proxy.proxyUrl.startsWith('https://')).toBe(true);
    const status = await new Promise<number>((resolve, reject) => {
      httpsRequest(
        `${proxy!.proxyUrl}/secure`,
        {
          headers: { host: 'app.test' },
          servername: 'localhost',
          ca: readFileSync(join(TLS, 'localhost.crt')),
        },
        (response) => {
          response.resume();
          resolve(response.statusCode!);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    expect(upstream.received[0]!.target).toBe('/secure');
    // Plain HTTP on the TLS port gets no HTTP answer.
    const plain = await rawExchange(
      Number(new URL(proxy.proxyUrl).port),
      'GET / HTTP/1.1\r\nHost: app.test\r\n\r\n',
    );
    await plain.closed;
    expect(plain.received()).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('serves the API over HTTPS too when serve.api.tls is set', async () => {
    upstream = await startStubUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-api-tls-'));
    writeFileSync(
      join(dir, 'oathkeeper.yml'),
      `serve:\n  api:\n    tls:\n      cert: { path: ${join(TLS, 'localhost.crt')} }\n      key: { path: ${join(TLS, 'localhost.key')} }\n`,
    );
    proxy = await startProxy(join(dir, 'oathkeeper.yml'), dir);
    expect(proxy.url.startsWith('https://')).toBe(true);
    const body = await new Promise<string>((resolve, reject) => {
      httpsRequest(
        `${proxy!.url}/health/alive`,
        { ca: readFileSync(join(TLS, 'localhost.crt')), servername: 'localhost' },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve(text));
        },
      )
        .on('error', reject)
        .end();
    });
    expect(JSON.parse(body)).toEqual({ status: 'ok' });
  });

  it('refuses to start when only one of cert and key is set, naming the key', async () => {
    upstream = await startStubUpstream();
    await expect(
      proxyWith(['tls:', `  cert: { path: ${join(TLS, 'localhost.crt')} }`], upstream),
    ).rejects.toThrow('serve.proxy.tls: cert is set but key is not');
    await expect(
      proxyWith(
        ['tls:', '  cert: { path: /nonexistent.crt }', '  key: { path: /nonexistent.key }'],
        upstream,
      ),
    ).rejects.toThrow('serve.proxy.tls.cert.path: cannot read /nonexistent.crt: ENOENT');
  });

  it('accepts request headers up to 1 MiB, as Go does, where Node would stop at 16 KiB', async () => {
    upstream = await startStubUpstream();
    proxy = await proxyWith([], upstream);
    const big = 'x'.repeat(900 * 1024);
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest(`${proxy!.proxyUrl}/big`, { headers: { host: 'app.test', 'x-big': big } }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    expect(upstream.received[0]!.headers['x-big']).toBe(big);
  });

  it('cuts a request whose body is not complete within serve.proxy.timeout.read', async () => {
    upstream = await startStubUpstream();
    proxy = await proxyWith(['timeout: { read: 300ms }'], upstream);
    const port = Number(new URL(proxy.proxyUrl).port);
    const started = Date.now();
    const slow = await rawExchange(
      port,
      'POST /slow HTTP/1.1\r\nHost: app.test\r\nContent-Length: 100\r\n\r\nonly part of it',
    );
    await slow.closed;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(upstream.received).toEqual([]);
  });

  it('cuts a response not written within serve.proxy.timeout.write', async () => {
    upstream = await startStubUpstream();
    upstream.answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first part');
      // The rest never comes.
    };
    proxy = await proxyWith(['timeout: { write: 300ms }'], upstream);
    const started = Date.now();
    const exchange = await rawExchange(
      Number(new URL(proxy.proxyUrl).port),
      'GET /stuck HTTP/1.1\r\nHost: app.test\r\n\r\n',
    );
    await exchange.closed;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(exchange.received()).toContain('first part');
  });

  it('closes a keep-alive connection idle for serve.proxy.timeout.idle', async () => {
    upstream = await startStubUpstream();
    proxy = await proxyWith(['timeout: { idle: 300ms }'], upstream);
    const started = Date.now();
    const exchange = await rawExchange(
      Number(new URL(proxy.proxyUrl).port),
      'GET /one HTTP/1.1\r\nHost: app.test\r\n\r\n',
    );
    await exchange.closed;
    const elapsed = Date.now() - started;
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5000);
  });
});
