import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { systemClock } from '../clock.js';
import { loadIdentityConfig } from '../config/identity-config.js';
import { redactUrlPassword } from '../config/redact.js';
import { openDatabase } from '../db/database.js';
import { parseDsn } from '../db/dsn.js';
import { migrations } from '../db/migrations/index.js';
import { Migrator } from '../db/migrator.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';

export interface MigrateOptions {
  configs: string[];
  /** `-e`: take the DSN from the `DSN` environment variable. */
  readFromEnv: boolean;
  yes: boolean;
  /** A DSN given on the command line. */
  dsn?: string;
  action: 'up' | 'status';
}

/** `gatehouse migrate sql` / `gatehouse identity migrate`: applies or lists schema migrations. */
export async function migrateCommand(
  options: MigrateOptions,
  io: CliIo,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
): Promise<void> {
  const dsn = resolveDsn(options, io);
  const source = parseDsn(dsn);
  const db = openDatabase(source);
  try {
    let waitingFor: string | undefined;
    const migrator = new Migrator(db, migrations, {
      clock: systemClock,
      holder: `${hostname()}:${process.pid}`,
      onWait: (holder) => {
        if (holder !== waitingFor) io.stderr.write(`waiting for ${holder} to finish migrating...\n`);
        waitingFor = holder;
      },
    });
    const status = await migrator.status().catch((error: Error) => {
      throw new CliError(`cannot reach the database ${redactUrlPassword(dsn)}: ${error.message}`);
    });
    if (options.action === 'status') {
      for (const applied of status.applied)
        io.stdout.write(`applied  ${pad(applied.version)} ${applied.name}  ${applied.appliedAt}\n`);
      for (const pending of status.pending)
        io.stdout.write(`pending  ${pad(pending.version)} ${pending.name}\n`);
      return;
    }
    if (status.pending.length === 0) {
      io.stdout.write('The database schema is up to date.\n');
      return;
    }
    if (!options.yes) {
      if (!stdin.isTTY) {
        throw new CliError(
          `${status.pending.length} migration(s) pending; pass --yes to apply them without a prompt`,
        );
      }
      const prompt = createInterface({ input: stdin, output: io.stdout });
      const answer = await prompt.question(
        `Apply ${status.pending.length} migration(s) to ${redactUrlPassword(dsn)}? [y/N] `,
      );
      prompt.close();
      if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('no migration applied');
    }
    const applied = await migrator.up();
    for (const migration of applied)
      io.stdout.write(`applied  ${pad(migration.version)} ${migration.name}\n`);
    io.stdout.write(
      applied.length > 0
        ? 'The database schema is up to date.\n'
        : 'Another node applied the migrations; the schema is up to date.\n',
    );
  } finally {
    await db.close();
  }
}

function resolveDsn(options: MigrateOptions, io: CliIo): string {
  if (options.dsn) return options.dsn;
  if (options.configs.length > 0) {
    // The DSN variable overrides the file's dsn through the usual environment overlay.
    const config = loadIdentityConfig({ files: options.configs, env: io.env, allowSampleSecrets: true });
    return config.dsn;
  }
  if (options.readFromEnv) {
    const dsn = io.env.DSN;
    if (!dsn) throw new CliError('-e was given but the DSN environment variable is not set');
    return dsn;
  }
  throw new CliError(
    'no database given: pass a DSN, -e to read the DSN environment variable, or -c with a config file',
  );
}

function pad(version: number): string {
  return String(version).padStart(4, '0');
}
