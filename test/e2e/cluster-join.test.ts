import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  freePortsEnv,
  type RunningGatehouse,
  runGatehouse,
  startGatehouse,
} from '../support/gatehouse-process.js';

const root = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-'));
const first = join(root, 'node-1');

/** A node on this machine: its own folder (standing for its host) and its own loopback ports. */
async function startNode(dir: string): Promise<RunningGatehouse> {
  return startGatehouse(
    ['serve', '-c', join(dir, 'kratos.yml'), '-p', join(dir, 'oathkeeper.yml'), '--migrate'],
    {
      cwd: dir,
      env: {
        ...(await freePortsEnv()),
        DSN: `sqlite://${join(dir, 'db.sqlite')}?_fk=true`,
        SERVE_PUBLIC_HOST: '127.0.0.1',
        SERVE_ADMIN_HOST: '127.0.0.1',
        SERVE_PROXY_HOST: '127.0.0.1',
        SERVE_API_HOST: '127.0.0.1',
      },
    },
  );
}

/**
 * Copies a node's config folder, as an operator copies it to a new host. On a real host the folder
 * has the same absolute path; here each "host" is another folder, so the paths in it are moved along.
 */
function copyNode(from: string, name: string): string {
  const to = join(root, name);
  cpSync(from, to, { recursive: true, filter: (path) => !path.endsWith('db.sqlite') });
  for (const file of ['kratos.yml', 'oathkeeper.yml']) {
    writeFileSync(join(to, file), readFileSync(join(to, file), 'utf8').replaceAll(`${from}/`, `${to}/`));
  }
  return to;
}

/** `gatehouse cluster join` for the node configured in `dir`, against a running node. */
function joinCheck(dir: string, peer: RunningGatehouse, options: { secrets: boolean }) {
  return runGatehouse([
    'cluster',
    'join',
    '--keys',
    join(dir, 'id_token.jwks.json'),
    '--peer',
    peer.urls['proxy API']!,
    ...(options.secrets ? ['-c', join(dir, 'kratos.yml'), '--peer-admin', peer.urls['identity admin']!] : []),
  ]);
}

describe('a new cluster and the nodes that join it', () => {
  const running: RunningGatehouse[] = [];
  let node1: RunningGatehouse;
  beforeAll(async () => {
    const init = await runGatehouse(['cluster', 'init', '--dir', first, '--no-haveibeenpwned']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    node1 = await startNode(first);
    running.push(node1);
  });
  afterAll(async () => {
    for (const node of running) await node.stop();
  });

  it('init writes configs that load, secrets that differ from the samples, and keeps secret files private', async () => {
    const kratos = readFileSync(join(first, 'kratos.yml'), 'utf8');
    const { secrets } = parse(kratos) as { secrets: Record<string, string[]> };
    expect(secrets.default![0]).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.cookie![0]).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.cipher![0]).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set([secrets.default![0], secrets.cookie![0]]).size).toBe(2);
    expect(kratos).toContain('haveibeenpwned_enabled: false');
    for (const file of ['kratos.yml', 'id_token.jwks.json']) {
      expect(statSync(join(first, file)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(first, '.gitignore'), 'utf8')).toMatch(/^kratos\.yml$/m);
    expect(readFileSync(join(first, 'oathkeeper.yml'), 'utf8')).toContain(
      `jwks_url: file://${first}/id_token.jwks.json`,
    );
    const check = await runGatehouse([
      'config',
      'check',
      '-c',
      join(first, 'kratos.yml'),
      '-p',
      join(first, 'oathkeeper.yml'),
    ]);
    expect(check.code).toBe(0);
    // A second init into the same folder would destroy the cluster's keys: refused.
    const again = await runGatehouse(['cluster', 'init', '--dir', first]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /already has kratos\.yml, .*id_token\.jwks\.json.*; pass --force to replace them/,
    );
  });

  it('join passes for a node with the same key file and secrets', async () => {
    const second = copyNode(first, 'node-2');
    const result = await joinCheck(second, node1, { secrets: true });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `this node matches ${node1.urls['proxy API']}: same keys and secrets; it can join the cluster\n`,
    );
    expect(result.code).toBe(0);
  });

  it('join fails with a diff for a node with another key set', async () => {
    const stray = copyNode(first, 'node-stray-keys');
    const generated = await runGatehouse([
      'keys',
      'generate',
      '--kid',
      'stray',
      '-o',
      join(stray, 'id_token.jwks.json'),
      '--force',
    ]);
    expect(generated.code).toBe(0);
    const clusterKid = (
      JSON.parse(readFileSync(join(first, 'id_token.jwks.json'), 'utf8')) as { keys: { kid: string }[] }
    ).keys[0]!.kid;
    const result = await joinCheck(stray, node1, { secrets: false });
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`gatehouse: this node does not match ${node1.urls['proxy API']}:`);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^- key "stray" \([\w-]{43}\) is in .*node-stray-keys\/id_token\.jwks\.json but not in /,
      ),
      expect.stringMatching(
        new RegExp(`^- key "${clusterKid}" \\([\\w-]{43}\\) is in http://127\\.0\\.0\\.1:\\d+/ but not in `),
      ),
    ]);
  });

  it('join fails naming the secret that differs, without showing any secret', async () => {
    const stray = copyNode(first, 'node-stray-secret');
    const kratos = join(stray, 'kratos.yml');
    const text = readFileSync(kratos, 'utf8');
    const cookieSecret = /cookie:\n\s+- (\S+)/.exec(text)![1]!;
    writeFileSync(kratos, text.replace(cookieSecret, 'another-cookie-secret-0123456789abcdef'));
    const result = await joinCheck(stray, node1, { secrets: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `- secrets.cookie differs from ${node1.urls['identity admin']}'s: sessions made on one node would be rejected by the other`,
    );
    expect(result.stderr).not.toMatch(/secrets\.(default|cipher) differs/);
    expect(result.stderr).not.toContain(cookieSecret);
    expect(result.stderr).not.toContain('another-cookie-secret');
  });

  it('check reports agreement across nodes, and drift when one node has other keys', async () => {
    const node2 = await startNode(copyNode(first, 'node-2-running'));
    running.push(node2);
    const agree = await runGatehouse([
      'cluster',
      'check',
      node1.urls['proxy API']!,
      node2.urls['proxy API']!,
      '--admin',
      node1.urls['identity admin']!,
      node2.urls['identity admin']!,
    ]);
    expect(agree.stderr).toBe('');
    expect(agree.stdout).toBe('2 nodes agree: 1 published key(s), same secrets on 2 identity server(s)\n');

    const driftDir = copyNode(first, 'node-3-drift');
    expect(
      (
        await runGatehouse([
          'keys',
          'generate',
          '--kid',
          'drift',
          '-o',
          join(driftDir, 'id_token.jwks.json'),
          '--force',
        ])
      ).code,
    ).toBe(0);
    const node3 = await startNode(driftDir);
    running.push(node3);
    const drift = await runGatehouse([
      'cluster',
      'check',
      node1.urls['proxy API']!,
      node2.urls['proxy API']!,
      node3.urls['proxy API']!,
    ]);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toMatch(/^gatehouse: the nodes disagree:\n/);
    expect(drift.stderr).toContain(`- key "drift" (`);
    expect(drift.stderr).toContain(`is in ${node3.urls['proxy API']} but not in ${node1.urls['proxy API']}`);
  });
});
