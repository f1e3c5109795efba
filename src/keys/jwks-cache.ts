import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Dispatcher, request as httpRequest } from 'undici';
import type { Clock } from '../clock.js';
import { describeFileError } from '../file-error.js';
import type { Logger } from '../log/logger.js';
import { describeKey, type JWK, keyFamily, parseKeySetJson, publicPart } from './json-web-key.js';
import { parseKeySetLocation } from './key-set-location.js';

/** A key that verifies signatures: `family` is `RSA`, `EC:P-256`, `OKP:Ed25519` or `oct`. */
export interface VerificationKey {
  kid: string;
  family: string;
  /** The key's own `alg`, when it declares one. */
  alg?: string;
  key: KeyObject;
}

export interface JwksCacheOptions {
  /** A set is re-read once it is older than this (`jwks_ttl`). */
  ttlMs: number;
  /**
   * The longest a request waits for a read (`jwks_max_wait`); after that the last good keys are
   * used and the read finishes in the background. It also spaces reads of one set: at most one
   * starts per max(ttl-expiry, this window), so tokens naming unknown kids cannot flood the issuer.
   */
  maxWaitMs: number;
  cwd: string;
  clock: Clock;
  log: Logger;
  dispatcher: Dispatcher;
}

/** The shortest gap between two reads of one set, whatever `jwks_max_wait` says. */
const MIN_REFRESH_INTERVAL_MS = 1000;
/** A read is given up after this long even in the background, so a stuck server cannot pin it. */
const MIN_READ_TIMEOUT_MS = 10_000;

/**
 * One JWKS location read for verifying (`file://`, a path, `http(s)://` or `base64://`), loaded on
 * first use and kept for the TTL. Keys are imported once per read, never per request.
 */
export class JwksSource {
  // Invalidated by age (ttlMs) and by a refresh for an unknown kid; a failed read keeps the last
  // good keys, so a flapping key server does not sign everybody out.
  private keys: Map<string, VerificationKey[]> | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  private lastError: string | undefined;
  private readonly read: () => Promise<string>;

  constructor(
    readonly url: string,
    private readonly options: JwksCacheOptions,
  ) {
    this.read = reader(url, options);
  }

  /** Why the most recent read failed, or undefined after a good one. */
  error(): string | undefined {
    return this.lastError;
  }

  /** The keys named `kid` that are meant for signatures (`use: "sig"`), reading the set if it is due. */
  async find(kid: string): Promise<VerificationKey[]> {
    if (!this.keys || this.now() - this.loadedAt >= this.options.ttlMs) await this.refresh();
    return this.keys?.get(kid) ?? [];
  }

  /**
   * Reads the set again because a token named a kid it lacks (a key may have been added), unless
   * a read started within the refresh window. Returns whether anything was (or is being) read.
   */
  async refreshForUnknownKid(): Promise<boolean> {
    if (!this.reading && this.now() - this.lastReadAt < this.refreshIntervalMs()) return false;
    await this.refresh();
    return true;
  }

  /** The keys as last read, without reading. */
  cached(kid: string): VerificationKey[] {
    return this.keys?.get(kid) ?? [];
  }

  private refreshIntervalMs(): number {
    return Math.max(this.options.maxWaitMs, MIN_REFRESH_INTERVAL_MS);
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  /** Starts a read unless one runs or one started within the window, then waits at most maxWait. */
  private async refresh(): Promise<void> {
    if (!this.reading && this.now() - this.lastReadAt >= this.refreshIntervalMs()) {
      this.lastReadAt = this.now();
      this.reading = this.load().finally(() => {
        this.reading = undefined;
      });
    }
    if (!this.reading) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.reading,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.maxWaitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private async load(): Promise<void> {
    const { log } = this.options;
    try {
      const set = parseKeySetJson(await this.read(), this.url);
      this.keys = importKeys(set.keys, this.url, log);
      this.loadedAt = this.now();
      if (this.lastError !== undefined) log.info({ source: this.url }, 'JSON Web Key Set loaded again');
      this.lastError = undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) {
        log.error(
          { source: this.url, error: message },
          this.keys
            ? 'cannot load JSON Web Key Set; keeping the last good one'
            : 'cannot load JSON Web Key Set',
        );
      }
      this.lastError = message;
    }
  }
}

function reader(url: string, options: JwksCacheOptions): () => Promise<string> {
  if (url.startsWith('base64://')) {
    const text = Buffer.from(url.slice('base64://'.length), 'base64').toString('utf8');
    return async () => text;
  }
  const location = parseKeySetLocation(url, options.cwd);
  if (location.kind === 'file') {
    return async () => {
      try {
        return await readFile(location.path, 'utf8');
      } catch (error) {
        throw new Error(`${location.path}: ${describeFileError(error)}`);
      }
    };
  }
  return async () => {
    const answer = await httpRequest(location.url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      dispatcher: options.dispatcher,
      signal: AbortSignal.timeout(Math.max(options.maxWaitMs, MIN_READ_TIMEOUT_MS)),
    });
    const text = await answer.body.text();
    if (answer.statusCode >= 400) throw new Error(`${location.url} answered ${answer.statusCode}`);
    return text;
  };
}

/**
 * The keys of a set that can verify, by kid. As in Oathkeeper, only keys with a `kid` and
 * `use: "sig"` are ever looked up, so the others are not imported at all. A key that does not
 * import is skipped with a warning that names it, never its material.
 */
function importKeys(keys: JWK[], source: string, log: Logger): Map<string, VerificationKey[]> {
  const byKid = new Map<string, VerificationKey[]>();
  for (const [index, jwk] of keys.entries()) {
    if (typeof jwk.kid !== 'string' || jwk.kid === '' || jwk.use !== 'sig') continue;
    let key: KeyObject;
    let family: string;
    try {
      if (jwk.kty === 'oct') {
        if (typeof jwk.k !== 'string' || jwk.k === '') throw new Error('member "k" is missing');
        key = createSecretKey(Buffer.from(jwk.k, 'base64url'));
        family = 'oct';
      } else {
        const part = publicPart(jwk);
        if (!part) throw new Error(`unknown key type ${JSON.stringify(jwk.kty ?? null)}`);
        key = createPublicKey({ key: part as JsonWebKey, format: 'jwk' });
        family = keyFamily(jwk);
      }
    } catch (error) {
      log.warn(
        { source, key: describeKey(jwk, index), error: (error as Error).message },
        'skipping a key that does not load',
      );
      continue;
    }
    const entry: VerificationKey = { kid: jwk.kid, family, key };
    if (typeof jwk.alg === 'string' && jwk.alg !== '') entry.alg = jwk.alg;
    const list = byKid.get(jwk.kid);
    if (list) list.push(entry);
    else byKid.set(jwk.kid, [entry]);
  }
  return byKid;
}

/**
 * The JWKS sources of one proxy, shared by every rule that names the same URL with the same
 * timings, so a rule reload does not read the sets again.
 */
export class JwksCache {
  private readonly sources = new Map<string, JwksSource>();

  source(url: string, options: JwksCacheOptions): JwksSource {
    const id = `${options.ttlMs}|${options.maxWaitMs}|${options.cwd}|${url}`;
    let source = this.sources.get(id);
    if (!source) {
      source = new JwksSource(url, options);
      this.sources.set(id, source);
    }
    return source;
  }
}
