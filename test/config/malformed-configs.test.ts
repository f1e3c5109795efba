import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runGatehouse } from '../support/gatehouse-process.js';
import { minimalIdentityYaml, writeConfig } from './config-fixtures.js';

// The smallest identity config that loads; each case below breaks one thing in it.
const VALID_IDENTITY = `${minimalIdentityYaml()}secrets:
  cookie:
    - 0123456789abcdef0123456789abcdef
`;

interface Case {
  name: string;
  file: string;
  content: string;
  args?: (path: string) => string[];
  env?: NodeJS.ProcessEnv;
  /** The exact error lines, with FILE standing for the config file's path. */
  expected: string[];
}

const identityCheck = (path: string) => ['config', 'check', '-c', path];

const cases: Case[] = [
  {
    name: 'a port that is not a number',
    file: 'port.yml',
    content: VALID_IDENTITY.replace('dsn: memory', 'dsn: memory\nserve:\n  public:\n    port: eighty'),
    expected: ['FILE:4: serve.public.port: must be a whole number'],
  },
  {
    name: 'an unknown top-level key',
    file: 'unknown-root.yml',
    content: `${VALID_IDENTITY}colour: blue\n`,
    expected: [
      expect.stringMatching(
        /^FILE:12: colour: unknown key; allowed here: .*\bcookies\b.*\bdsn\b/,
      ) as unknown as string,
    ],
  },
  {
    name: 'a misspelt nested key',
    file: 'unknown-nested.yml',
    content: VALID_IDENTITY.replace('dsn: memory', 'dsn: memory\nserve:\n  public:\n    prot: 4433'),
    expected: [
      'FILE:4: serve.public.prot: unknown key; allowed here: base_url, cors, host, port, request_log, socket, tls',
    ],
  },
  {
    name: 'a DSN with an unsupported scheme',
    file: 'dsn-scheme.yml',
    content: VALID_IDENTITY.replace('dsn: memory', 'dsn: redis://127.0.0.1:6379/0'),
    expected: [
      'FILE:1: dsn: "redis://127.0.0.1:6379/0": unsupported scheme "redis://"; use sqlite://, postgres:// or cockroach://',
    ],
  },
  {
    name: 'a PostgreSQL DSN without a host, whose password is not repeated',
    file: 'dsn-host.yml',
    content: VALID_IDENTITY.replace('dsn: memory', 'dsn: postgres://portal:hunter2@/accounts'),
    expected: ['FILE:1: dsn: "postgres://portal:[redacted]@/accounts": no host'],
  },
  {
    name: 'a MySQL DSN',
    file: 'dsn-mysql.yml',
    content: VALID_IDENTITY.replace('dsn: memory', 'dsn: mysql://root:secret@tcp(db:3306)/kratos'),
    expected: [
      'FILE:1: dsn: "mysql://root:[redacted]@tcp(db:3306)/kratos": MySQL is not supported by gatehouse; use PostgreSQL, CockroachDB or SQLite (see docs/configuration.md)',
    ],
  },
  {
    name: 'YAML indented wrongly',
    file: 'indent.yml',
    content:
      'dsn: memory\nselfservice:\n  default_browser_return_url: http://127.0.0.1/\n allowed_return_urls: []\n',
    expected: ['FILE:4: invalid YAML: All mapping items must start at the same column'],
  },
  {
    name: 'YAML with a key given twice',
    file: 'duplicate.yml',
    content: 'dsn: memory\ndsn: sqlite:///tmp/x.sqlite\n',
    expected: ['FILE:2: invalid YAML: Map keys must be unique'],
  },
  {
    name: 'broken JSON',
    file: 'syntax.json',
    content: '{\n  "dsn": "memory",\n  "selfservice": {\n}\n',
    expected: [expect.stringMatching(/^FILE:\d: invalid JSON: .*/) as unknown as string],
  },
  {
    name: 'a file that does not exist',
    file: 'missing.yml',
    content: '',
    args: (path) => ['config', 'check', '-c', `${path}.not-there`],
    expected: ['FILE.not-there: file not found'],
  },
  {
    name: 'a folder instead of a file',
    file: 'folder.yml',
    content: '',
    args: (path) => {
      mkdirSync(`${path}.d`, { recursive: true });
      return ['config', 'check', '-c', `${path}.d`];
    },
    expected: ['FILE.d: is a directory, not a file'],
  },
  {
    name: 'a TOML file',
    file: 'kratos.toml',
    content: 'dsn = "memory"\n',
    expected: ['FILE: TOML config files are not supported by gatehouse; convert the file to YAML or JSON'],
  },
  {
    name: 'the sample placeholder cookie secret outside dev mode',
    file: 'placeholder.yml',
    content: VALID_IDENTITY.replace(
      '0123456789abcdef0123456789abcdef',
      'PLEASE-CHANGE-ME-I-AM-VERY-INSECURE',
    ),
    expected: [
      'FILE:11: secrets.cookie[0]: is the placeholder of a sample config; replace it with a random secret (`openssl rand -hex 32`, or let `gatehouse cluster init` write one), or run with --dev',
    ],
  },
  {
    name: 'a cookie secret that is too short',
    file: 'short-secret.yml',
    content: VALID_IDENTITY.replace('0123456789abcdef0123456789abcdef', 'tooshort'),
    expected: ['FILE:11: secrets.cookie[0]: must be at least 16 characters long'],
  },
  {
    name: 'a duration without a unit',
    file: 'duration.yml',
    content: `${VALID_IDENTITY}session:\n  lifespan: "720"\n`,
    expected: ['FILE:13: session.lifespan: must be a duration with a unit, such as "30s", "15m" or "720h"'],
  },
  {
    name: 'a log level Ory does not know',
    file: 'log-level.yml',
    content: `${VALID_IDENTITY}log:\n  level: loud\n`,
    expected: [
      'FILE:13: log.level: must be one of: "trace", "debug", "info", "warning", "error", "fatal", "panic"',
    ],
  },
  {
    name: 'a missing dsn',
    file: 'no-dsn.yml',
    content: VALID_IDENTITY.replace('dsn: memory\n', ''),
    expected: ['FILE: dsn: is required but missing'],
  },
  {
    name: 'a list where a map of keys belongs',
    file: 'list.yml',
    content: '- dsn: memory\n',
    expected: ['FILE:1: the file must hold a map of config keys at its top level'],
  },
  {
    name: 'an environment variable of the wrong type',
    file: 'env.yml',
    content: VALID_IDENTITY,
    env: { SERVE_ADMIN_PORT: 'many' },
    expected: [
      'environment variable SERVE_ADMIN_PORT: serve.admin.port: expected a whole number, got "many"',
    ],
  },
  {
    name: 'an Oathkeeper config with a misspelt authenticator',
    file: 'oathkeeper-handler.yml',
    content: 'authenticators:\n  cookie_sessions:\n    enabled: true\n',
    args: (path) => ['config', 'check', '-p', path],
    expected: [
      expect.stringMatching(
        /^FILE:2: authenticators\.cookie_sessions: unknown key; allowed here: anonymous, bearer_token, cookie_session, /,
      ) as unknown as string,
    ],
  },
  {
    name: 'an Oathkeeper config with an unknown matching strategy',
    file: 'oathkeeper-strategy.yml',
    content: 'access_rules:\n  matching_strategy: fuzzy\n',
    args: (path) => ['config', 'check', '-p', path],
    expected: ['FILE:2: access_rules.matching_strategy: must be one of: "glob", "regexp"'],
  },
  {
    name: 'a file that is neither an identity nor a proxy config',
    file: 'neither.yml',
    content: 'log:\n  level: info\n',
    args: (path) => ['serve', '-c', path],
    expected: [
      'FILE: cannot tell whether this is an identity (Kratos) or a proxy (Oathkeeper) config; pass an identity config with -c and a proxy config with -p',
    ],
  },
];

describe('a malformed config stops gatehouse with one clear message', () => {
  it.each(cases)('$name', async (testCase) => {
    const path = writeConfig(testCase.file, testCase.content);
    const result = await runGatehouse((testCase.args ?? identityCheck)(path), { env: testCase.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr
      .trimEnd()
      .split('\n')
      .map((line) => line.replace(/^gatehouse: (config error: )?/, '').replaceAll(path, 'FILE'));
    expect(lines).toEqual(testCase.expected);
    // One message, never a stack trace.
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('has at least fifteen cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it('names an unknown command-line flag', async () => {
    const result = await runGatehouse(['config', 'check', '--colour']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: unknown option '--colour'");
  });
});
