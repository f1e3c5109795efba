import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdentitySchemas } from '../../../src/identity/schema/identity-schemas.js';
import { registerSchemaRoutes, schemaUrl } from '../../../src/identity/schema/schema-routes.js';
import { base64Url, schemaDir, writeSchemaFile } from './schema-fixtures.js';

// Written with indentation and keys out of alphabetical order: the answer keeps the order and
// drops the whitespace, as Kratos' encoder does.
const CUSTOMER_TEXT = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "title": "Customer <3 & co",
  "properties": { "traits": { "type": "object", "properties": { "email": { "type": "string", "format": "email" } } } }
}`;
const EMPLOYEE = { type: 'object', properties: { traits: { type: 'object' } } };

let app: FastifyInstance;
beforeAll(async () => {
  const schemas = await loadIdentitySchemas({
    defaultSchemaId: 'default',
    schemas: [
      { id: 'default', url: `file://${writeSchemaFile('customer.schema.json', CUSTOMER_TEXT)}` },
      { id: 'employee', url: base64Url(EMPLOYEE) },
      { id: 'contractor', url: base64Url(EMPLOYEE) },
    ],
    cwd: schemaDir,
  });
  app = Fastify();
  registerSchemaRoutes(app, schemas);
  await app.ready();
});
afterAll(() => app.close());

const COMPACT_CUSTOMER =
  '{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","title":"Customer \\u003c3 \\u0026 co","properties":{"traits":{"type":"object","properties":{"email":{"type":"string","format":"email"}}}}}';

describe('GET /schemas', () => {
  it('lists every schema as {id, schema}, in configuration order', async () => {
    const response = await app.inject({ method: 'GET', url: '/schemas' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual([
      { id: 'default', schema: JSON.parse(CUSTOMER_TEXT) },
      { id: 'employee', schema: EMPLOYEE },
      { id: 'contractor', schema: EMPLOYEE },
    ]);
    expect(response.body.startsWith(`[{"id":"default","schema":${COMPACT_CUSTOMER}}`)).toBe(true);
    expect(response.headers['x-total-count']).toBe('3');
  });

  it('pages with page_size and page_token, with Link headers to the other pages', async () => {
    const first = await app.inject({ method: 'GET', url: '/schemas?page_size=2' });
    expect(first.json().map((item: { id: string }) => item.id)).toEqual(['default', 'employee']);
    const links = String(first.headers.link).split(',');
    expect(links).toEqual([
      `</schemas?page=1&page_size=2&page_token=${token(2)}&per_page=2>; rel="next"`,
      `</schemas?page=1&page_size=2&page_token=${token(2)}&per_page=2>; rel="last"`,
    ]);
    const second = await app.inject({ method: 'GET', url: `/schemas?page_size=2&page_token=${token(2)}` });
    expect(second.json().map((item: { id: string }) => item.id)).toEqual(['contractor']);
    expect(String(second.headers.link).split(',')).toEqual([
      `</schemas?page=0&page_size=2&page_token=${token(0)}&per_page=2>; rel="first"`,
      `</schemas?page=0&page_size=2&page_token=${token(0)}&per_page=2>; rel="prev"`,
    ]);
  });

  it('pages with the older page and per_page too', async () => {
    const response = await app.inject({ method: 'GET', url: '/schemas?page=2&per_page=1' });
    expect(response.json().map((item: { id: string }) => item.id)).toEqual(['contractor']);
  });

  it('is answered under /admin/schemas as well', async () => {
    const response = await app.inject({ method: 'GET', url: '/admin/schemas' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toHaveLength(3);
  });
});

describe('GET /schemas/{id}', () => {
  it('answers the raw schema for its id', async () => {
    const response = await app.inject({ method: 'GET', url: '/schemas/default' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toBe(COMPACT_CUSTOMER);
  });

  it('answers the schema for its id in base64url without padding, as schema_url carries it', async () => {
    expect((await app.inject({ method: 'GET', url: '/schemas/ZGVmYXVsdA' })).body).toBe(COMPACT_CUSTOMER);
    const employee = await app.inject({
      method: 'GET',
      url: `/schemas/${Buffer.from('employee').toString('base64url')}`,
    });
    expect(employee.json()).toEqual(EMPLOYEE);
    expect((await app.inject({ method: 'GET', url: '/admin/schemas/employee' })).json()).toEqual(EMPLOYEE);
  });

  it('answers 404 in Ory error JSON for an unknown id', async () => {
    const response = await app.inject({ method: 'GET', url: '/schemas/customer' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      error: {
        code: 404,
        status: 'Not Found',
        request: expect.any(String),
        reason: 'Identity schema `customer` could not be found.',
        message: 'The requested resource could not be found',
      },
    });
  });
});

describe('schema_url', () => {
  it('is the public base URL, then schemas/, then the id in base64url without padding', () => {
    expect(schemaUrl(new URL('http://127.0.0.1:4433/'), 'default')).toBe(
      'http://127.0.0.1:4433/schemas/ZGVmYXVsdA',
    );
    expect(schemaUrl(new URL('https://auth.example.com/kratos'), 'customer?v=2')).toBe(
      'https://auth.example.com/kratos/schemas/Y3VzdG9tZXI_dj0y',
    );
  });
});

function token(offset: number): string {
  return Buffer.from(`{"offset":"${offset}","v":2}`).toString('base64url');
}
