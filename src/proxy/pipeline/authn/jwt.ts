import { compactVerify, decodeProtectedHeader } from 'jose';
import { parseDuration } from '../../../config/duration.js';
import { ALGORITHMS_BY_KEY } from '../../../keys/json-web-key.js';
import { JwksCache, type JwksSource, type VerificationKey } from '../../../keys/jwks-cache.js';
import type { AuthenticatorHandler } from '../handler.js';
import { PipelineError, pipelineErrors } from '../pipeline-error.js';
import { type ScopeMatcher, scopeMatcher } from './scope-strategy.js';
import { type TokenSource, tokenFrom } from './token-from.js';

/** The key family each signature algorithm needs: an HS256 token never verifies with an RSA key. */
const FAMILY_BY_ALGORITHM = new Map<string, string>([
  ['HS256', 'oct'],
  ['HS384', 'oct'],
  ['HS512', 'oct'],
  ...[...ALGORITHMS_BY_KEY].flatMap(([family, algorithms]) =>
    algorithms.map((algorithm) => [algorithm, family] as [string, string]),
  ),
]);

// One cache per proxy: `keySets` lives as long as the proxy, while the dependencies object is
// rebuilt on every rule reload. Entries go when the proxy (and so its KeySetSources) goes.
const cachesByProxy = new WeakMap<object, JwksCache>();

/** Why a present token was refused; becomes the 401's `reason`. */
class TokenRefused extends Error {}

/**
 * Verifies a JSON Web Token against the keys of `jwks_urls`: signature, algorithm, time claims,
 * issuer, audience and scope. A request without a token (or whose token is not three
 * dot-separated parts) is not its business; any other failure is a 401, as in Oathkeeper.
 * Subject is `sub`, Extra all claims, with the scope normalised into `scp`.
 */
export const jwt: AuthenticatorHandler = {
  name: 'jwt',
  prepare(config, dependencies) {
    const urls = stringList(config.jwks_urls);
    if (urls.length === 0) throw new Error('jwks_urls must name at least one JSON Web Key Set');
    const ttlMs = parseDuration(typeof config.jwks_ttl === 'string' ? config.jwks_ttl : '30s');
    const maxWaitMs = parseDuration(typeof config.jwks_max_wait === 'string' ? config.jwks_max_wait : '1s');
    // `none` is never accepted, whatever the config lists: it would make the signature optional.
    const listed = stringList(config.allowed_algorithms);
    const algorithms = new Set(
      (listed.length > 0 ? listed : ['RS256']).filter((a) => a.toLowerCase() !== 'none'),
    );
    const issuers = stringList(config.trusted_issuers);
    const audiences = stringList(config.target_audience);
    const requiredScope = stringList(config.required_scope);
    const matcher = scopeMatcher(
      typeof config.scope_strategy === 'string' ? config.scope_strategy : undefined,
    );
    const from = (config.token_from ?? undefined) as TokenSource;

    let cache = cachesByProxy.get(dependencies.keySets);
    if (!cache) {
      cache = new JwksCache();
      cachesByProxy.set(dependencies.keySets, cache);
    }
    const { cwd, clock, log, dispatcher } = dependencies;
    const sources = urls.map((url) => cache.source(url, { ttlMs, maxWaitMs, cwd, clock, log, dispatcher }));
    const checks: ClaimChecks = { issuers, audiences, requiredScope, matcher };

    return {
      async authenticate(request, session) {
        const token = tokenFrom(request, from);
        if (token?.split('.').length !== 3) return { kind: 'not_responsible' };
        let claims: Record<string, unknown>;
        try {
          claims = await verify(token, algorithms, sources, clock.now(), checks);
        } catch (error) {
          if (!(error instanceof TokenRefused)) throw error;
          return { kind: 'failed', error: refusal(token, error.message) };
        }
        session.Subject = typeof claims.sub === 'string' ? claims.sub : '';
        session.Extra = claims;
        return { kind: 'authenticated' };
      },
    };
  },
};

interface ClaimChecks {
  issuers: string[];
  audiences: string[];
  requiredScope: string[];
  matcher: ScopeMatcher | undefined;
}

async function verify(
  token: string,
  algorithms: ReadonlySet<string>,
  sources: readonly JwksSource[],
  now: Date,
  checks: ClaimChecks,
): Promise<Record<string, unknown>> {
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new TokenRefused('The JSON Web Token header is not a base64url-encoded JSON object.');
  }
  const alg = typeof header.alg === 'string' ? header.alg : '';
  if (!algorithms.has(alg)) {
    throw new TokenRefused(
      `The JSON Web Token is signed with algorithm "${alg}", which is not among allowed_algorithms (${[...algorithms].join(', ')}).`,
    );
  }
  if (typeof header.kid !== 'string' || header.kid === '')
    throw new TokenRefused('The JSON Web Token has no "kid" header naming the key that signed it.');
  const key = await resolveKey(header.kid, sources);
  const family = FAMILY_BY_ALGORITHM.get(alg);
  if (family === undefined) throw new TokenRefused(`The signing algorithm "${alg}" is not supported.`);
  // Checked before verifying, so a public RSA key can never serve as an HMAC secret.
  if (key.family !== family || (key.alg !== undefined && key.alg !== alg)) {
    throw new TokenRefused(
      `The key "${key.kid}" (${key.family}${key.alg ? `, ${key.alg}` : ''}) cannot verify a token signed with ${alg}.`,
    );
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, key.key, { algorithms: [alg] }));
  } catch (error) {
    throw new TokenRefused(`The JSON Web Token signature is invalid: ${(error as Error).message}`);
  }
  const claims = parseClaims(payload);
  if (!claims) throw new TokenRefused('The JSON Web Token payload is not a JSON object.');
  checkTimes(claims, now);

  if (checks.issuers.length > 0 && !checks.issuers.includes(claims.iss as string)) {
    throw new TokenRefused(
      `The JSON Web Token issuer ${JSON.stringify(claims.iss ?? '')} is not among trusted_issuers.`,
    );
  }
  const audience = typeof claims.aud === 'string' ? [claims.aud] : stringList(claims.aud);
  for (const wanted of checks.audiences) {
    if (!audience.includes(wanted))
      throw new TokenRefused(
        `The JSON Web Token is not intended for audience "${wanted}" (its aud lacks it).`,
      );
  }
  const scope = normaliseScope(claims);
  if (checks.requiredScope.length > 0) {
    // Oathkeeper treats this as a server error internally, yet the client still sees the 401.
    if (!checks.matcher)
      throw new TokenRefused('required_scope is set but scope_strategy is "none"; choose a scope strategy.');
    for (const wanted of checks.requiredScope) {
      if (!checks.matcher(scope, wanted))
        throw new TokenRefused(`The JSON Web Token lacks the required scope "${wanted}".`);
    }
  }
  return claims;
}

/**
 * The key a token names, from the first set that has it. A kid no set knows makes each set read
 * again, at most once per refresh window, so a key added at the issuer is found without waiting
 * for the TTL while a flood of made-up kids causes only a bounded number of reads.
 */
async function resolveKey(kid: string, sources: readonly JwksSource[]): Promise<VerificationKey> {
  const found = await Promise.all(sources.map((source) => source.find(kid)));
  let key = found.flat()[0];
  if (!key) {
    const refreshed = await Promise.all(sources.map((source) => source.refreshForUnknownKid()));
    if (refreshed.some(Boolean)) key = sources.flatMap((source) => source.cached(kid))[0];
  }
  if (key) return key;
  const failures = sources.map((source) => source.error()).filter((error) => error !== undefined);
  throw new TokenRefused(
    failures.length > 0
      ? `No signing key with kid "${kid}" was found; some key sets could not be loaded: ${failures.join('; ')}`
      : `No signing key (use "sig") with kid "${kid}" is in jwks_urls.`,
  );
}

/**
 * `exp`, `nbf` and `iat` against whole seconds of the injected clock, with no leeway, as
 * Oathkeeper's JWT library checks them: each is optional, and `exp: 0` counts as absent.
 */
function checkTimes(claims: Record<string, unknown>, now: Date): void {
  const seconds = Math.floor(now.getTime() / 1000);
  const time = (name: string): number | undefined => {
    const value = claims[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new TokenRefused(`The JSON Web Token claim "${name}" is not a number of seconds.`);
    return value;
  };
  const exp = time('exp');
  if (exp !== undefined && exp !== 0 && !(seconds < exp))
    throw new TokenRefused('The JSON Web Token has expired.');
  const iat = time('iat');
  if (iat !== undefined && iat !== 0 && seconds < iat)
    throw new TokenRefused('The JSON Web Token was issued in the future (iat).');
  const nbf = time('nbf');
  if (nbf !== undefined && nbf !== 0 && seconds < nbf)
    throw new TokenRefused('The JSON Web Token is not valid yet (nbf).');
}

/**
 * The granted scope, from `scp`, `scope` or `scopes` (the first present; a list or a
 * space-separated string). As Oathkeeper does, the claim read is replaced by `scp` holding the
 * list, so Extra always has `scp`, empty when the token has no scope.
 */
function normaliseScope(claims: Record<string, unknown>): string[] {
  let scope: string[] = [];
  for (const name of ['scp', 'scope', 'scopes']) {
    if (!Object.hasOwn(claims, name)) continue;
    const value = claims[name];
    scope = typeof value === 'string' ? value.split(' ').filter((part) => part !== '') : stringList(value);
    delete claims[name];
    break;
  }
  claims.scp = scope;
  return scope;
}

function parseClaims(payload: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The 401 for a present but unacceptable token. When the token's payload decodes, its claims go
 * into `details.jwt_claims` as a JSON string (Go's encoding: sorted keys), as Oathkeeper adds them.
 */
function refusal(token: string, reason: string): PipelineError {
  const { message } = pipelineErrors.unauthorized();
  const part = token.split('.')[1] ?? '';
  const claims = parseClaims(Buffer.from(part, 'base64url'));
  const details = claims ? { jwt_claims: goJson(claims) } : undefined;
  return new PipelineError(401, message, { reason, details });
}

/** JSON as Go's encoding/json writes it: map keys sorted, `<`, `>`, `&` and U+2028/9 escaped. */
function goJson(value: unknown): string {
  const sorted = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(sorted);
    if (typeof item === 'object' && item !== null) {
      return Object.fromEntries(
        Object.keys(item)
          .sort()
          .map((key) => [key, sorted((item as Record<string, unknown>)[key])]),
      );
    }
    return item;
  };
  return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (char) => {
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
