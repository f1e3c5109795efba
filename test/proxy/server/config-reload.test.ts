import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../support/http-request.js';
import { replaceFile, startProxy } from '../support/proxy-api.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-reload-'));
const configFile = join(dir, 'oathkeeper.yml');
const logLines: string[] = [];

const config = (anonymousEnabled: boolean) =>
  `access_rules:\n  matching_strategy: glob\n  repositories: ["file://${join(dir, 'rules.yml')}"]\nauthenticators:\n  anonymous:\n    enabled: ${anonymousEnabled}\nauthorizers:\n  allow:\n    enabled: true\nmutators:\n  noop:\n    enabled: true\n`;

let api: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  writeFileSync(
    join(dir, 'rules.yml'),
    '- id: a\n  match: { url: "http://app.example/a", methods: [GET] }\n  authenticators: [{ handler: anonymous }]\n  authorizer: { handler: allow }\n  mutators: [{ handler: noop }]\n',
  );
  replaceFile(configFile, config(true));
  const proxy = await startProxy(configFile, dir, logLines);
  api = proxy.url;
  stop = proxy.stop;
});
afterAll(() => stop());

async function statusWhen(expected: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { status } = await rawRequest(`${api}/decisions/a`, { headers: { Host: 'app.example' } });
    if (status === expected || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('changing the proxy config while it runs', () => {
  it('applies a handler switched off, and on again, without a restart', async () => {
    expect(await statusWhen(200)).toBe(200);
    replaceFile(configFile, config(false));
    expect(await statusWhen(500)).toBe(500);
    replaceFile(configFile, config(true));
    expect(await statusWhen(200)).toBe(200);
    expect(logLines.some((line) => line.includes('proxy config reloaded'))).toBe(true);
  });

  it('keeps the running config when a change does not load, and says why', async () => {
    replaceFile(configFile, 'authenticators:\n  anonymous:\n    enabled: maybe\n');
    const deadline = Date.now() + 5_000;
    while (!logLines.some((line) => line.includes('does not load')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const line = logLines.find((entry) => entry.includes('does not load'))!;
    expect(line).toContain('authenticators.anonymous.enabled: must be a boolean');
    expect(await statusWhen(200)).toBe(200);
  });
});
