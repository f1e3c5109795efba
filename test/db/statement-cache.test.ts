import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { cachingStatements } from '../../src/db/statement-cache.js';

function people() {
  const connection = new SqliteDatabase(':memory:');
  connection.exec(
    "create table people (id integer primary key, name text); insert into people (name) values ('ada'), ('grace')",
  );
  const prepare = vi.spyOn(connection, 'prepare');
  return { connection, prepare, database: cachingStatements(connection, 3) };
}

describe('the SQLite statement cache', () => {
  it('compiles each SQL text once and runs it with each call’s parameters', () => {
    const { prepare, database } = people();
    const byId = 'select name from people where id = ?';
    expect(database.prepare(byId).all([1])).toEqual([{ name: 'ada' }]);
    expect(database.prepare(byId).all([2])).toEqual([{ name: 'grace' }]);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(database.prepare('insert into people (name) values (?)').run(['edsger']).changes).toBe(1);
    expect(database.prepare('select count(*) as n from people').reader).toBe(true);
    expect(database.prepare('select count(*) as n from people').all([])).toEqual([{ n: 3 }]);
  });

  it('sees columns added after a statement was cached', () => {
    const { connection, database } = people();
    const all = 'select * from people where id = ?';
    expect(database.prepare(all).all([1])).toEqual([{ id: 1, name: 'ada' }]);
    connection.exec('alter table people add column born integer default 1815');
    expect(database.prepare(all).all([1])).toEqual([{ id: 1, name: 'ada', born: 1815 }]);
  });

  it('gives a stream a statement of its own, so the same query can run while it is open', () => {
    const { database } = people();
    const names = 'select name from people order by id';
    const stream = database.prepare(names).iterate([]);
    expect(stream.next().value).toEqual({ name: 'ada' });
    expect(database.prepare(names).all([])).toHaveLength(2);
    expect(stream.next().value).toEqual({ name: 'grace' });
  });

  it('starts over when it holds as many texts as its limit', () => {
    const { prepare, database } = people();
    for (const id of [1, 2, 3]) database.prepare(`select ${id}`).all([]);
    database.prepare('select 1').all([]);
    expect(prepare).toHaveBeenCalledTimes(3);
    database.prepare('select 4').all([]);
    database.prepare('select 1').all([]);
    expect(prepare).toHaveBeenCalledTimes(5);
  });
});
