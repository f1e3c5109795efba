import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortsEnv, type RunningGatehouse, startGatehouse } from '../../support/gatehouse-process.js';

const GIB = 1 << 30;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** `total` bytes, produced as they are read: the test process never holds them either. */
function generated(total: number): Readable {
  let left = total;
  return new Readable({
    read() {
      if (left === 0) return this.push(null);
      const size = Math.min(left, CHUNK.length);
      left -= size;
      this.push(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size));
    },
  });
}

function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return Number(line![1]) * 1024;
}

describe('bodies stream through the proxy in bounded memory', () => {
  let upstream: Server;
  let gatehouse: RunningGatehouse;
  let proxyPort: number;

  beforeAll(async () => {
    // Counts what it receives and sends 1 GiB on request; never buffers a body.
    upstream = createServer((request, response) => {
      let received = 0;
      request.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      request.on('end', () => {
        if (request.url!.startsWith('/download')) {
          const size = request.url === '/download' ? GIB : 64 << 20;
          response.writeHead(200, { 'content-length': String(size) });
          generated(size).pipe(response);
        } else {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end(String(received));
        }
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-streaming-'));
    writeFileSync(
      join(dir, 'rules.json'),
      JSON.stringify([
        {
          id: 'files',
          match: { url: 'http://app.test/<**>', methods: ['GET', 'PUT'] },
          upstream: { url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` },
          authenticators: [{ handler: 'anonymous' }],
          authorizer: { handler: 'allow' },
          mutators: [{ handler: 'noop' }],
        },
      ]),
    );
    writeFileSync(
      join(dir, 'oathkeeper.yml'),
      [
        'log: { level: error }',
        'serve:',
        // The default read timeout (5 s, as Oathkeeper) covers the whole request body.
        '  proxy: { timeout: { read: 10m } }',
        'access_rules:',
        '  matching_strategy: glob',
        `  repositories: ["file://${join(dir, 'rules.json')}"]`,
        'authenticators: { anonymous: { enabled: true } }',
        'authorizers: { allow: { enabled: true } }',
        'mutators: { noop: { enabled: true } }',
      ].join('\n'),
    );
    gatehouse = await startGatehouse(['serve', 'proxy', '-c', join(dir, 'oathkeeper.yml')], {
      env: await freePortsEnv(),
    });
    proxyPort = Number(new URL(gatehouse.urls.proxy!).port);
  });
  afterAll(async () => {
    await gatehouse?.stop();
    upstream.closeAllConnections();
    upstream.close();
  });

  /** Runs `transfer` while sampling the proxy process's resident memory; gives the peak growth. */
  async function peakGrowth(transfer: () => Promise<void>): Promise<number> {
    const pid = gatehouse.child.pid!;
    const before = rssOf(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid));
    }, 20);
    try {
      await transfer();
    } finally {
      clearInterval(sampler);
    }
    return Math.max(peak, rssOf(pid)) - before;
  }

  function send(method: string, path: string, body?: Readable) {
    return new Promise<{ status: number; length: number; text: string }>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: proxyPort, method, path, headers: { host: 'app.test' } },
        (response) => {
          let length = 0;
          let text = '';
          response.on('data', (chunk: Buffer) => {
            length += chunk.length;
            if (text.length < 64) text += chunk.toString();
          });
          response.on('end', () => resolve({ status: response.statusCode!, length, text }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      if (body) pipeline(body, request).catch(reject);
      else request.end();
    });
  }

  it('passes a 1 GiB upload to the upstream with under 64 MiB of memory growth', async () => {
    // A fresh process grows by about 70 MiB the first time it moves bodies at full speed (V8's
    // heap and JIT settling), whatever the size; a 64 MiB transfer each way pays that first, so
    // what is measured is what a 1 GiB body adds. Were bodies buffered, it would add 1 GiB.
    await send('PUT', '/upload', generated(64 << 20));
    await send('GET', '/download-warm-up');
    let answer: Awaited<ReturnType<typeof send>> | undefined;
    const growth = await peakGrowth(async () => {
      answer = await send('PUT', '/upload', generated(GIB));
    });
    expect(answer!.status).toBe(200);
    expect(answer!.text).toBe(String(GIB));
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);

  it('passes a 1 GiB download to the client with under 64 MiB of memory growth', async () => {
    let answer: Awaited<ReturnType<typeof send>> | undefined;
    const growth = await peakGrowth(async () => {
      answer = await send('GET', '/download');
    });
    expect(answer!.status).toBe(200);
    expect(answer!.length).toBe(GIB);
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});
