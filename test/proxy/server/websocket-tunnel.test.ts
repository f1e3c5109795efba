import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startProxy } from '../support/proxy-api.js';

describe('WebSocket upgrades through the proxy port', () => {
  let echo: WebSocketServer;
  const upgrades: IncomingMessage[] = [];
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeAll(async () => {
    echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => echo.once('listening', resolve));
    echo.on('connection', (socket, request) => {
      upgrades.push(request);
      socket.on('message', (data, binary) => socket.send(binary ? data : `echo: ${data}`, { binary }));
    });
    const upstream = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ws-'));
    const rule = (id: string, authenticator: string, authorizer: string) => ({
      id,
      match: { url: `http://app.test/${id}/<**>`, methods: ['GET'] },
      upstream: { url: upstream, strip_path: `/${id}` },
      authenticators: [{ handler: authenticator }],
      authorizer: { handler: authorizer },
      mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
    });
    writeFileSync(
      join(dir, 'rules.json'),
      JSON.stringify([
        rule('open', 'anonymous', 'allow'),
        rule('signed-in', 'unauthorized', 'allow'),
        rule('forbidden', 'anonymous', 'deny'),
      ]),
    );
    writeFileSync(
      join(dir, 'oathkeeper.yml'),
      [
        'access_rules:',
        '  matching_strategy: glob',
        `  repositories: ["file://${join(dir, 'rules.json')}"]`,
        'errors: { handlers: { json: { enabled: true, config: { verbose: true } } } }',
        'authenticators:',
        '  anonymous: { enabled: true, config: { subject: guest } }',
        '  unauthorized: { enabled: true }',
        'authorizers: { allow: { enabled: true }, deny: { enabled: true } }',
        'mutators: { header: { enabled: true, config: { headers: {} } } }',
      ].join('\n'),
    );
    proxy = await startProxy(join(dir, 'oathkeeper.yml'), dir);
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise((resolve) => echo.close(resolve));
  });

  function connect(path: string) {
    return new WebSocket(`${proxy.proxyUrl.replace('http', 'ws')}${path}`, { headers: { host: 'app.test' } });
  }

  it('tunnels an allowed upgrade: messages echo both ways and the upstream sees the session header', async () => {
    const socket = connect('/open/chat?room=1');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const replies: string[] = [];
    const twoReplies = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        replies.push(String(data));
        if (replies.length === 2) resolve();
      }),
    );
    socket.send('hello');
    socket.send('again');
    await twoReplies;
    expect(replies).toEqual(['echo: hello', 'echo: again']);

    // A large binary frame crosses intact.
    const big = Buffer.alloc(1 << 20, 7);
    const back = new Promise<Buffer>((resolve) => socket.once('message', (data) => resolve(data as Buffer)));
    socket.send(big, { binary: true });
    expect((await back).equals(big)).toBe(true);

    const upgrade = upgrades.at(-1)!;
    expect(upgrade.url).toBe('/chat?room=1');
    expect(upgrade.headers['x-user']).toBe('guest');
    expect(upgrade.headers.host).toBe(`127.0.0.1:${(echo.address() as AddressInfo).port}`);
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
  });

  it.each([
    ['/signed-in/chat', 401],
    ['/forbidden/chat', 403],
    ['/unknown/chat', 404],
  ])('refuses the upgrade of %s with %i and never reaches the upstream', async (path, status) => {
    const before = upgrades.length;
    const socket = connect(path);
    const refused = await new Promise<number>((resolve, reject) => {
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode!));
      socket.once('open', () => reject(new Error('the upgrade was allowed')));
      socket.once('error', () => {});
    });
    expect(refused).toBe(status);
    expect(upgrades.length).toBe(before);
  });
});
