import { createHash } from 'node:crypto';
import { parseDuration } from '../../../config/duration.js';
import type { JsonWebKeySet } from '../../../keys/json-web-key.js';
import type { KeySetSource } from '../../../keys/key-set-source.js';
import type { KeySetSources } from '../../../keys/key-set-sources.js';
import { signJwt } from '../../../keys/sign-jwt.js';
import { loadSigningKeySet, type SigningKeySet } from '../../../keys/signing-key-set.js';
import { jwkThumbprint } from '../../../keys/thumbprint.js';
import { GoTemplate } from '../../../template/go-template.js';
import { TemplateError } from '../../../template/template-error.js';
import type { MutatorHandler } from '../handler.js';
import { PipelineError, pipelineErrors } from '../pipeline-error.js';

/** `mutators.id_token.config`, after the merge and the schema's defaults. */
interface IdTokenConfig {
  issuer_url?: string;
  jwks_url?: string;
  ttl?: string;
  claims?: string;
  /** gatehouse addition (`x-gatehouse` in the schema): `cache.enabled: false` signs every request anew. */
  cache?: { enabled?: boolean };
}

/** How many tokens one proxy keeps; beyond it the least recently used one goes. */
export const ID_TOKEN_CACHE_MAX_ENTRIES = 10_000;

/**
 * Signed tokens by everything that went into them, least recently used first. A token is handed
 * out again only until 90 % of its lifetime has passed, as Oathkeeper does, so an upstream never
 * gets one that is about to expire.
 */
export class IdTokenCache {
  private readonly entries = new Map<string, { token: string; renewAt: number }>();

  constructor(private readonly maxEntries = ID_TOKEN_CACHE_MAX_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached token, unless it is due for renewal at `nowMs` (then it is dropped). */
  get(key: string, nowMs: number): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (nowMs >= entry.renewAt) return undefined;
    this.entries.set(key, entry);
    return entry.token;
  }

  set(key: string, token: string, renewAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { token, renewAt });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

// One cache per proxy, shared by all its rules (as Oathkeeper's one mutator instance shares it):
// the key names issuer, ttl and key set, so rules with other configs never meet. Keyed by the
// proxy's key set registry, which lives as long as the proxy and survives rule reloads.
const caches = new WeakMap<KeySetSources, IdTokenCache>();

function cacheFor(keySets: KeySetSources): IdTokenCache {
  let cache = caches.get(keySets);
  if (!cache) {
    cache = new IdTokenCache();
    caches.set(keySets, cache);
  }
  return cache;
}

interface LoadedKeySet {
  signing: SigningKeySet;
  /** Names the signing key in cache keys: the header kid, and the key itself, in case a kid is reused. */
  identity: string;
}

// Loading a set imports its private key; done once per set a source reads, never per request.
// Invalidated by the source itself: a re-read that changes the file yields a new set object.
const loadedSets = new WeakMap<JsonWebKeySet, LoadedKeySet>();

async function currentKeySet(source: KeySetSource): Promise<LoadedKeySet> {
  // A source that was never read (its first read still under way) is read now, as Oathkeeper
  // fetches keys on demand; one whose reads failed keeps failing until a read succeeds.
  if (!source.current() && source.error() === undefined) await source.refresh();
  const set = source.current();
  if (!set) {
    throw pipelineErrors.internal(
      'The id_token mutator has no key set to sign with',
      source.error() ?? `${source.url} has not been read`,
    );
  }
  let loaded = loadedSets.get(set);
  if (!loaded) {
    let signing: SigningKeySet;
    try {
      signing = loadSigningKeySet(set, source.url);
    } catch (error) {
      throw pipelineErrors.internal(
        'The id_token mutator cannot sign with its key set',
        (error as Error).message,
      );
    }
    loaded = {
      signing,
      identity: `${signing.headerKid}\u0000${signing.signer.alg}\u0000${jwkThumbprint(signing.signer.jwk)}`,
    };
    loadedSets.set(set, loaded);
  }
  return loaded;
}

/**
 * What the claims template rendered, as the token's base claims. Like Go's json.Decoder, only the
 * first JSON value is read, so text after a complete object is ignored (Oathkeeper accepts
 * `{"a":1}}`); the value must be an object.
 */
export function decodeClaims(rendered: string): Record<string, unknown> {
  let start = 0;
  while (start < rendered.length && ' \t\r\n'.includes(rendered[start]!)) start++;
  if (start === rendered.length) throw new Error('the claims template rendered no JSON (empty output)');
  let end = rendered.length;
  if (rendered[start] === '{') {
    let depth = 0;
    let inString = false;
    for (let index = start; index < rendered.length; index++) {
      const char = rendered[index];
      if (inString) {
        if (char === '\\') index++;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') {
        depth--;
        if (depth === 0) {
          end = index + 1;
          break;
        }
      }
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(rendered.slice(start, end));
  } catch (error) {
    throw new Error(`the claims template did not render valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(
      `the claims template must render a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Signs a JWT about the session and hands it upstream as `Authorization: Bearer <jwt>`. The base
 * claims come from the `claims` template; `iss`, `sub`, `iat`, `nbf`, `exp` and `jti` are always
 * set over them, and `aud` exists only if the template writes it, as in Oathkeeper.
 */
export const idToken: MutatorHandler = {
  name: 'id_token',
  prepare(rawConfig, dependencies) {
    const config = rawConfig as IdTokenConfig;
    const issuer = config.issuer_url;
    const jwksUrl = config.jwks_url;
    if (typeof issuer !== 'string') throw new Error('issuer_url is required');
    if (typeof jwksUrl !== 'string' || jwksUrl === '') throw new Error('jwks_url is required');
    const ttlMs = parseDuration(config.ttl ?? '15m');
    // Parsed when the rule loads; a template that does not parse makes the rule invalid. An
    // empty or absent template means no claims besides the standard ones.
    const template = config.claims
      ? GoTemplate.parse(config.claims, { name: 'claims', functions: 'oathkeeper', missingKey: 'zero' })
      : undefined;

    const { keySets, clock, random } = dependencies;
    const known = new Set(keySets.all());
    const source = keySets.signing(jwksUrl);
    // A key set only a rule names is kept current like the global one (which the proxy started).
    if (!known.has(source)) void source.start();
    const cache = config.cache?.enabled === false ? undefined : cacheFor(keySets);
    const configIdentity = JSON.stringify([issuer, ttlMs, jwksUrl]);

    return {
      async mutate(_request, session) {
        let rendered = '';
        if (template) {
          try {
            rendered = template.render(session);
          } catch (error) {
            if (error instanceof TemplateError)
              throw pipelineErrors.internal(
                'The id_token mutator could not render its claims',
                error.message,
              );
            throw error;
          }
        }
        let claims: Record<string, unknown>;
        try {
          claims = template ? decodeClaims(rendered) : {};
        } catch (error) {
          throw pipelineErrors.internal(
            'The id_token mutator could not decode its claims',
            (error as Error).message,
          );
        }
        const keySet = await currentKeySet(source);
        const nowMs = clock.now().getTime();

        // Hashed: the rendered claims (a whole session for the portal) would otherwise sit in
        // memory twice. JSON keeps the parts apart, so no subject and claims pair mimics another.
        const key = cache
          ? createHash('sha256')
              .update(JSON.stringify([configIdentity, keySet.identity, session.Subject, rendered]))
              .digest('base64url')
          : undefined;
        const cached = key === undefined ? undefined : cache?.get(key, nowMs);
        if (cached !== undefined) {
          session.setHeader('Authorization', `Bearer ${cached}`);
          return;
        }

        const nowSeconds = Math.floor(nowMs / 1000);
        claims.iss = issuer;
        claims.sub = session.Subject;
        claims.iat = nowSeconds;
        claims.nbf = nowSeconds;
        claims.exp = Math.floor((nowMs + ttlMs) / 1000);
        claims.jti = random.uuid();
        let token: string;
        try {
          token = await signJwt(keySet.signing, claims);
        } catch (error) {
          if (error instanceof PipelineError) throw error;
          throw pipelineErrors.internal(
            'The id_token mutator could not sign the token',
            (error as Error).message,
          );
        }
        if (cache && key !== undefined) cache.set(key, token, nowMs + ttlMs * 0.9);
        session.setHeader('Authorization', `Bearer ${token}`);
      },
    };
  },
};
