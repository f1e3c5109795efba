import { Command, Option } from 'commander';
import { parseDuration } from '../config/duration.js';
import { getPath } from '../config/object-path.js';
import { loadProxyConfig } from '../config/proxy-config.js';
import { generateKeySet, type KeySetFormat, SIGNING_ALGORITHMS } from '../keys/generate-key-set.js';
import { formatKeySetReport, inspectKeySet } from '../keys/inspect-key-set.js';
import { formatKeySet, readKeySetFile, writeSecretFile } from '../keys/key-file.js';
import { publicKeySet } from '../keys/public-key-set.js';
import { addKey, currentSigner, promoteKey, retireKey } from '../keys/rotation.js';
import { loadVerificationKeySet } from '../keys/verification-key-set.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';

interface GenerateFlags {
  alg: string;
  bits?: string;
  kid?: string;
  format: KeySetFormat;
  output?: string;
  force?: boolean;
}

const algOption = () =>
  new Option('--alg <alg>', 'signing algorithm').choices([...SIGNING_ALGORITHMS]).default('RS256');
const bitsOption = () => new Option('--bits <n>', 'RSA key size (at least 2048)');
const formatOption = () =>
  new Option('--format <format>', 'single: one private key; hydra: private:<id> + public:<id> pair')
    .choices(['single', 'hydra'])
    .default('single');

function parseBits(bits: string | undefined): number | undefined {
  if (bits === undefined) return undefined;
  if (!/^\d+$/.test(bits)) throw new CliError(`--bits must be a whole number, got "${bits}"`);
  return Number(bits);
}

async function generate(flags: { alg: string; bits?: string; kid?: string; format?: KeySetFormat }) {
  try {
    return await generateKeySet({
      alg: flags.alg,
      bits: parseBits(flags.bits),
      kid: flags.kid,
      format: flags.format,
    });
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message);
  }
}

/** `gatehouse keys ...`: generate, publish, inspect and rotate the id_token signing key set. */
export function keysCommand(io: CliIo): Command {
  const keys = new Command('keys').description('the JWKS that signs the JWTs upstream services receive');

  keys.addCommand(
    new Command('generate')
      .description('make a new key set (written with mode 0600; to stdout without -o)')
      .addOption(algOption())
      .addOption(bitsOption())
      .option('--kid <id>', 'key id (default: a random UUID)')
      .addOption(formatOption())
      .option('-o, --output <file>', 'write to this file instead of stdout')
      .option('--force', 'replace an existing file')
      .action(async (flags: GenerateFlags) => {
        const set = await generate(flags);
        if (flags.output) {
          writeOrExplain(flags.output, formatKeySet(set), flags.force === true);
          io.stderr.write(
            `wrote ${flags.output} (mode 0600): keep it secret, and copy the same file to every node\n`,
          );
        } else {
          io.stdout.write(formatKeySet(set));
        }
      }),
  );

  keys.addCommand(
    new Command('public')
      .description('print the public half of a key set, as the proxy publishes it at /.well-known/jwks.json')
      .argument('<file>', 'key set file')
      .action((file: string) => {
        const set = readKeySetFile(file);
        loadVerificationKeySet(set, file);
        io.stdout.write(formatKeySet(publicKeySet([set])));
      }),
  );

  keys.addCommand(
    new Command('inspect')
      .description('list the keys of a set, which one signs and which kid the JWT header carries')
      .argument('<file>', 'key set file')
      .action((file: string) => {
        const report = inspectKeySet(readKeySetFile(file), file);
        io.stdout.write(formatKeySetReport(report));
        if (report.cannotSign && report.rows.some((row) => row.private)) process.exitCode = 1;
      }),
  );

  keys.addCommand(
    new Command('rotate')
      .description(
        'rotate without breaking verification: add a key (published, not signing yet), then --promote it, then --retire the old one',
      )
      .argument('<file>', 'key set file, changed in place')
      .addOption(algOption())
      .addOption(bitsOption())
      .addOption(formatOption())
      .option('--promote <kid>', 'make this key the signing key')
      .option('--retire <kid>', 'remove this key (refused while tokens it signed may be valid)')
      .option('--ttl <duration>', 'id_token lifetime, for --retire (default: from -p, else 15m)')
      .option('-p, --proxy-config <file>', 'Oathkeeper config to read the id_token ttl from')
      .option('--force', 'skip the safety checks of --promote and --retire')
      .action(
        async (
          file: string,
          flags: {
            alg: string;
            bits?: string;
            format: KeySetFormat;
            promote?: string;
            retire?: string;
            ttl?: string;
            proxyConfig?: string;
            force?: boolean;
          },
        ) => {
          if (flags.promote && flags.retire)
            throw new CliError('--promote and --retire are separate steps: run them one at a time');
          const set = readKeySetFile(file);
          const now = new Date();
          let next: typeof set;
          let message: string;
          if (flags.promote) {
            next = promoteKey(set, flags.promote, now, file, { force: flags.force });
            message = `key "${flags.promote}" signs from now on; retire the old one after the id_token ttl`;
          } else if (flags.retire) {
            const ttlMs = readTtl(flags, io);
            next = retireKey(set, flags.retire, { now, ttlMs, force: flags.force, source: file });
            message = `key "${flags.retire}" removed`;
          } else {
            const added = await generate({ alg: flags.alg, bits: flags.bits, format: flags.format });
            next = addKey(set, added.keys, now, file);
            const kid = added.keys[0]!.kid;
            message = `added key "${kid}": published, not signing. Copy the file to every node, wait for verifiers to fetch it (docs/keys.md), then: gatehouse keys rotate ${file} --promote ${kid}`;
          }
          writeSecretFile(file, formatKeySet(next), { overwrite: true });
          const { signerKid, headerKid } = currentSigner(next, file);
          io.stdout.write(`${message}\nsigning key: ${signerKid}; JWT header kid: ${headerKid}\n`);
        },
      ),
  );
  return keys;
}

/** `gatehouse credentials generate`: Oathkeeper's command, same output. */
export function credentialsCommand(io: CliIo): Command {
  const credentials = new Command('credentials').description('Oathkeeper-compatible key generation');
  credentials.addCommand(
    new Command('generate')
      .description('print a new JWKS with one private signing key (like `oathkeeper credentials generate`)')
      .addOption(new Option('--alg <alg>', 'signing algorithm').makeOptionMandatory())
      .addOption(bitsOption())
      .option('--kid <id>', 'key id (default: a random UUID)')
      .action(async (flags: { alg: string; bits?: string; kid?: string }) => {
        io.stdout.write(formatKeySet(await generate(flags)));
      }),
  );
  return credentials;
}

function writeOrExplain(path: string, content: string, overwrite: boolean): void {
  try {
    writeSecretFile(path, content, { overwrite });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

function readTtl(flags: { ttl?: string; proxyConfig?: string }, io: CliIo): number {
  const text =
    flags.ttl ??
    (flags.proxyConfig
      ? (getPath(loadProxyConfig({ files: [flags.proxyConfig], env: io.env }).document, [
          'mutators',
          'id_token',
          'config',
          'ttl',
        ]) as string | undefined)
      : undefined) ??
    '15m';
  try {
    return parseDuration(text);
  } catch (error) {
    throw new CliError(`--ttl: ${(error as Error).message}`);
  }
}
