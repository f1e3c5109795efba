import { Command } from 'commander';
import { compareKeySets, publishedKeys } from '../cluster/compare-key-sets.js';
import { initCluster } from '../cluster/init-cluster.js';
import {
  compareFingerprints,
  type SecretsFingerprint,
  secretsFingerprint,
} from '../cluster/secrets-fingerprint.js';
import { loadIdentityConfig } from '../config/identity-config.js';
import type { JsonWebKeySet } from '../keys/json-web-key.js';
import { readKeySetFile } from '../keys/key-file.js';
import { loadVerificationKeySet } from '../keys/verification-key-set.js';
import { cryptoRandom } from '../random.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';

/** `gatehouse cluster ...`: set up a new cluster, check a node before it joins, find drift. */
export function clusterCommand(io: CliIo): Command {
  const cluster = new Command('cluster').description('set up a cluster and check that its nodes agree');

  cluster.addCommand(
    new Command('init')
      .description('write a config folder for a new cluster: configs, a fresh key set and fresh secrets')
      .option('--dir <dir>', 'folder to write', 'gatehouse-cluster')
      .option('--no-haveibeenpwned', 'turn the breached-password check off (no route to its range API)')
      .option('--force', 'replace files that exist already')
      .action(async (flags: { dir: string; haveibeenpwned: boolean; force?: boolean }) => {
        let result: Awaited<ReturnType<typeof initCluster>>;
        try {
          result = await initCluster({
            dir: flags.dir,
            random: cryptoRandom,
            force: flags.force,
            haveibeenpwned: flags.haveibeenpwned,
          });
        } catch (error) {
          throw new CliError((error as Error).message);
        }
        const dir = result.dir;
        io.stdout.write(
          [
            `wrote a new cluster's config to ${dir}/:`,
            ...result.written.map((file) => `  ${file}`),
            '',
            'Before the first start, edit:',
            `  ${dir}/kratos.yml      dsn (one PostgreSQL or CockroachDB database for all nodes), serve.*.base_url,`,
            '                          selfservice URLs, session.cookie.domain, courier.smtp.connection_uri',
            `                          (or leave the password out and set COURIER_SMTP_CONNECTION_URI on each node)`,
            `  ${dir}/oathkeeper.yml  issuer_url and the authenticators' check_session_url`,
            `  ${dir}/access-rules.yml the rules for your upstream services`,
            '',
            'Keep secret, out of version control (the .gitignore here says so), and identical on every node:',
            `  ${dir}/kratos.yml          its secrets sign session cookies; the SMTP password goes here too`,
            `  ${dir}/id_token.jwks.json  the private key that signs every JWT upstream services trust`,
            'Keep a copy of both in your secrets store or password manager; copy them to new nodes over SSH,',
            'never by e-mail or chat. Then, on each node: gatehouse -c kratos.yml migrate sql -e --yes,',
            'gatehouse serve -c kratos.yml -p oathkeeper.yml. Check a new node with `gatehouse cluster join`.',
            '',
          ].join('\n'),
        );
      }),
  );

  cluster.addCommand(
    new Command('join')
      .description("check a node's copied key set (and secrets) against a running node before it serves")
      .requiredOption('--keys <file>', 'the key set copied to this node')
      .requiredOption('--peer <url>', "a running node's proxy API, e.g. http://10.0.0.1:4456")
      .option('-c, --config <file>', "this node's identity config, to compare secrets as well")
      .option(
        '--peer-admin <url>',
        "the running node's identity admin API (needed with -c), e.g. http://10.0.0.1:4434",
      )
      .action(async (flags: { keys: string; peer: string; config?: string; peerAdmin?: string }) => {
        const set = readKeySetFile(flags.keys);
        loadVerificationKeySet(set, flags.keys);
        const differences = compareKeySets(publishedKeys(set), publishedKeys(await fetchJwks(flags.peer)), {
          left: flags.keys,
          right: flags.peer,
        });
        if (flags.config) {
          if (!flags.peerAdmin)
            throw new CliError('with -c, pass --peer-admin with the running node’s identity admin URL');
          const config = loadIdentityConfig({ files: [flags.config], env: io.env });
          const peer = await fetchFingerprint(flags.peerAdmin);
          differences.push(
            ...compareFingerprints(secretsFingerprint(config.secrets), peer, flags.peerAdmin).map(
              (line) => `- ${line}`,
            ),
          );
        }
        if (differences.length > 0) {
          throw new CliError(`this node does not match ${flags.peer}:\n${differences.join('\n')}`);
        }
        io.stdout.write(
          `this node matches ${flags.peer}: same keys${flags.config ? ' and secrets' : ''}; it can join the cluster\n`,
        );
      }),
  );

  cluster.addCommand(
    new Command('check')
      .description(
        'compare what several running nodes publish (keys, and secrets with --admin) and report drift',
      )
      .argument('<url...>', "each node's proxy API, e.g. http://10.0.0.1:4456")
      .option('--admin <url...>', "each node's identity admin API, to compare secrets too")
      .action(async (urls: string[], flags: { admin?: string[] }) => {
        const differences: string[] = [];
        const sets = await Promise.all(urls.map(async (url) => publishedKeys(await fetchJwks(url))));
        const reference = sets[0]!;
        sets.slice(1).forEach((set, index) => {
          differences.push(...compareKeySets(reference, set, { left: urls[0]!, right: urls[index + 1]! }));
        });
        const admins = flags.admin ?? [];
        if (admins.length > 0) {
          const fingerprints = await Promise.all(admins.map(fetchFingerprint));
          fingerprints.slice(1).forEach((fingerprint, index) => {
            differences.push(
              ...compareFingerprints(fingerprints[0]!, fingerprint, admins[index + 1]!).map(
                (line) => `- ${admins[0]}: ${line}`,
              ),
            );
          });
        }
        if (differences.length > 0) throw new CliError(`the nodes disagree:\n${differences.join('\n')}`);
        io.stdout.write(
          `${urls.length} nodes agree: ${reference.size} published key(s)${admins.length > 0 ? `, same secrets on ${admins.length} identity server(s)` : ''}\n`,
        );
      }),
  );
  return cluster;
}

async function fetchJson(url: string, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    throw new CliError(
      `cannot reach ${url} for ${what}: ${(error as Error).cause ? String((error as { cause: Error }).cause.message) : (error as Error).message}`,
    );
  }
  if (!response.ok) throw new CliError(`${url} answered ${response.status} for ${what}`);
  return response.json();
}

async function fetchJwks(proxyApi: string): Promise<JsonWebKeySet> {
  const url = new URL('/.well-known/jwks.json', proxyApi).href;
  const body = (await fetchJson(url, 'its published keys')) as JsonWebKeySet;
  if (!Array.isArray(body?.keys)) throw new CliError(`${url} did not answer with a key set`);
  return body;
}

async function fetchFingerprint(adminApi: string): Promise<SecretsFingerprint> {
  const url = new URL('/admin/gatehouse/fingerprint', adminApi).href;
  const body = (await fetchJson(url, 'its secrets fingerprint')) as { secrets?: SecretsFingerprint };
  if (!body?.secrets)
    throw new CliError(
      `${url} did not answer with a secrets fingerprint (is it a gatehouse identity admin API?)`,
    );
  return body.secrets;
}
