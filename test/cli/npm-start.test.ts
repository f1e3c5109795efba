import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../support/gatehouse-process.js';

async function waitForReady(url: string, deadline: number): Promise<number> {
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return Date.now();
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} not ready in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function processesInGroup(groupId: number): string[] {
  const out = execFileSync('ps', ['-e', '-o', 'pgid=,pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`${groupId} `));
}

describe('npm start, as a newcomer runs it', () => {
  it('serves the identity server and the proxy on the default ports within 15 s and stops cleanly on Ctrl-C', async () => {
    const started = Date.now();
    // A process group of its own, as a terminal gives it, so Ctrl-C reaches npm and gatehouse alike.
    const npm = spawn('npm', ['start'], {
      cwd: REPOSITORY_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.on('close', (code, signal) => resolve({ code, signal })),
    );
    try {
      const deadline = started + 15_000;
      await waitForReady('http://127.0.0.1:4433/health/ready', deadline);
      await waitForReady('http://127.0.0.1:4456/health/ready', deadline);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(output).toContain('identity public  http://127.0.0.1:4433/');
      expect(output).toContain('proxy API        http://127.0.0.1:4456/');
    } finally {
      process.kill(-npm.pid!, 'SIGINT');
    }
    expect(await exited, output).toEqual({ code: 0, signal: null });
    // No stray process: nothing of the group is left.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(processesInGroup(npm.pid!)).toEqual([]);
    await expect(fetch('http://127.0.0.1:4433/health/alive')).rejects.toThrow();
  });
});
