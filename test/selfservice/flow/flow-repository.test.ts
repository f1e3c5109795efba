import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { type Database, openDatabase } from '../../../src/db/database.js';
import { parseDsn } from '../../../src/db/dsn.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { Migrator } from '../../../src/db/migrator.js';
import type { Flow } from '../../../src/selfservice/flow/flow.js';
import { FlowRepository } from '../../../src/selfservice/flow/flow-repository.js';
import { storageBackends } from '../../support/postgres.js';

function loginFlow(overrides: Partial<Flow> = {}): Flow {
  const now = new Date('2026-12-04T10:00:00.000Z');
  return {
    id: crypto.randomUUID(),
    kind: 'login',
    type: 'browser',
    state: 'choose_method',
    requestUrl: 'http://127.0.0.1:4433/self-service/login/browser?return_to=http://127.0.0.1/dashboard',
    returnTo: 'http://127.0.0.1/dashboard',
    csrfToken: 'c2VjcmV0LWNzcmYtdG9rZW4tb2YtdGhlLXRlc3Qtc3VpdGU=',
    ui: { action: 'http://127.0.0.1:4433/self-service/login?flow=x', method: 'POST', nodes: [] },
    data: { refresh: false, requested_aal: 'aal1' },
    issuedAt: now,
    expiresAt: new Date(now.getTime() + 10 * 60_000),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describe.each(storageBackends)('stored self-service flows, on %s', (_name, backend) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  let flows: FlowRepository;
  beforeAll(async () => {
    const created = await backend();
    drop = created.drop;
    db = openDatabase(parseDsn(created.dsn));
    await new Migrator(db, migrations, { clock: systemClock, holder: 'test' }).up();
    flows = new FlowRepository(db);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('reads back what was stored, field for field', async () => {
    const flow = loginFlow();
    await flows.create(flow);
    expect(await flows.get('login', flow.id)).toEqual(flow);
  });

  it('finds a flow only under its own kind', async () => {
    const flow = loginFlow();
    await flows.create(flow);
    expect(await flows.get('settings', flow.id)).toBeUndefined();
    expect(await flows.get('login', crypto.randomUUID())).toBeUndefined();
  });

  it('stores a submit’s changes and keeps what a submit cannot change', async () => {
    const flow = loginFlow({ type: 'api', csrfToken: '' });
    await flows.create(flow);
    const submitted: Flow = {
      ...flow,
      state: 'passed_challenge',
      active: 'password',
      ui: { ...flow.ui, messages: [{ id: 4000006, type: 'error', text: 'x' }] },
      data: { ...flow.data, refresh: true },
      updatedAt: new Date('2026-12-04T10:01:00.000Z'),
      // Not stored by update: a flow's request and expiry are fixed when it begins.
      requestUrl: 'http://elsewhere/',
      expiresAt: new Date('2030-01-01T00:00:00.000Z'),
    };
    expect(await flows.update(submitted)).toBe(true);
    expect(await flows.get('login', flow.id)).toEqual({
      ...submitted,
      requestUrl: flow.requestUrl,
      expiresAt: flow.expiresAt,
    });
    expect(await flows.update(loginFlow())).toBe(false);
  });

  it('removes flows that expired before a moment, and no others', async () => {
    const old = loginFlow({ expiresAt: new Date('2020-01-01T00:00:00.000Z') });
    const current = loginFlow();
    await flows.create(old);
    await flows.create(current);
    expect(await flows.deleteExpired(new Date('2026-01-01T00:00:00.000Z'))).toBeGreaterThanOrEqual(1);
    expect(await flows.get('login', old.id)).toBeUndefined();
    expect(await flows.get('login', current.id)).toEqual(current);
  });
});
