import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./event-loop-probe.mjs', import.meta.url));

interface Settled {
  settledAtMs: number;
}
interface ProbeResult {
  concurrency: number;
  verifications: (Settled & { matched: boolean })[];
  probes: Record<string, Settled & { ok: boolean; error?: string }>;
  maxGapMs: number;
  verifyMs: number[];
}

/** Runs event-loop-probe.mjs in a process whose libuv pool has a single thread. */
function runProbe(options: Record<string, unknown>): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROBE, JSON.stringify(options)], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`probe exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as ProbeResult);
    });
  });
}

describe('password hashing with the portal’s argon2 parameters (128 MiB, 2 iterations)', () => {
  it('keeps the event loop and libuv’s thread pool free, and whoami answering, while verifications run', async () => {
    const result = await runProbe({
      verifications: 4,
      hashers: {
        algorithm: 'argon2',
        argon2: { memory: '131072KB', iterations: 2, parallelism: 1, salt_length: 16, key_length: 16 },
      },
    });
    expect(result.verifications.map((verification) => verification.matched)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    const firstVerification = Math.min(...result.verifications.map((v) => v.settledAtMs));
    const lastVerification = Math.max(...result.verifications.map((v) => v.settledAtMs));
    // The verifications are real work, so the checks below mean something.
    expect(lastVerification).toBeGreaterThan(100);

    // With UV_THREADPOOL_SIZE=1, a hash on libuv's pool would make the file read wait for it.
    expect(result.probes.readFile).toMatchObject({ ok: true });
    expect(result.probes.readFile!.settledAtMs).toBeLessThan(firstVerification);
    // The identity server whose hasher is busy still answers whoami, before any verification ends.
    expect(result.probes.whoami).toMatchObject({ ok: true });
    expect(result.probes.whoami!.settledAtMs).toBeLessThan(firstVerification);
    // A verification on the main thread would stop timers for as long as it computes.
    expect(result.verifyMs).toHaveLength(4);
    expect(result.maxGapMs).toBeLessThan(Math.min(100, ...result.verifyMs));
  });
});
