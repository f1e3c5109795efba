import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../../src/clock.js';
import { configSchema } from '../../../../src/config/config-schemas.js';
import type { JsonObject } from '../../../../src/config/object-path.js';
import { generateKeySet, type KeySetFormat } from '../../../../src/keys/generate-key-set.js';
import type { JsonWebKeySet } from '../../../../src/keys/json-web-key.js';
import type { KeySetSource } from '../../../../src/keys/key-set-source.js';
import { publicKeySet } from '../../../../src/keys/public-key-set.js';
import {
  AuthenticationSession,
  MatchContext,
} from '../../../../src/proxy/pipeline/authentication-session.js';
import type { HandlerDependencies, PreparedMutator } from '../../../../src/proxy/pipeline/handler.js';
import { HandlerConfigValidator } from '../../../../src/proxy/pipeline/handler-config.js';
import { decodeClaims, IdTokenCache, idToken } from '../../../../src/proxy/pipeline/mutate/id-token.js';
import { PipelineError } from '../../../../src/proxy/pipeline/pipeline-error.js';
import type { PipelineRequest } from '../../../../src/proxy/pipeline/pipeline-request.js';
import { GoHeader, GoUrl } from '../../../../src/template/go-net.js';
import { handlerDependencies } from '../../support/handler-dependencies.js';

const PORTAL_CLAIMS = '{\n  "session": {{ .Extra | toJson }}\n}\n';
const ISSUER = 'http://oathkeeper:4455/';
const PYTHON = '/usr/bin/python3';

const request: PipelineRequest = {
  method: 'GET',
  url: new URL('http://oathkeeper:4455/api/x'),
  headers: {},
  remoteAddress: '127.0.0.1',
};

/** A clock the test moves; it starts at the real time, so outside verifiers accept `iat`/`nbf`. */
class FakeClock implements Clock {
  ms = Date.now();
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

function sessionFor(subject: string, extra?: Record<string, unknown>): AuthenticationSession {
  const session = new AuthenticationSession(
    new MatchContext(
      [],
      () => new GoUrl(request.url),
      'GET',
      () => new GoHeader([]),
    ),
  );
  session.Subject = subject;
  if (extra) session.Extra = extra;
  return session;
}

/** The JWT the mutator set as the upstream's Authorization header. */
function bearerToken(session: AuthenticationSession): string {
  const value = session.Header.Get('Authorization');
  expect(value).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  return value.slice('Bearer '.length);
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

async function tokenFor(mutator: PreparedMutator, subject: string, extra?: Record<string, unknown>) {
  const session = sessionFor(subject, extra);
  await mutator.mutate(request, session);
  return bearerToken(session);
}

async function pipelineErrorOf(promise: void | Promise<void>): Promise<PipelineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    return error as PipelineError;
  }
  throw new Error('expected the mutator to fail');
}

/** PyJWT, given only the public key set on stdin, checks signature, issuer and the time claims. */
function verifyWithPyJwt(publicSet: unknown, token: string): Record<string, unknown> {
  const script = [
    'import json, sys, jwt',
    'case = json.load(sys.stdin)',
    'header = jwt.get_unverified_header(case["token"])',
    'keys = [k for k in case["jwks"]["keys"] if k.get("kid") == header.get("kid")]',
    'assert len(keys) == 1, "no single key for kid %r" % header.get("kid")',
    'claims = jwt.decode(case["token"], jwt.PyJWK(keys[0]).key, algorithms=[header["alg"]],',
    '    issuer=case["issuer"], options={"verify_aud": False, "require": ["exp", "iat", "nbf", "iss", "sub", "jti"]})',
    'json.dump(claims, sys.stdout)',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script], {
    input: JSON.stringify({ jwks: publicSet, token, issuer: ISSUER }),
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
    timeout: 20_000,
  });
  if (run.status !== 0) throw new Error(`PyJWT refused the token (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

let dir: string;
let keyFile: string;
let keyFileUrl: string;
let clock: FakeClock;
let dependencies: HandlerDependencies;
let source: KeySetSource;
let keySet: JsonWebKeySet;

async function writeKeySet(alg = 'RS256', format: KeySetFormat = 'single'): Promise<JsonWebKeySet> {
  keySet = await generateKeySet({ alg, format });
  writeFileSync(keyFile, JSON.stringify(keySet));
  await source.refresh();
  return keySet;
}

function prepare(config: JsonObject = {}, deps = dependencies): PreparedMutator {
  return idToken.prepare({ issuer_url: ISSUER, jwks_url: keyFileUrl, ttl: '1h', ...config }, deps);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-id-token-'));
  keyFile = join(dir, 'id_token.jwks.json');
  keyFileUrl = pathToFileURL(keyFile).href;
  clock = new FakeClock();
  dependencies = handlerDependencies({ clock });
  keySet = await generateKeySet({ alg: 'RS256' });
  writeFileSync(keyFile, JSON.stringify(keySet));
  source = dependencies.keySets.signing(keyFileUrl);
  await source.start();
});

afterAll(() => {
  dependencies.keySets.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the id_token mutator', () => {
  it('is registered under the config name id_token', () => {
    expect(idToken.name).toBe('id_token');
  });

  it("puts the portal's whole session under `session` and sends it as a Bearer token", async () => {
    const extra = {
      identity: { id: 'c3f1a1de', traits: { email: 'ana@example.com', name: 'Zoë <Ōtani>' } },
      active: true,
      logins: 3,
    };
    const token = await tokenFor(prepare({ claims: PORTAL_CLAIMS }), 'c3f1a1de', extra);
    expect(payloadOf(token).session).toEqual(extra);
  });

  it('sets iss, sub, iat, nbf, exp and jti over what the template says', async () => {
    const seen: string[] = [];
    const deps = handlerDependencies({
      clock,
      keySets: dependencies.keySets,
      random: {
        bytes: dependencies.random.bytes,
        uuid: () => {
          const id = `5f0c9e2a-7b1d-4c3e-8a9f-00000000000${seen.length}`;
          seen.push(id);
          return id;
        },
      },
    });
    const mutator = prepare(
      {
        ttl: '15m',
        claims: '{"iss":"evil","sub":"evil","iat":1,"nbf":1,"exp":1,"jti":"evil","role":"editor"}',
      },
      deps,
    );
    const token = await tokenFor(mutator, 'user-1');
    const now = Math.floor(clock.ms / 1000);
    expect(payloadOf(token)).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      iat: now,
      nbf: now,
      exp: Math.floor((clock.ms + 15 * 60_000) / 1000),
      jti: seen[0],
      role: 'editor',
    });
  });

  it('defaults the lifetime to 15 minutes', async () => {
    const config = { issuer_url: ISSUER, jwks_url: keyFileUrl, claims: '{"x":"ttl-default"}' };
    const token = await tokenFor(idToken.prepare(config, dependencies), 'user-ttl');
    const { iat, exp } = payloadOf(token) as { iat: number; exp: number };
    expect(exp - iat).toBe(900);
  });

  it('adds no `aud` of its own', async () => {
    const token = await tokenFor(prepare({ claims: PORTAL_CLAIMS }), 'user-no-aud', { a: 1 });
    expect(Object.keys(payloadOf(token))).not.toContain('aud');
  });

  it('keeps an `aud` the template writes', async () => {
    const token = await tokenFor(
      prepare({ claims: '{"aud": ["billing", "{{ print .Subject }}"]}' }),
      'user-aud',
    );
    expect(payloadOf(token).aud).toEqual(['billing', 'user-aud']);
  });

  it('without a claims template, signs the standard claims alone', async () => {
    const token = await tokenFor(prepare(), 'user-bare');
    expect(Object.keys(payloadOf(token)).sort()).toEqual(['exp', 'iat', 'iss', 'jti', 'nbf', 'sub']);
  });

  it('with no Extra, the portal template renders `"session": null`', async () => {
    const token = await tokenFor(prepare({ claims: PORTAL_CLAIMS }), 'user-nil-extra');
    expect(payloadOf(token).session).toBeNull();
  });

  it('replaces the Authorization header a client or an earlier mutator set', async () => {
    const session = sessionFor('user-replace');
    session.setHeader('Authorization', 'Basic Zm9vOmJhcg==');
    await prepare().mutate(request, session);
    expect(session.Header.Authorization).toHaveLength(1);
    expect(session.Header.Get('Authorization')).toMatch(/^Bearer /);
  });
});

describe('the id_token signature', () => {
  it('verifies with jose against the public key set, under the key’s kid and alg', async () => {
    const token = await tokenFor(prepare({ claims: PORTAL_CLAIMS }), 'user-jose', { a: 'b' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: keySet.keys[0]!.kid, typ: 'JWT' });
    const { payload } = await jwtVerify(token, createLocalJWKSet(publicKeySet([keySet]) as never), {
      issuer: ISSUER,
      currentDate: clock.now(),
    });
    expect(payload.sub).toBe('user-jose');
    expect(payload.session).toEqual({ a: 'b' });
  });

  it('verifies with PyJWT given only the public key set', async () => {
    const extra = { identity: { id: 'py', traits: { email: 'py@example.com' } } };
    const token = await tokenFor(prepare({ claims: PORTAL_CLAIMS }), 'user-pyjwt', extra);
    const claims = verifyWithPyJwt(publicKeySet([keySet]), token);
    expect(claims.sub).toBe('user-pyjwt');
    expect(claims.session).toEqual(extra);
  });

  it('a Hydra-style ES256 pair signs with the private key and names the public entry', async () => {
    const set = await writeKeySet('ES256', 'hydra');
    const token = await tokenFor(prepare({ claims: '{"x":"hydra"}' }), 'user-hydra');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: set.keys[1]!.kid });
    expect(set.keys[1]!.kid).toMatch(/^public:/);
    expect(verifyWithPyJwt(publicKeySet([set]), token).x).toBe('hydra');
    await writeKeySet('RS256');
  });

  it('the public set with the signing key removed does not verify it', async () => {
    const token = await tokenFor(prepare({ claims: '{"x":"other"}' }), 'user-other-key');
    const other = await generateKeySet({ alg: 'RS256', kid: keySet.keys[0]!.kid });
    await expect(
      jwtVerify(token, createLocalJWKSet(publicKeySet([other]) as never), { currentDate: clock.now() }),
    ).rejects.toThrow();
  });
});

describe('the id_token cache', () => {
  const ttlMs = 3_600_000;

  it('hands out the same token until 90 % of its lifetime has passed, then a new one', async () => {
    const mutator = prepare({ claims: PORTAL_CLAIMS });
    const extra = { identity: { id: 'cached' } };
    const first = await tokenFor(mutator, 'user-cache', extra);
    clock.advance(ttlMs * 0.9 - 1000);
    expect(await tokenFor(mutator, 'user-cache', extra)).toBe(first);
    clock.advance(2000);
    const renewed = await tokenFor(mutator, 'user-cache', extra);
    expect(renewed).not.toBe(first);
    expect(payloadOf(renewed).iat).toBe(Math.floor(clock.ms / 1000));
  });

  it('keeps tokens apart by subject and by rendered claims', async () => {
    const mutator = prepare({ claims: PORTAL_CLAIMS });
    const a = await tokenFor(mutator, 'user-a', { role: 'x' });
    expect(await tokenFor(mutator, 'user-b', { role: 'x' })).not.toBe(a);
    expect(await tokenFor(mutator, 'user-a', { role: 'y' })).not.toBe(a);
    expect(await tokenFor(mutator, 'user-a', { role: 'x' })).toBe(a);
  });

  it('is shared by rules with the same config and not by rules with another issuer or ttl', async () => {
    const first = await tokenFor(prepare({ claims: PORTAL_CLAIMS }), 'user-shared', { n: 1 });
    expect(await tokenFor(prepare({ claims: PORTAL_CLAIMS }), 'user-shared', { n: 1 })).toBe(first);
    const otherIssuer = await tokenFor(
      prepare({ claims: PORTAL_CLAIMS, issuer_url: 'https://other/' }),
      'user-shared',
      { n: 1 },
    );
    expect(otherIssuer).not.toBe(first);
    expect(await tokenFor(prepare({ claims: PORTAL_CLAIMS, ttl: '2h' }), 'user-shared', { n: 1 })).not.toBe(
      first,
    );
  });

  it('signs a new token, under the new kid, once the key set is rotated', async () => {
    const mutator = prepare({ claims: PORTAL_CLAIMS });
    const before = await tokenFor(mutator, 'user-rotate', { n: 1 });
    expect(await tokenFor(mutator, 'user-rotate', { n: 1 })).toBe(before);
    const rotated = await writeKeySet('RS256');
    const after = await tokenFor(mutator, 'user-rotate', { n: 1 });
    expect(after).not.toBe(before);
    expect(decodeProtectedHeader(after).kid).toBe(rotated.keys[0]!.kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(rotated.keys[0]!.kid);
  });

  it('signs a new token for a new key that reuses the old kid', async () => {
    const mutator = prepare({ claims: '{"x":"same-kid"}' });
    const before = await tokenFor(mutator, 'user-same-kid');
    keySet = await generateKeySet({ alg: 'RS256', kid: keySet.keys[0]!.kid });
    writeFileSync(keyFile, JSON.stringify(keySet));
    await source.refresh();
    const after = await tokenFor(mutator, 'user-same-kid');
    expect(after).not.toBe(before);
    await jwtVerify(after, createLocalJWKSet(publicKeySet([keySet]) as never), { currentDate: clock.now() });
  });

  it('with `cache.enabled: false` signs every request anew', async () => {
    const mutator = prepare({ claims: PORTAL_CLAIMS, cache: { enabled: false } });
    const first = await tokenFor(mutator, 'user-uncached', { n: 1 });
    expect(await tokenFor(mutator, 'user-uncached', { n: 1 })).not.toBe(first);
  });

  it("`cache` passes the proxy's config validation, and other keys beside it still do not", () => {
    const validator = new HandlerConfigValidator(configSchema('oathkeeper').schema);
    const base = { issuer_url: ISSUER, jwks_url: keyFileUrl };
    expect(validator.validate('mutators', 'id_token', { ...base, cache: { enabled: false } })).toEqual([]);
    expect(validator.validate('mutators', 'id_token', { ...base, cache: { size: 1 } })).not.toEqual([]);
    expect(validator.validate('mutators', 'id_token', { ...base, bar: 'baz' })).not.toEqual([]);
  });

  it('keeps at most its bound, dropping the least recently used token', () => {
    const cache = new IdTokenCache(2);
    cache.set('a', 'token-a', 100);
    cache.set('b', 'token-b', 100);
    expect(cache.get('a', 0)).toBe('token-a');
    cache.set('c', 'token-c', 100);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBe('token-a');
    expect(cache.get('c', 0)).toBe('token-c');
    expect(cache.get('c', 100)).toBeUndefined();
  });
});

describe('claims that are not a JSON object', () => {
  it.each([
    ['a value that is not JSON', '{"session": {{ .Subject }}}'],
    ['an array', '[{"a": 1}]'],
    ['a string', '"{{ .Subject }}"'],
    ['null', 'null'],
    ['nothing', '{{ if false }}{}{{ end }}'],
    ['an unterminated object', '{"a": 1'],
  ])('%s fails the request with a 500', async (_name, claims) => {
    const error = await pipelineErrorOf(prepare({ claims }).mutate(request, sessionFor('user-bad')));
    expect(error.status).toBe(500);
    expect(error.condition).toBe('internal_server_error');
  });

  it('a template that fails to render fails the request with a 500', async () => {
    const mutator = prepare({ claims: '{"x": "{{ .Extra.missing.deeper }}"}' });
    const error = await pipelineErrorOf(mutator.mutate(request, sessionFor('user-render', {})));
    expect(error.status).toBe(500);
  });

  it('a template that does not parse fails preparation', () => {
    expect(() => prepare({ claims: '{"x": "{{ .Subject "}' })).toThrow();
  });

  it('text after a complete object is ignored, as Go’s JSON decoder reads one value', () => {
    expect(decodeClaims(' {"a": "}", "b": [1, {"c": "\\"}"}]}} trailing')).toEqual({
      a: '}',
      b: [1, { c: '"}' }],
    });
  });
});

describe('the key set', () => {
  it('a key set that cannot be read fails the request with a 500', async () => {
    const mutator = prepare({ jwks_url: pathToFileURL(join(dir, 'missing.json')).href });
    const error = await pipelineErrorOf(mutator.mutate(request, sessionFor('user-no-keys')));
    expect(error.status).toBe(500);
    expect(error.reason).toContain('missing.json');
  });

  it('one only a rule names is read and signs without the proxy having started it', async () => {
    const ruleFile = join(dir, 'rule.jwks.json');
    const set = await generateKeySet({ alg: 'ES256' });
    writeFileSync(ruleFile, JSON.stringify(set));
    const token = await tokenFor(prepare({ jwks_url: pathToFileURL(ruleFile).href }), 'user-rule-keys');
    expect(decodeProtectedHeader(token).kid).toBe(set.keys[0]!.kid);
  });
});
