import { Command, Option } from 'commander';
import { gatehouseVersion } from '../version.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { clusterCommand } from './cluster-command.js';
import { configCheckCommand, configShowCommand } from './config-command.js';
import { collectFiles } from './config-files.js';
import { credentialsCommand, keysCommand } from './keys-command.js';
import { migrateCommand } from './migrate-command.js';
import { serveCommand } from './serve-command.js';

interface ConfigFlags {
  config?: string[];
  proxyConfig?: string[];
}

/**
 * The `gatehouse` command line. Besides its own commands it accepts the command lines of the
 * `kratos` and `oathkeeper` binaries it replaces, so compose files only swap the binary's name:
 * `-c FILE migrate sql -e --yes`, `serve -c FILE`, `serve proxy -c FILE`.
 */
export function createProgram(io: CliIo, stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Command {
  const program = new Command('gatehouse')
    .description(
      'Accounts and access control for a web portal: a Kratos-compatible identity server and an Oathkeeper-compatible proxy.',
    )
    .version(gatehouseVersion(), '-v, --version', 'print the version')
    .option(
      '-c, --config <file>',
      'config file; repeat or separate with commas (Kratos-style global flag)',
      collectFiles,
    )
    .enablePositionalOptions();

  const globalConfigs = (command: Command): string[] => [
    ...((program.opts() as ConfigFlags).config ?? []),
    ...((command.opts() as ConfigFlags).config ?? []),
  ];
  const configOption = () =>
    new Option('-c, --config <file>', 'config file; repeat for several').argParser(collectFiles);
  const proxyOption = () =>
    new Option(
      '-p, --proxy-config <file>',
      'Oathkeeper config file for the proxy; repeat for several',
    ).argParser(collectFiles);
  const devOption = () =>
    new Option('--dev', 'development mode: plain-HTTP cookies, relaxed checks, built-in defaults');
  // Accepted so that Kratos and Oathkeeper command lines keep working; gatehouse sends no telemetry.
  const telemetryOptions = (command: Command) =>
    command
      .addOption(
        new Option('--sqa-opt-out', 'accepted for compatibility; gatehouse sends no telemetry').hideHelp(),
      )
      .addOption(new Option('--disable-telemetry', 'accepted for compatibility').hideHelp());

  const serve = new Command('serve')
    .description(
      'run what the configs describe: identity server (Kratos config), proxy (Oathkeeper config), or both',
    )
    .argument('[part...]', 'Oathkeeper-style words, ignored: the configs decide what runs (proxy, api, all)')
    .addOption(configOption())
    .addOption(proxyOption())
    .addOption(devOption())
    .option('--watch-courier', 'run the mail courier in this process')
    .option('--migrate', 'apply pending database migrations before serving (always on with --dev)')
    .action(
      async (
        parts: string[],
        flags: ConfigFlags & { dev?: boolean; migrate?: boolean },
        command: Command,
      ) => {
        const unknown = parts.filter((part) => !['proxy', 'api', 'all'].includes(part));
        if (unknown.length > 0)
          throw new CliError(`serve: unknown argument "${unknown[0]}" (accepted: proxy, api, all)`);
        await serveCommand(
          {
            configs: globalConfigs(command),
            proxyConfigs: flags.proxyConfig ?? [],
            dev: flags.dev === true,
            migrate: flags.migrate === true,
          },
          io,
        );
      },
    );
  program.addCommand(telemetryOptions(serve));

  const identity = new Command('identity').description('the identity server (Kratos-compatible)');
  identity.addCommand(
    telemetryOptions(
      new Command('serve')
        .description('run the identity server only')
        .addOption(configOption())
        .addOption(devOption())
        .option('--watch-courier', 'run the mail courier in this process')
        .option('--migrate', 'apply pending database migrations before serving')
        .action(async (flags: { dev?: boolean; migrate?: boolean }, command: Command) => {
          await serveCommand(
            {
              configs: globalConfigs(command),
              proxyConfigs: [],
              dev: flags.dev === true,
              migrate: flags.migrate === true,
              only: 'identity',
            },
            io,
          );
        }),
    ),
  );
  identity.addCommand(
    new Command('migrate')
      .description('apply pending database migrations')
      .argument('[dsn]', 'database to migrate; else -e or the config file decides')
      .addOption(configOption())
      .option('-e, --read-from-env', 'read the database from the DSN environment variable')
      .option('-y, --yes', 'apply without asking')
      .action(
        async (
          dsn: string | undefined,
          flags: { readFromEnv?: boolean; yes?: boolean },
          command: Command,
        ) => {
          await migrateCommand(
            {
              configs: globalConfigs(command),
              dsn,
              readFromEnv: flags.readFromEnv === true,
              yes: flags.yes === true,
              action: 'up',
            },
            io,
            stdin,
          );
        },
      ),
  );
  program.addCommand(identity);

  // Kratos' spelling: `migrate sql [up|status] [dsn] -e --yes`.
  const migrate = new Command('migrate').description('database migrations (Kratos-compatible command line)');
  migrate.addCommand(
    new Command('sql')
      .description('apply (up, the default) or list (status) database migrations')
      .argument('[words...]', '"up" or "status", then optionally the DSN')
      .addOption(configOption())
      .option('-e, --read-from-env', 'read the database from the DSN environment variable')
      .option('-y, --yes', 'apply without asking')
      .action(async (words: string[], flags: { readFromEnv?: boolean; yes?: boolean }, command: Command) => {
        let action: 'up' | 'status' = 'up';
        const rest = [...words];
        if (rest[0] === 'up' || rest[0] === 'status') action = rest.shift() as 'up' | 'status';
        else if (rest[0] === 'down') {
          throw new CliError(
            'gatehouse does not roll migrations back; restore the database from a backup instead',
          );
        }
        if (rest.length > 1) throw new CliError(`migrate sql: unexpected argument "${rest[1]}"`);
        await migrateCommand(
          {
            configs: globalConfigs(command),
            dsn: rest[0],
            readFromEnv: flags.readFromEnv === true,
            yes: flags.yes === true,
            action,
          },
          io,
          stdin,
        );
      }),
  );
  program.addCommand(migrate);

  const proxy = new Command('proxy').description('the identity and access proxy (Oathkeeper-compatible)');
  proxy.addCommand(
    telemetryOptions(
      new Command('serve')
        .description('run the proxy only')
        .addOption(configOption())
        .action(async (_flags: ConfigFlags, command: Command) => {
          await serveCommand(
            { configs: [], proxyConfigs: globalConfigs(command), dev: false, migrate: false, only: 'proxy' },
            io,
          );
        }),
    ),
  );
  program.addCommand(proxy);

  const config = new Command('config').description('check or show configs without starting anything');
  for (const [name, description, run] of [
    ['check', 'validate configs and list every warning', configCheckCommand],
    ['show', 'print the effective config with secrets redacted', configShowCommand],
  ] as const) {
    config.addCommand(
      new Command(name)
        .description(description)
        .addOption(configOption())
        .addOption(proxyOption())
        .addOption(devOption())
        .action((flags: ConfigFlags & { dev?: boolean }, command: Command) => {
          run(
            {
              configs: globalConfigs(command),
              proxyConfigs: flags.proxyConfig ?? [],
              dev: flags.dev === true,
            },
            io,
          );
        }),
    );
  }
  program.addCommand(config);

  program.addCommand(keysCommand(io));
  program.addCommand(clusterCommand(io));
  program.addCommand(credentialsCommand(io));

  program.addCommand(
    new Command('version').description('print the version').action(() => {
      io.stdout.write(`gatehouse ${gatehouseVersion()}\n`);
    }),
  );

  // Every subcommand reports usage errors the same way and lets main() choose the exit code.
  const configure = (command: Command) => {
    command
      .showHelpAfterError('(add --help for usage)')
      .exitOverride()
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(text),
      });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}
