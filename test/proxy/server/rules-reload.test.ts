import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../support/http-request.js';
import { replaceFile, startProxy } from '../support/proxy-api.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-reload-'));
const rulesFile = join(dir, 'rules.yml');
const logLines: string[] = [];

const rule = (id: string, path: string, authenticator = 'anonymous') =>
  `- id: ${id}\n  match: { url: "http://app.example/${path}", methods: [GET] }\n  authenticators: [{ handler: ${authenticator} }]\n  authorizer: { handler: allow }\n  mutators: [{ handler: header, config: { headers: { X-Rule: ${id} } } }]\n`;

let api: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  replaceFile(rulesFile, rule('a', 'a'));
  writeFileSync(
    join(dir, 'oathkeeper.yml'),
    `access_rules:\n  matching_strategy: glob\n  repositories: ["file://${rulesFile}"]\nauthenticators:\n  anonymous:\n    enabled: true\nauthorizers:\n  allow:\n    enabled: true\nmutators:\n  header:\n    enabled: true\n    config:\n      headers: {}\n`,
  );
  const proxy = await startProxy(join(dir, 'oathkeeper.yml'), dir, logLines);
  api = proxy.url;
  stop = proxy.stop;
});
afterAll(() => stop());

async function decide(path: string): Promise<{ status: number; rule: string | null }> {
  const response = await rawRequest(`${api}/decisions/${path}`, { headers: { Host: 'app.example' } });
  return { status: response.status, rule: (response.headers['x-rule'] as string | undefined) ?? null };
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Keeps 200 decisions for rule `a` in flight while `change` runs; returns every answer. */
async function underLoad(change: () => Promise<void>): Promise<{ status: number; rule: string | null }[]> {
  let running = true;
  const results: { status: number; rule: string | null }[] = [];
  const workers = Array.from({ length: 200 }, async () => {
    while (running) results.push(await decide('a'));
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await change();
  await new Promise((resolve) => setTimeout(resolve, 100));
  running = false;
  await Promise.all(workers);
  return results;
}

describe('reloading access rules while decisions are in flight', () => {
  it('takes a valid new set without failing a single decision', async () => {
    const results = await underLoad(async () => {
      replaceFile(rulesFile, rule('a', 'a') + rule('b', 'b'));
      await until(async () => (await decide('b')).status === 200);
    });
    expect(results.length).toBeGreaterThan(200);
    expect(results.filter((result) => result.status !== 200 || result.rule !== 'a')).toEqual([]);
    expect(await decide('b')).toEqual({ status: 200, rule: 'b' });
  });

  it('keeps valid rules working beside an invalid one, which answers 500 and is hidden from /rules', async () => {
    const results = await underLoad(async () => {
      replaceFile(rulesFile, rule('a', 'a') + rule('c', 'c', 'no_such_handler'));
      await until(async () => (await decide('c')).status === 500);
    });
    expect(results.filter((result) => result.status !== 200)).toEqual([]);
    expect((await decide('b')).status).toBe(404);
    const listed = (await (await fetch(`${api}/rules`)).json()) as { id: string }[];
    expect(listed.map((entry) => entry.id)).toEqual(['a']);
    expect(logLines.join('\n')).toContain('unknown authenticator \\"no_such_handler\\"');
  });

  it('keeps the last good set when the file stops parsing, and says why', async () => {
    const results = await underLoad(async () => {
      replaceFile(rulesFile, '- id: [broken\n');
      await until(async () => logLines.some((line) => line.includes('access rules do not parse')));
    });
    expect(results.filter((result) => result.status !== 200)).toEqual([]);
    expect((await decide('c')).status).toBe(500);
  });
});
