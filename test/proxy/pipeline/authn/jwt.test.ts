import { createHmac, createPublicKey, KeyObject, randomUUID, type webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../../src/clock.js';
import type { JsonObject } from '../../../../src/config/object-path.js';
import {
  AuthenticationSession,
  MatchContext,
} from '../../../../src/proxy/pipeline/authentication-session.js';
import { jwt } from '../../../../src/proxy/pipeline/authn/jwt.js';
import type { AuthenticationOutcome, HandlerDependencies } from '../../../../src/proxy/pipeline/handler.js';
import type { PipelineRequest } from '../../../../src/proxy/pipeline/pipeline-request.js';
import { GoHeader, GoUrl } from '../../../../src/template/go-net.js';
import { handlerDependencies } from '../../support/handler-dependencies.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const NOW = new Date('2030-01-01T00:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

let rsa: { privateKey: PrivateKey; jwk: JWK };
let ec: { privateKey: PrivateKey; jwk: JWK };
const hmacSecret = Buffer.from('a shared secret of at least thirty-two bytes!');
let jwksFile: string;

/** A loopback key server: counts requests and serves whatever `served` holds. */
let server: Server;
let serverUrl: string;
let requests = 0;
let served: { keys: JWK[] } = { keys: [] };

beforeAll(async () => {
  const rsaPair = await generateKeyPair('RS256', { extractable: true });
  rsa = {
    privateKey: rsaPair.privateKey,
    jwk: { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', use: 'sig', alg: 'RS256' },
  };
  const ecPair = await generateKeyPair('ES256', { extractable: true });
  ec = {
    privateKey: ecPair.privateKey,
    jwk: { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', use: 'sig' },
  };
  const oct: JWK = { kty: 'oct', k: hmacSecret.toString('base64url'), kid: 'hmac-1', use: 'sig' };
  const noUse: JWK = { ...rsa.jwk, kid: 'rsa-no-use' };
  delete noUse.use;
  const noAlg: JWK = { ...rsa.jwk, kid: 'rsa-no-alg' };
  delete noAlg.alg;
  // Public keys only (plus one symmetric key): a verifier never needs a private key.
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-jwt-'));
  jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [rsa.jwk, ec.jwk, oct, noUse, noAlg] }));

  server = createServer((_request, response) => {
    requests++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function fakeClock(start = NOW): Clock & { advance(ms: number): void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
  };
}

function sign(
  claims: Record<string, unknown>,
  options: { key?: PrivateKey; alg?: string; kid?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'rsa-1', typ: 'JWT' })
    .sign(options.key ?? rsa.privateKey);
}

/** A JWT signed with HMAC over any bytes, built by hand so that no library refuses the key. */
function hmacToken(header: Record<string, unknown>, claims: Record<string, unknown>, secret: Buffer): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function pipelineRequest(
  headers: Record<string, string> = {},
  url = 'http://app.example/api',
): PipelineRequest {
  return { method: 'GET', url: new URL(url), headers, remoteAddress: '127.0.0.1' };
}

function bearer(token: string): PipelineRequest {
  return pipelineRequest({ authorization: `Bearer ${token}` });
}

function newSession(request: PipelineRequest): AuthenticationSession {
  return new AuthenticationSession(
    new MatchContext(
      [],
      () => new GoUrl(request.url),
      request.method,
      () => new GoHeader(),
    ),
  );
}

function prepare(config: JsonObject, overrides: Partial<HandlerDependencies> = {}) {
  const prepared = jwt.prepare(
    { jwks_urls: [pathToFileURL(jwksFile).href], ...config },
    handlerDependencies({ clock: fakeClock(), ...overrides }),
  );
  return async (request: PipelineRequest) => {
    const session = newSession(request);
    const outcome: AuthenticationOutcome = await prepared.authenticate(request, session);
    return { outcome, session };
  };
}

/** The 401 Oathkeeper answers for a present but unacceptable token, and its reason. */
function expectRefused(outcome: AuthenticationOutcome, reason: RegExp): void {
  expect(outcome.kind).toBe('failed');
  if (outcome.kind !== 'failed') return;
  expect(outcome.error.status).toBe(401);
  expect(outcome.error.message).toBe('Access credentials are invalid');
  expect(outcome.error.reason).toMatch(reason);
}

describe('the jwt authenticator: accepting tokens', () => {
  it('accepts an RS256 token: Subject is `sub`, Extra all claims with the scope as `scp`', async () => {
    const authenticate = prepare({});
    const token = await sign({
      sub: 'user-1',
      iss: 'https://issuer',
      exp: nowSeconds + 60,
      custom: { a: 1 },
    });
    const { outcome, session } = await authenticate(bearer(token));
    expect(outcome).toEqual({ kind: 'authenticated' });
    expect(session.Subject).toBe('user-1');
    expect(session.Extra).toEqual({
      sub: 'user-1',
      iss: 'https://issuer',
      exp: nowSeconds + 60,
      custom: { a: 1 },
      scp: [],
    });
  });

  it('accepts an ES256 token when ES256 is allowed', async () => {
    const authenticate = prepare({ allowed_algorithms: ['ES256'] });
    const token = await sign({ sub: 'ec-user' }, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' });
    const { outcome, session } = await authenticate(bearer(token));
    expect(outcome).toEqual({ kind: 'authenticated' });
    expect(session.Subject).toBe('ec-user');
  });

  it('accepts an HS256 token signed with a symmetric key of the set, when HS256 is allowed', async () => {
    const authenticate = prepare({ allowed_algorithms: ['HS256'] });
    const token = hmacToken({ alg: 'HS256', kid: 'hmac-1' }, { sub: 'svc' }, hmacSecret);
    expect((await authenticate(bearer(token))).outcome).toEqual({ kind: 'authenticated' });
  });

  it('reads keys from a base64:// URL', async () => {
    const url = `base64://${Buffer.from(JSON.stringify({ keys: [rsa.jwk] })).toString('base64')}`;
    const authenticate = prepare({ jwks_urls: [url] });
    expect((await authenticate(bearer(await sign({ sub: 'b64' })))).outcome).toEqual({
      kind: 'authenticated',
    });
  });
});

describe('the jwt authenticator: refusing tokens with 401', () => {
  it('refuses an expired token, adding its claims to the details', async () => {
    const authenticate = prepare({});
    const token = await sign({ sub: 'user-1', exp: nowSeconds });
    const { outcome } = await authenticate(bearer(token));
    expectRefused(outcome, /expired/);
    if (outcome.kind === 'failed')
      expect(outcome.error.details).toEqual({ jwt_claims: `{"exp":${nowSeconds},"sub":"user-1"}` });
  });

  it('accepts a token until the second of its exp, on the injected clock', async () => {
    const clock = fakeClock(new Date(NOW.getTime() - 1000));
    const authenticate = prepare({}, { clock });
    const token = await sign({ sub: 'user-1', exp: nowSeconds });
    expect((await authenticate(bearer(token))).outcome.kind).toBe('authenticated');
    clock.advance(1000);
    expectRefused((await authenticate(bearer(token))).outcome, /expired/);
  });

  it('refuses a token that is not valid yet (nbf) or issued in the future (iat)', async () => {
    const authenticate = prepare({});
    expectRefused((await authenticate(bearer(await sign({ nbf: nowSeconds + 1 })))).outcome, /not valid yet/);
    expectRefused((await authenticate(bearer(await sign({ iat: nowSeconds + 1 })))).outcome, /future/);
    expect((await authenticate(bearer(await sign({ nbf: nowSeconds, iat: nowSeconds })))).outcome.kind).toBe(
      'authenticated',
    );
  });

  it('requires every target_audience entry in aud', async () => {
    const authenticate = prepare({ target_audience: ['api', 'admin'] });
    expectRefused((await authenticate(bearer(await sign({ aud: ['api'] })))).outcome, /audience "admin"/);
    expectRefused((await authenticate(bearer(await sign({})))).outcome, /audience "api"/);
    const all = await sign({ aud: ['admin', 'other', 'api'] });
    expect((await authenticate(bearer(all))).outcome.kind).toBe('authenticated');
  });

  it('requires iss among trusted_issuers when they are set', async () => {
    const authenticate = prepare({ trusted_issuers: ['https://good'] });
    expectRefused((await authenticate(bearer(await sign({ iss: 'https://evil' })))).outcome, /issuer/);
    expectRefused((await authenticate(bearer(await sign({})))).outcome, /issuer/);
    expect((await authenticate(bearer(await sign({ iss: 'https://good' })))).outcome.kind).toBe(
      'authenticated',
    );
  });

  it('refuses a token whose signature does not match its content', async () => {
    const authenticate = prepare({});
    const [header, , signature] = (await sign({ sub: 'user-1' })).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url');
    expectRefused((await authenticate(bearer(`${header}.${forged}.${signature}`))).outcome, /signature/);
  });

  it('refuses alg "none", even when allowed_algorithms lists it', async () => {
    const authenticate = prepare({ allowed_algorithms: ['none', 'RS256'] });
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${encode({ alg: 'none', kid: 'rsa-1' })}.${encode({ sub: 'admin' })}.`;
    expectRefused((await authenticate(bearer(token))).outcome, /"none".*not among allowed_algorithms/);
  });

  it('refuses an algorithm outside allowed_algorithms (default RS256 only)', async () => {
    const authenticate = prepare({});
    const token = await sign({ sub: 'ec-user' }, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' });
    expectRefused((await authenticate(bearer(token))).outcome, /"ES256".*not among allowed_algorithms/);
  });

  it('refuses an HS256 token that uses an RSA public key as its HMAC secret', async () => {
    const authenticate = prepare({ allowed_algorithms: ['RS256', 'HS256'] });
    const publicKey = createPublicKey({ key: rsa.jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    for (const secret of [
      Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }) as string),
      Buffer.from(publicKey.export({ format: 'der', type: 'spki' })),
      Buffer.from(JSON.stringify(rsa.jwk)),
    ]) {
      // With and without an `alg` on the key: the key type alone must rule HS256 out.
      for (const kid of ['rsa-1', 'rsa-no-alg']) {
        const token = hmacToken({ alg: 'HS256', kid }, { sub: 'admin' }, secret);
        expectRefused((await authenticate(bearer(token))).outcome, /cannot verify a token signed with HS256/);
      }
    }
  });

  it('refuses a token signed with a key of the right type but another algorithm than the key declares', async () => {
    const authenticate = prepare({ allowed_algorithms: ['RS256', 'PS256'] });
    // The RSA key itself could sign PS256; only its declared `alg` forbids it.
    const token = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'PS256', kid: 'rsa-1' })
      .sign(KeyObject.from(rsa.privateKey as webcrypto.CryptoKey));
    expectRefused((await authenticate(bearer(token))).outcome, /cannot verify a token signed with PS256/);
  });

  it('refuses a token without kid, and one whose key has no `use: "sig"` (never looked up)', async () => {
    const authenticate = prepare({});
    const noKid = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey);
    expectRefused((await authenticate(bearer(noKid))).outcome, /no "kid"/);
    const noUse = await sign({ sub: 'x' }, { kid: 'rsa-no-use' });
    expectRefused((await authenticate(bearer(noUse))).outcome, /No signing key .*"rsa-no-use"/);
  });

  it('refuses a three-part token whose header is not JSON, without claims in the details', async () => {
    const authenticate = prepare({});
    const { outcome } = await authenticate(bearer('not.a.jwt'));
    expectRefused(outcome, /header/);
    if (outcome.kind === 'failed') expect(outcome.error.details).toBeUndefined();
  });

  it('refuses every token when no key set can be loaded', async () => {
    const authenticate = prepare({
      jwks_urls: [pathToFileURL(join(tmpdir(), `missing-${randomUUID()}.json`)).href],
    });
    expectRefused((await authenticate(bearer(await sign({ sub: 'x' })))).outcome, /could not be loaded/);
  });
});

describe('the jwt authenticator: scope', () => {
  const scoped = (scp: unknown) => sign({ sub: 'x', scp });

  it('exact: only the identical scope grants it', async () => {
    const authenticate = prepare({ scope_strategy: 'exact', required_scope: ['photos.read'] });
    expectRefused((await authenticate(bearer(await scoped(['photos'])))).outcome, /scope "photos.read"/);
    expect((await authenticate(bearer(await scoped(['photos.read'])))).outcome.kind).toBe('authenticated');
  });

  it('hierarchic: a scope grants the scopes below it, not above', async () => {
    const authenticate = prepare({ scope_strategy: 'hierarchic', required_scope: ['photos.read'] });
    expect((await authenticate(bearer(await scoped(['photos'])))).outcome.kind).toBe('authenticated');
    expectRefused((await authenticate(bearer(await scoped(['photos.read.own'])))).outcome, /scope/);
    expectRefused((await authenticate(bearer(await scoped(['photosx'])))).outcome, /scope/);
  });

  it('wildcard: `*` stands for exactly one segment', async () => {
    const authenticate = prepare({ scope_strategy: 'wildcard', required_scope: ['photos.read'] });
    expect((await authenticate(bearer(await scoped(['photos.*'])))).outcome.kind).toBe('authenticated');
    expectRefused((await authenticate(bearer(await scoped(['photos'])))).outcome, /scope/);
    expectRefused((await authenticate(bearer(await scoped(['*'])))).outcome, /scope/);
  });

  it('none: a required scope cannot be satisfied, so the token is refused', async () => {
    const authenticate = prepare({ scope_strategy: 'none', required_scope: ['photos'] });
    expectRefused((await authenticate(bearer(await scoped(['photos'])))).outcome, /scope_strategy is "none"/);
    expectRefused((await authenticate(bearer(await scoped(['photos'])))).outcome, /none/);
  });

  it('every required scope must be granted', async () => {
    const authenticate = prepare({ scope_strategy: 'exact', required_scope: ['a', 'b'] });
    expectRefused((await authenticate(bearer(await scoped(['a'])))).outcome, /scope "b"/);
    expect((await authenticate(bearer(await scoped(['b', 'a'])))).outcome.kind).toBe('authenticated');
  });

  it('reads `scope` as a space-separated string or a list, and normalises it into `scp`', async () => {
    const authenticate = prepare({ scope_strategy: 'exact', required_scope: ['b'] });
    const fromString = await authenticate(bearer(await sign({ scope: 'a b' })));
    expect(fromString.outcome.kind).toBe('authenticated');
    expect(fromString.session.Extra).toEqual({ scp: ['a', 'b'] });
    const fromList = await authenticate(bearer(await sign({ scope: ['b'] })));
    expect(fromList.outcome.kind).toBe('authenticated');
    expect(fromList.session.Extra).toEqual({ scp: ['b'] });
    const fromScopes = await authenticate(bearer(await sign({ scopes: 'b c' })));
    expect(fromScopes.session.Extra).toEqual({ scp: ['b', 'c'] });
  });
});

describe('the jwt authenticator: finding the token', () => {
  it('is not responsible without a token, with another scheme, or for a token that is not three parts', async () => {
    const authenticate = prepare({});
    expect((await authenticate(pipelineRequest())).outcome).toEqual({ kind: 'not_responsible' });
    expect((await authenticate(pipelineRequest({ authorization: 'Basic dXNlcjpwYXNz' }))).outcome).toEqual({
      kind: 'not_responsible',
    });
    expect((await authenticate(bearer('opaque-token'))).outcome).toEqual({ kind: 'not_responsible' });
    expect((await authenticate(bearer('a.b'))).outcome).toEqual({ kind: 'not_responsible' });
  });

  it('reads the scheme word in any case', async () => {
    const authenticate = prepare({});
    const request = pipelineRequest({ authorization: `bEaReR ${await sign({ sub: 'x' })}` });
    expect((await authenticate(request)).outcome.kind).toBe('authenticated');
  });

  it('reads token_from.query_parameter', async () => {
    const authenticate = prepare({ token_from: { query_parameter: 'access_token' } });
    const token = await sign({ sub: 'q' });
    const { outcome, session } = await authenticate(
      pipelineRequest({}, `http://app.example/api?access_token=${token}`),
    );
    expect(outcome.kind).toBe('authenticated');
    expect(session.Subject).toBe('q');
    // The Authorization header is no longer looked at.
    expect((await authenticate(bearer(token))).outcome).toEqual({ kind: 'not_responsible' });
  });

  it('reads token_from.cookie', async () => {
    const authenticate = prepare({ token_from: { cookie: 'jwt' } });
    const token = await sign({ sub: 'c' });
    const { outcome, session } = await authenticate(pipelineRequest({ cookie: `theme=dark; jwt=${token}` }));
    expect(outcome.kind).toBe('authenticated');
    expect(session.Subject).toBe('c');
    expect((await authenticate(pipelineRequest({ cookie: `xjwt=${token}` }))).outcome).toEqual({
      kind: 'not_responsible',
    });
  });

  it('reads token_from.header raw, unless the header is exactly `Authorization`', async () => {
    const token = await sign({ sub: 'h' });
    const custom = prepare({ token_from: { header: 'X-Token' } });
    expect((await custom(pipelineRequest({ 'x-token': token }))).outcome.kind).toBe('authenticated');
    const lower = prepare({ token_from: { header: 'authorization' } });
    expectRefused((await lower(bearer(token))).outcome, /header/);
    const exact = prepare({ token_from: { header: 'Authorization' } });
    expect((await exact(bearer(token))).outcome.kind).toBe('authenticated');
  });
});

describe('the jwt authenticator: fetching key sets over HTTP', () => {
  it('fetches a set lazily and keeps it for jwks_ttl, on the injected clock', async () => {
    served = { keys: [rsa.jwk] };
    requests = 0;
    const clock = fakeClock();
    const authenticate = prepare({ jwks_urls: [serverUrl], jwks_ttl: '30s' }, { clock });
    expect(requests).toBe(0);
    const token = await sign({ sub: 'x', exp: nowSeconds + 3600 });
    for (let i = 0; i < 5; i++)
      expect((await authenticate(bearer(token))).outcome.kind).toBe('authenticated');
    expect(requests).toBe(1);
    clock.advance(30_000);
    expect((await authenticate(bearer(token))).outcome.kind).toBe('authenticated');
    expect(requests).toBe(2);
  });

  it('a flood of tokens with unknown kids makes a bounded number of fetches', async () => {
    served = { keys: [rsa.jwk] };
    requests = 0;
    const clock = fakeClock();
    const authenticate = prepare({ jwks_urls: [serverUrl] }, { clock });
    const tokens = await Promise.all(
      Array.from({ length: 200 }, () => sign({ sub: 'x' }, { kid: randomUUID() })),
    );
    const outcomes = await Promise.all(
      tokens.map(async (token) => (await authenticate(bearer(token))).outcome),
    );
    for (const outcome of outcomes) expectRefused(outcome, /No signing key/);
    expect(requests).toBeLessThanOrEqual(2);
    // Sequentially, within one refresh window, still no more fetches.
    for (const token of tokens.slice(0, 50)) await authenticate(bearer(token));
    expect(requests).toBeLessThanOrEqual(2);
  });

  it('an unknown kid makes the set be fetched again once the refresh window has passed (key rotation)', async () => {
    served = { keys: [rsa.jwk] };
    requests = 0;
    const clock = fakeClock();
    const authenticate = prepare({ jwks_urls: [serverUrl], allowed_algorithms: ['ES256'] }, { clock });
    const token = await sign({ sub: 'new' }, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' });
    expectRefused((await authenticate(bearer(token))).outcome, /No signing key/);
    served = { keys: [rsa.jwk, ec.jwk] };
    clock.advance(1000);
    expect((await authenticate(bearer(token))).outcome.kind).toBe('authenticated');
    expect(requests).toBe(2);
  });

  it('verifies against the union of several sets', async () => {
    served = { keys: [ec.jwk] };
    const authenticate = prepare({
      jwks_urls: [serverUrl, pathToFileURL(jwksFile).href],
      allowed_algorithms: ['RS256', 'ES256'],
    });
    expect((await authenticate(bearer(await sign({ sub: 'file' })))).outcome.kind).toBe('authenticated');
    const ecToken = await sign({ sub: 'http' }, { key: ec.privateKey, alg: 'ES256', kid: 'ec-1' });
    expect((await authenticate(bearer(ecToken))).outcome.kind).toBe('authenticated');
  });
});
