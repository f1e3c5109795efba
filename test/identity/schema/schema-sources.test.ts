import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdentitySchemaError,
  type LoadIdentitySchemasOptions,
  loadIdentitySchemas,
} from '../../../src/identity/schema/identity-schemas.js';
import { MAX_SCHEMA_BYTES } from '../../../src/identity/schema/schema-source.js';
import { base64Url, schemaDir, traitsSchema, writeSchemaFile } from './schema-fixtures.js';

const EMAIL_SCHEMA = traitsSchema({
  email: {
    type: 'string',
    format: 'email',
    'ory.sh/kratos': { credentials: { password: { identifier: true } } },
  },
});

// A local server standing in for a schema host: paths map to answers; /silent never answers.
let server: Server;
let origin: string;
const answers = new Map<string, { status: number; body: string }>();

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/silent') return;
    const answer = answers.get(request.url ?? '') ?? { status: 404, body: 'not here' };
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  answers.set('/identity.schema.json', { status: 200, body: JSON.stringify(EMAIL_SCHEMA) });
  answers.set('/big.json', { status: 200, body: `{"description":"${'x'.repeat(MAX_SCHEMA_BYTES)}"}` });
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

function load(url: string, options: Partial<LoadIdentitySchemasOptions> = {}) {
  return loadIdentitySchemas({
    defaultSchemaId: 'default',
    schemas: [{ id: 'default', url }],
    cwd: schemaDir,
    ...options,
  });
}

async function loadError(
  url: string,
  options: Partial<LoadIdentitySchemasOptions> = {},
): Promise<IdentitySchemaError> {
  const error = await load(url, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IdentitySchemaError);
  return error as IdentitySchemaError;
}

describe('identity schema sources', () => {
  it('reads file:// with an absolute path', async () => {
    const path = writeSchemaFile('absolute.schema.json', EMAIL_SCHEMA);
    const schemas = await load(`file://${path}`);
    expect(schemas.get('default').document).toEqual(EMAIL_SCHEMA);
  });

  it('reads file:// with a relative path against the given working directory', async () => {
    writeSchemaFile('relative.schema.json', EMAIL_SCHEMA);
    const schemas = await load('file://relative.schema.json', { cwd: schemaDir });
    expect(schemas.get('default').annotations[0]?.pointer).toBe('#/traits/email');
  });

  it('reads base64:// JSON', async () => {
    const schemas = await load(base64Url(EMAIL_SCHEMA));
    expect(schemas.get('default').document).toEqual(EMAIL_SCHEMA);
  });

  it('fetches http:// from a local server with the global fetch', async () => {
    const schemas = await load(`${origin}/identity.schema.json`);
    expect(schemas.get('default').raw).toBe(JSON.stringify(EMAIL_SCHEMA));
  });

  it('fetches through an injected fetch function', async () => {
    const asked: string[] = [];
    const schemas = await load('https://schemas.portal.test/identity.schema.json', {
      fetch: async (url, init) => {
        asked.push(url);
        // Stands in for the named host: the request goes to the local server.
        return fetch(`${origin}/identity.schema.json`, init);
      },
    });
    expect(asked).toEqual(['https://schemas.portal.test/identity.schema.json']);
    expect(schemas.get('default').annotations).toHaveLength(1);
  });

  it('loads several schemas, each under its id', async () => {
    const schemas = await loadIdentitySchemas({
      defaultSchemaId: 'customer',
      schemas: [
        { id: 'customer', url: base64Url(EMAIL_SCHEMA) },
        { id: 'employee', url: `${origin}/identity.schema.json`, selfserviceSelectable: true },
      ],
      cwd: schemaDir,
    });
    expect(schemas.list().map((schema) => [schema.id, schema.selfserviceSelectable])).toEqual([
      ['customer', false],
      ['employee', true],
    ]);
    expect(schemas.defaultSchemaId).toBe('customer');
  });
});

describe('an unusable identity schema stops the load with an error naming its id and URL', () => {
  it('a missing file', async () => {
    const url = `file://${schemaDir}/missing.schema.json`;
    const error = await loadError(url);
    expect(error.message).toBe(
      `identity schema "default" (${url}) cannot be read: ${schemaDir}/missing.schema.json: file not found`,
    );
    expect(error.schemaId).toBe('default');
    expect(error.url).toBe(url);
  });

  it('an HTTP answer other than 200', async () => {
    const error = await loadError(`${origin}/gone.json`);
    expect(error.message).toBe(
      `identity schema "default" (${origin}/gone.json) cannot be read: answered HTTP 404, not 200`,
    );
  });

  it('an HTTP server that does not answer in time', async () => {
    const error = await loadError(`${origin}/silent`, { fetchTimeoutMs: 200 });
    expect(error.message).toContain(`(${origin}/silent) cannot be read: gave no answer within 200 ms`);
  });

  it('a document over 1 MiB', async () => {
    const error = await loadError(`${origin}/big.json`);
    expect(error.message).toContain(`answered with more than ${MAX_SCHEMA_BYTES} bytes`);
  });

  it('a scheme gatehouse does not read', async () => {
    const error = await loadError('s3://bucket/identity.schema.json');
    expect(error.message).toContain(
      '(s3://bucket/identity.schema.json) cannot be read: unsupported URL scheme',
    );
  });

  it('base64 that is not base64, its URL shortened in the message', async () => {
    const url = `base64://${'e30*'.repeat(20)}`;
    const error = await loadError(url);
    expect(error.message).toMatch(
      /^identity schema "default" \(base64:\/\/e30\*.*… \(89 characters\)\) cannot be read: is not valid base64/,
    );
  });

  it('text that is not JSON', async () => {
    const path = writeSchemaFile('broken.schema.json', '{"type": "object",');
    const error = await loadError(`file://${path}`);
    expect(error.message).toMatch(
      new RegExp(`^identity schema "default" \\(file://${path}\\) is not JSON: `),
    );
  });

  it('JSON that is not a schema object', async () => {
    const error = await loadError(base64Url(['type', 'object']));
    expect(error.message).toContain('is not a JSON schema: the document must be an object');
  });

  it('a schema draft-07 refuses', async () => {
    const error = await loadError(base64Url(traitsSchema({ email: { type: 'strin' } })));
    expect(error.message).toContain(
      'is not a valid draft-07 JSON schema: #/properties/traits/properties/email/type must be equal to one of the allowed values',
    );
  });

  it('another JSON-schema dialect', async () => {
    const error = await loadError(
      base64Url({ ...EMAIL_SCHEMA, $schema: 'https://json-schema.org/draft/2020-12/schema' }),
    );
    expect(error.message).toContain(
      'declares "$schema": "https://json-schema.org/draft/2020-12/schema"; identity schemas are read as draft-07',
    );
  });

  it('a pattern that is no regular expression', async () => {
    const error = await loadError(base64Url(traitsSchema({ name: { type: 'string', pattern: '([a-z' } })));
    expect(error.message).toContain('has an invalid pattern');
  });

  it('a $ref that resolves to nothing', async () => {
    const error = await loadError(base64Url(traitsSchema({ email: { $ref: '#/definitions/email' } })));
    expect(error.message).toContain('has a $ref that cannot be resolved');
  });

  it('an ory.sh/kratos key the extension does not have', async () => {
    const schema = traitsSchema({
      email: {
        type: 'string',
        'ory.sh/kratos': { credentials: { password: { identifier: true } }, recover: {} },
      },
    });
    const error = await loadError(base64Url(schema));
    expect(error.message).toContain(
      'uses the ory.sh/kratos extension wrongly: #/properties/traits/properties/email/ory.sh~1kratos: unknown key "recover"; allowed here: credentials, verification, recovery, organizations',
    );
  });

  it('an ory.sh/kratos channel other than email or sms', async () => {
    const schema = traitsSchema({
      email: { type: 'string', 'ory.sh/kratos': { verification: { via: 'pigeon' } } },
    });
    const error = await loadError(base64Url(schema));
    expect(error.message).toContain(
      '#/properties/traits/properties/email/ory.sh~1kratos/verification/via: must be one of "email", "sms"',
    );
  });

  it('an ory.sh/kratos flag that is not a boolean', async () => {
    const schema = traitsSchema({
      email: { type: 'string', 'ory.sh/kratos': { credentials: { password: { identifier: 'yes' } } } },
    });
    const error = await loadError(base64Url(schema));
    expect(error.message).toContain('/credentials/password/identifier: must be true or false');
  });

  it('a default_schema_id that no schema has', async () => {
    const error = await loadIdentitySchemas({
      defaultSchemaId: 'customer',
      schemas: [{ id: 'default', url: base64Url(EMAIL_SCHEMA) }],
      cwd: schemaDir,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentitySchemaError);
    expect((error as Error).message).toBe(
      'identity schema "customer" is identity.default_schema_id but not in identity.schemas (ids: default)',
    );
  });
});
