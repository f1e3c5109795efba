import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { type Database, openDatabase } from '../../../src/db/database.js';
import { parseDsn } from '../../../src/db/dsn.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { Migrator } from '../../../src/db/migrator.js';
import { HttpError } from '../../../src/http/http-error.js';
import { cryptoRandom, type RandomSource } from '../../../src/random.js';
import { SelfServiceErrorRepository } from '../../../src/selfservice/errors/error-repository.js';
import { csrfViolation, maskCsrfToken, newCsrfToken } from '../../../src/selfservice/flow/csrf.js';
import { storageBackends } from '../../support/postgres.js';

describe.each(storageBackends)('the self-service error store, on %s', (_name, backend) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  let now = new Date('2026-12-04T10:00:00.000Z');
  const clock = { now: () => new Date(now) };
  // Ids come from the injected source: the next one is whatever a test puts here.
  let nextIds: string[] = [];
  const random: RandomSource = { bytes: randomBytes, uuid: () => nextIds.shift() ?? randomUUID() };
  let errors: SelfServiceErrorRepository;

  beforeAll(async () => {
    const created = await backend();
    drop = created.drop;
    db = openDatabase(parseDsn(created.dsn));
    await new Migrator(db, migrations, { clock: systemClock, holder: 'test' }).up();
    errors = new SelfServiceErrorRepository(db, { clock, random });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('stores an HttpError as its herodot fields, under an id from the random source', async () => {
    const id = randomUUID();
    nextIds = [id];
    now = new Date('2026-12-04T10:00:00.000Z');
    const token = newCsrfToken(cryptoRandom);
    const error = new HttpError({
      code: 410,
      id: 'self_service_flow_expired',
      message: 'self-service flow expired',
      reason: 'The self-service flow expired 1.00 minutes ago, initialize a new one.',
      details: { hint: 'x' },
      extra: { use_flow_id: randomUUID() },
    });
    expect(await errors.create(error, token)).toBe(id);
    expect(await errors.get(id)).toEqual({
      id,
      // No `request` and no top-level siblings: Kratos stores the error itself, not its answer.
      error: {
        id: 'self_service_flow_expired',
        code: 410,
        status: 'Gone',
        reason: 'The self-service flow expired 1.00 minutes ago, initialize a new one.',
        details: { hint: 'x' },
        message: 'self-service flow expired',
      },
      csrfToken: token,
      seenAt: undefined,
      createdAt: now,
      updatedAt: now,
    });
  });

  it('stores an object that is no HttpError as it is', async () => {
    const body = {
      code: 400,
      message: 'I[#/traits/email] S[#/properties/traits] validation failed',
      extra: [1],
    };
    const id = await errors.create(body, '');
    expect((await errors.get(id))?.error).toEqual(body);
  });

  it('keeps the raw cookie token when given the masked one a flow carries', async () => {
    const token = newCsrfToken(cryptoRandom);
    const masked = maskCsrfToken(token, cryptoRandom);
    // 88 characters: too long for the column on PostgreSQL, were it stored as given.
    expect(masked).toHaveLength(88);
    const id = await errors.create(csrfViolation('token_mismatch'), masked);
    expect((await errors.get(id))?.csrfToken).toBe(token);
  });

  it('marks an error seen on every read and answers each read as it was before it', async () => {
    now = new Date('2026-12-04T10:00:00.000Z');
    const id = await errors.create(new HttpError({ code: 500, message: 'boom' }), '');
    now = new Date('2026-12-04T10:05:00.000Z');
    expect((await errors.get(id))?.seenAt).toBeUndefined();
    now = new Date('2026-12-04T10:07:00.000Z');
    const second = await errors.get(id);
    expect(second?.seenAt).toEqual(new Date('2026-12-04T10:05:00.000Z'));
    // Reading is not an update of the error.
    expect(second?.updatedAt).toEqual(new Date('2026-12-04T10:00:00.000Z'));
    expect((await errors.get(id))?.seenAt).toEqual(new Date('2026-12-04T10:07:00.000Z'));
  });

  it('finds nothing under an id it never gave', async () => {
    expect(await errors.get(randomUUID())).toBeUndefined();
    expect(await errors.get('not-a-uuid')).toBeUndefined();
  });

  it('removes errors created before a moment, read or not, and no others', async () => {
    now = new Date('2020-01-01T00:00:00.000Z');
    const oldUnread = await errors.create(new HttpError({ code: 500, message: 'old' }), '');
    const oldRead = await errors.create(new HttpError({ code: 500, message: 'old' }), '');
    await errors.get(oldRead);
    now = new Date('2026-12-04T10:00:00.000Z');
    const current = await errors.create(new HttpError({ code: 500, message: 'new' }), '');
    expect(await errors.deleteOlderThan(new Date('2026-01-01T00:00:00.000Z'))).toBe(2);
    expect(await errors.get(oldUnread)).toBeUndefined();
    expect(await errors.get(oldRead)).toBeUndefined();
    expect((await errors.get(current))?.error.message).toBe('new');
  });
});
