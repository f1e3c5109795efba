import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const GATEHOUSE_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Sees standard error as it arrives. */
  onStderr?: (text: string) => void;
}

/** Environment for a child gatehouse: the test's own plus overrides, minus anything that leaks in config. */
export function childEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // Variables that gatehouse would read as config keys must not leak in from the test runner.
    if (/^(DSN|LOG_|SERVE_|SECRETS_|COURIER_|DEV$|VERSION$|SELFSERVICE_|IDENTITY_)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...overrides };
}

function spawnGatehouse(args: string[], options: RunOptions) {
  return spawn(process.execPath, [GATEHOUSE_BIN, ...args], {
    cwd: options.cwd ?? REPOSITORY_ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `gatehouse ARGS` to completion. */
export function runGatehouse(args: string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawnGatehouse(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`gatehouse ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A running `gatehouse serve ...` process and the addresses its banner printed. */
export interface RunningGatehouse {
  child: ChildProcess;
  /** Base URLs by banner label: `identity public`, `identity admin`, `proxy`, `proxy API`. */
  urls: Record<string, string>;
  output(): { stdout: string; stderr: string };
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Environment that moves every server to a free port (Kratos' schema does not allow port 0). All
 * ports are held open until each has been chosen, so the OS cannot hand out one port twice.
 */
export async function freePortsEnv(): Promise<NodeJS.ProcessEnv> {
  const names = [
    'SERVE_PUBLIC_PORT',
    'SERVE_ADMIN_PORT',
    'SERVE_PROXY_PORT',
    'SERVE_API_PORT',
    'SERVE_PROMETHEUS_PORT',
  ];
  const servers = await Promise.all(
    names.map(
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const env = Object.fromEntries(
    names.map((name, index) => [name, String((servers[index]!.address() as AddressInfo).port)]),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return env;
}

/** Starts `gatehouse ARGS` and resolves once its banner says it is serving. */
export function startGatehouse(args: string[], options: RunOptions = {}): Promise<RunningGatehouse> {
  const child = spawnGatehouse(args, options);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse did not start in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes('stop with Ctrl-C')) return;
      clearTimeout(timer);
      const urls: Record<string, string> = {};
      for (const match of stdout.matchAll(
        /^ {2}(identity public|identity admin|proxy API|proxy metrics|proxy) +(http:\/\/\S+)/gm,
      )) {
        urls[match[1]!] = match[2]!;
      }
      resolve({
        child,
        urls,
        output: () => ({ stdout, stderr }),
        exited,
        async stop(signal = 'SIGTERM') {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse exited with ${code} before serving\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}
