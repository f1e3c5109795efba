import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../support/http-request.js';
import { replaceFile, startProxy } from '../support/proxy-api.js';
import { type StubUpstream, startStubUpstream } from '../support/stub-upstream.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-proxy-reload-'));
const rulesFile = join(dir, 'rules.yml');
let upstream: StubUpstream;
let proxy: Awaited<ReturnType<typeof startProxy>>;

/** A rule forwarding /PATH to the stub upstream, which is told the rule's name in X-Rule. */
const rule = (id: string, path: string, name = id) =>
  `- id: ${id}\n  match: { url: "http://app.example/${path}", methods: [GET] }\n  upstream: { url: "${upstream.url}" }\n  authenticators: [{ handler: anonymous }]\n  authorizer: { handler: allow }\n  mutators: [{ handler: header, config: { headers: { X-Rule: ${name} } } }]\n`;

beforeAll(async () => {
  upstream = await startStubUpstream();
  // A short wait at the upstream keeps many requests in flight across the reload.
  upstream.answer = (request, response) => {
    setTimeout(() => {
      response.writeHead(200, { 'x-seen-rule': String(request.headers['x-rule']) });
      response.end('ok');
    }, 2);
  };
  replaceFile(rulesFile, rule('a', 'a'));
  writeFileSync(
    join(dir, 'oathkeeper.yml'),
    `access_rules:\n  matching_strategy: glob\n  repositories: ["file://${rulesFile}"]\nauthenticators:\n  anonymous:\n    enabled: true\nauthorizers:\n  allow:\n    enabled: true\nmutators:\n  header:\n    enabled: true\n    config:\n      headers: {}\n`,
  );
  proxy = await startProxy(join(dir, 'oathkeeper.yml'), dir);
});
afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

async function get(path: string): Promise<{ status: number; rule: string | null }> {
  const response = await rawRequest(`${proxy.proxyUrl}/${path}`, { headers: { Host: 'app.example' } });
  return { status: response.status, rule: (response.headers['x-seen-rule'] as string | undefined) ?? null };
}

describe('reloading access rules while proxied requests are in flight', () => {
  it('fails none of 200 concurrent requests, and later requests follow the new rules', async () => {
    let running = true;
    const results: { status: number; rule: string | null }[] = [];
    const workers = Array.from({ length: 200 }, async () => {
      while (running) results.push(await get('a'));
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The same path now belongs to a rule that tells the upstream something else, beside a new one.
    replaceFile(rulesFile, rule('a', 'a', 'a-v2') + rule('b', 'b'));
    const deadline = Date.now() + 5000;
    while ((await get('b')).status !== 200) {
      if (Date.now() > deadline) throw new Error('the new rules were not loaded within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    running = false;
    await Promise.all(workers);

    expect(results.length).toBeGreaterThan(400);
    expect(results.filter((result) => result.status !== 200)).toEqual([]);
    expect(new Set(results.map((result) => result.rule))).toEqual(new Set(['a', 'a-v2']));
    const later = await Promise.all(Array.from({ length: 50 }, () => get('a')));
    expect(later.every((result) => result.status === 200 && result.rule === 'a-v2')).toBe(true);
    expect(await get('b')).toEqual({ status: 200, rule: 'b' });
  });
});
