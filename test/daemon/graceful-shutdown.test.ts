import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePortsEnv, startGatehouse } from '../support/gatehouse-process.js';

/** Sends a request whose body arrives slowly, so it is still in flight when the signal comes. */
function slowUpload(url: URL) {
  const socket = connect(Number(url.port), url.hostname);
  let response = '';
  socket.on('data', (chunk) => (response += chunk.toString()));
  const ended = new Promise<string>((resolve) => socket.on('close', () => resolve(response)));
  const body = JSON.stringify({ schema_id: 'default', traits: { email: 'slow@example.com' } });
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST /self-service/registration HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Request-Id: slow-upload\r\n\r\n${body.slice(0, half)}`,
  );
  return { finish: () => socket.end(body.slice(half)), ended };
}

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}, lets a request in flight finish, refuses new connections, then exits 0`, async () => {
      const running = await startGatehouse(['serve', '--dev'], {
        cwd: mkdtempSync(join(tmpdir(), 'gatehouse-shutdown-')),
        env: await freePortsEnv(),
      });
      const publicUrl = new URL(running.urls['identity public']!);
      const upload = slowUpload(publicUrl);
      await new Promise((resolve) => setTimeout(resolve, 200));

      running.child.kill(signal);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The process is still there, waiting for the upload, but takes no new connection.
      expect(running.child.exitCode).toBeNull();
      await expect(fetch(new URL('health/alive', publicUrl))).rejects.toThrow();

      upload.finish();
      const response = await upload.ended;
      // A complete answer to the upload: a registration submit that names no flow is a 400.
      expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(response).toContain('x-request-id: slow-upload');

      expect(await running.exited).toEqual({ code: 0, signal: null });
      const { stderr } = running.output();
      expect(stderr).toContain(
        `msg="shutting down: finishing requests in flight" service=gatehouse signal=${signal}`,
      );
      expect(stderr).toContain('msg=stopped');
    });
  }

  it('cuts a request that outlives serve.shutdown_timeout and still exits 0', async () => {
    const running = await startGatehouse(['serve', '--dev'], {
      cwd: mkdtempSync(join(tmpdir(), 'gatehouse-shutdown-')),
      env: { ...(await freePortsEnv()), SERVE_SHUTDOWN_TIMEOUT: '300ms' },
    });
    const upload = slowUpload(new URL(running.urls['identity public']!));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');
    // The upload never finishes: the connection is closed when the timeout runs out.
    expect(await upload.ended).toBe('');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
  });
});
