import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../fixtures/durable-write-server.mjs', import.meta.url));

function startFixture(dsn: string) {
  const child = spawn(process.execPath, [FIXTURE, dsn], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return { child, port, exited };
}

describe('SQLite storage', () => {
  it('keeps every write that was answered before the server was killed with SIGKILL', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-durable-')), 'db.sqlite');
    const dsn = `sqlite://${file}?_fk=true`;
    const server = startFixture(dsn);
    const base = `http://127.0.0.1:${await server.port}`;

    const pragmas = (await (await fetch(`${base}/pragmas`)).json()) as {
      journal_mode: string;
      synchronous: number;
    };
    expect(pragmas.journal_mode).toBe('wal');
    // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA: NORMAL or more keeps commits across a process crash.
    expect(pragmas.synchronous).toBeGreaterThanOrEqual(1);

    const answered: string[] = [];
    for (let index = 0; index < 40; index++) {
      const id = randomUUID();
      const response = await fetch(`${base}/identities/${id}`, { method: 'POST' });
      expect(response.status).toBe(201);
      answered.push(id);
    }
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');

    // A fresh process on the same file (what a restarted server does) sees every answered write.
    const restarted = startFixture(dsn);
    await restarted.port;
    restarted.child.kill('SIGKILL');
    await restarted.exited;
    const reader = new SqliteDatabase(file, { readonly: true });
    const ids = reader.prepare('select id from identities').all() as { id: string }[];
    expect(new Set(ids.map((row) => row.id))).toEqual(new Set(answered));
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    reader.close();
  });
});
