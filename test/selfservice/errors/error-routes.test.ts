import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Configuration, FrontendApi } from '@ory/kratos-client';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { type Database, openDatabase } from '../../../src/db/database.js';
import { parseDsn } from '../../../src/db/dsn.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { Migrator } from '../../../src/db/migrator.js';
import { createHttpApp } from '../../../src/http/create-app.js';
import { HttpError } from '../../../src/http/http-error.js';
import { silentLogger } from '../../../src/log/logger.js';
import { cryptoRandom } from '../../../src/random.js';
import {
  redirectToErrorUi,
  withQueryParameter,
} from '../../../src/selfservice/errors/browser-error-redirect.js';
import { SelfServiceErrorRepository } from '../../../src/selfservice/errors/error-repository.js';
import { registerErrorRoutes } from '../../../src/selfservice/errors/error-routes.js';
import { csrfViolation, newCsrfToken } from '../../../src/selfservice/flow/csrf.js';
import { storageBackends } from '../../support/postgres.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ERROR_UI = 'http://127.0.0.1:4455/error';

const STUB_500_ERROR = {
  code: 500,
  status: 'Internal Server Error',
  reason: 'This is a stub error.',
  message: 'An internal server error occurred, please contact the system administrator',
};

describe.each(storageBackends)('GET /self-service/errors, on %s', (_name, backend) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  let app: FastifyInstance;
  let base: string;
  let errors: SelfServiceErrorRepository;
  let frontend: FrontendApi;

  async function get(query: string) {
    const response = await fetch(`${base}/self-service/errors${query}`, { redirect: 'manual' });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      text: await response.text(),
    };
  }

  /** What a browser meets: a route that fails, stores its error and 303s to the error UI. */
  async function browserHitsError(errorUiUrl: string) {
    const response = await fetch(`${base}/test/fail?ui=${encodeURIComponent(errorUiUrl)}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    return response.headers.get('location')!;
  }

  beforeAll(async () => {
    const created = await backend();
    drop = created.drop;
    db = openDatabase(parseDsn(created.dsn));
    await new Migrator(db, migrations, { clock: systemClock, holder: 'test' }).up();
    errors = new SelfServiceErrorRepository(db, { clock: systemClock, random: cryptoRandom });
    app = createHttpApp({ log: silentLogger(), server: 'identity-public' });
    registerErrorRoutes(app, { errors, random: cryptoRandom });
    app.get('/test/fail', async (request, reply) => {
      const { ui } = request.query as { ui: string };
      const to = await redirectToErrorUi(csrfViolation('token_mismatch'), {
        errors,
        errorUiUrl: ui,
        csrfToken: newCsrfToken(cryptoRandom),
      });
      return reply.redirect(to, 303);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    frontend = new FrontendApi(new Configuration({ basePath: base }));
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await drop?.();
  });

  describe('a stored error', () => {
    it('is answered as flowError JSON: id, error, created_at, updated_at, in that order', async () => {
      const before = Date.now();
      const token = newCsrfToken(cryptoRandom);
      const id = await errors.create(csrfViolation('no_cookie_header'), token);
      const answer = await get(`?id=${id}`);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/json; charset=utf-8');
      const body = JSON.parse(answer.text);
      expect(Object.keys(body)).toEqual(['id', 'error', 'created_at', 'updated_at']);
      expect(body.id).toBe(id);
      expect(body.error).toEqual(csrfViolation('no_cookie_header').toJSON().error);
      expect(Date.parse(body.created_at)).toBeGreaterThanOrEqual(before - 1);
      expect(body.updated_at).toBe(body.created_at);
      // The browser's CSRF token stays in the store.
      expect(answer.text).not.toContain(token);
    });

    it('deserialises through the official SDK, without any cookie (Kratos checks no CSRF here)', async () => {
      const id = await errors.create(
        new HttpError({ code: 400, id: 'self_service_flow_disabled', message: 'registration flow disabled' }),
        newCsrfToken(cryptoRandom),
      );
      const { status, data } = await frontend.getFlowError({ id });
      expect(status).toBe(200);
      expect(data.id).toBe(id);
      expect(data.error).toEqual({
        id: 'self_service_flow_disabled',
        code: 400,
        status: 'Bad Request',
        message: 'registration flow disabled',
      });
      expect(Number.isNaN(Date.parse(String(data.created_at)))).toBe(false);
      expect(Number.isNaN(Date.parse(String(data.updated_at)))).toBe(false);
    });

    it('is found under `?error=` too, which wins over `?id=`', async () => {
      const wanted = await errors.create(new HttpError({ code: 500, message: 'wanted' }), '');
      const other = await errors.create(new HttpError({ code: 500, message: 'other' }), '');
      expect(JSON.parse((await get(`?error=${wanted}`)).text).error.message).toBe('wanted');
      expect(JSON.parse((await get(`?error=${wanted}&id=${other}`)).text).error.message).toBe('wanted');
      // An empty `error` does not hide `id`.
      expect(JSON.parse((await get(`?error=&id=${other}`)).text).error.message).toBe('other');
    });

    it('is found under every spelling of its id that Kratos’ UUID parser reads', async () => {
      const id = await errors.create(new HttpError({ code: 500, message: 'spelled' }), '');
      for (const spelling of [
        id.toUpperCase(),
        `{${id}}`,
        `urn:uuid:${id}`,
        id.replaceAll('-', ''),
        `urn:uuid:${id.replaceAll('-', '')}`,
      ]) {
        const answer = await get(`?id=${encodeURIComponent(spelling)}`);
        expect(answer.status, spelling).toBe(200);
        expect(JSON.parse(answer.text).id, spelling).toBe(id);
      }
    });

    it('can be read again after it was seen', async () => {
      const id = await errors.create(new HttpError({ code: 500, message: 'twice' }), '');
      expect((await get(`?id=${id}`)).status).toBe(200);
      expect((await get(`?id=${id}`)).status).toBe(200);
      expect((await errors.get(id))?.seenAt).toBeInstanceOf(Date);
    });
  });

  describe('the canned example', () => {
    it('`stub:500` is a 500 error with a made-up id and Go’s zero times', async () => {
      const answer = await get('?id=stub:500');
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.text);
      expect(Object.keys(body)).toEqual(['id', 'error', 'created_at', 'updated_at']);
      expect(body.id).toMatch(UUID);
      expect(JSON.stringify(body.error)).toBe(JSON.stringify(STUB_500_ERROR));
      expect(body.created_at).toBe('0001-01-01T00:00:00Z');
      expect(body.updated_at).toBe('0001-01-01T00:00:00Z');
      expect(JSON.parse((await get('?id=stub:500')).text).id).not.toBe(body.id);
    });

    it('`stub:500` comes through the SDK and under `?error=`', async () => {
      const { data } = await frontend.getFlowError({ id: 'stub:500' });
      expect(data.error).toEqual(STUB_500_ERROR);
      expect(JSON.parse((await get('?error=stub:500')).text).error).toEqual(STUB_500_ERROR);
    });

    it('there is no `stub:400` or `stub:404`: they are ids that name nothing', async () => {
      for (const stub of ['stub:400', 'stub:404', 'stub:403']) {
        expect((await get(`?id=${stub}`)).status, stub).toBe(404);
      }
    });
  });

  describe('an id that names no error', () => {
    const notFound = {
      error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource' },
    };

    it('answers 404 without an error id, for unknown, malformed and missing ids alike', async () => {
      for (const query of [
        `?id=${randomUUID()}`,
        '?id=00000000-0000-0000-0000-000000000000',
        '?id=not-a-uuid',
        `?id=${randomUUID()}x`,
        `?id={${randomUUID().replaceAll('-', '')}}`,
        `?id=URN:UUID:${randomUUID()}`,
        '?id=',
        '',
      ]) {
        const answer = await get(query);
        expect(answer.status, query).toBe(404);
        expect(JSON.parse(answer.text), query).toMatchObject(notFound);
        expect(JSON.parse(answer.text).error.id, query).toBeUndefined();
      }
    });

    it('is a 404 the SDK rejects', async () => {
      const failure = await frontend.getFlowError({ id: randomUUID() }).then(
        () => undefined,
        (error: { response?: { status: number; data: unknown } }) => error.response,
      );
      expect(failure?.status).toBe(404);
      expect(failure?.data).toMatchObject(notFound);
    });
  });

  describe('a browser sent to the error UI', () => {
    it('lands on the error UI with `?id=` naming the stored error', async () => {
      const location = await browserHitsError(ERROR_UI);
      const id = new URL(location).searchParams.get('id')!;
      expect(location).toBe(`${ERROR_UI}?id=${id}`);
      expect(id).toMatch(UUID);
      const { data } = await frontend.getFlowError({ id });
      expect(data.error).toEqual(csrfViolation('token_mismatch').toJSON().error);
    });

    it('keeps the UI URL’s own query, replacing an `id` and sorting names as Kratos does', async () => {
      const location = await browserHitsError(`${ERROR_UI}?lang=de&id=old&b=x%20y&b=z#top`);
      const id = new URL(location).searchParams.get('id')!;
      expect(id).toMatch(UUID);
      expect(location).toBe(`${ERROR_UI}?b=x+y&b=z&id=${id}&lang=de#top`);
      expect((await frontend.getFlowError({ id })).data.error).toMatchObject({
        id: 'security_csrf_violation',
      });
    });
  });
});

describe('the error UI URL with an id', () => {
  const id = '6ba7b810-9dad-41d1-80b4-00c04fd430c8';

  it('re-encodes the query as Go’s url.Values does', () => {
    expect(withQueryParameter('http://ui.test/error?z=1&a=%7e*&c', 'id', id)).toBe(
      `http://ui.test/error?a=~%2A&c=&id=${id}&z=1`,
    );
    // A `;` or a broken escape makes Go drop the pair; bytes that are no UTF-8 survive.
    expect(withQueryParameter('http://ui.test/error?a=1;b=2&c=%zz&d=%ff&e=ü', 'id', id)).toBe(
      `http://ui.test/error?d=%FF&e=%C3%BC&id=${id}`,
    );
    expect(withQueryParameter('http://ui.test/error?', 'id', id)).toBe(`http://ui.test/error?id=${id}`);
  });

  it('keeps every other parameter and sets exactly one id', () => {
    const name = fc.stringMatching(/^[a-z]{1,4}$/).filter((key) => key !== 'id');
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.string()), { maxLength: 6 }), (pairs) => {
        const query = new URLSearchParams([...pairs, ['id', 'old']]);
        const url = new URL(withQueryParameter(`http://ui.test/error?${query}`, 'id', id));
        expect(url.searchParams.getAll('id')).toEqual([id]);
        const others = [...url.searchParams].filter(([key]) => key !== 'id');
        const sortedByName = [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        expect(others).toEqual(sortedByName);
      }),
    );
  });
});
