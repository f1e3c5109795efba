import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';
import type { Clock } from '../../../clock.js';

/** What the Pwned Passwords range API said about one password. */
export type PwnedLookup =
  /** How often the password was seen in breaches; 0 when its hash is not in the range. */
  | { kind: 'counted'; breaches: number }
  /**
   * No answer: a failed connection, a timeout, a broken body, or a 429/5xx that stayed so after
   * the retries. `detail` is for logs and never holds the password or its hash.
   */
  | { kind: 'unreachable'; detail: string }
  /** An answer other than 200 that is not worth retrying (403, 404, 501, a redirect, ...). */
  | { kind: 'unexpected_status'; status: number }
  /** A line's count is not an integer; `value` is that count as sent. */
  | { kind: 'malformed_count'; value: string }
  /** `https://<host>/range/` is no URL: the configured host is wrong. */
  | { kind: 'invalid_address'; host: string };

export interface HaveIBeenPwnedOptions {
  /** `haveibeenpwned_host`: a host name, with a port (or even a path) for a self-hosted copy. */
  host: string;
  /** The HTTP client; production passes an Agent, tests one that trusts their own CA. */
  dispatcher: Dispatcher;
  /** Decides when cached ranges expire. */
  clock: Clock;
  /** Deadline of one attempt, from connecting to the last byte of the body (Kratos: 1 s). */
  timeoutMs?: number;
  /** Attempts after the first one for network errors, 429 and 5xx (Kratos: 2). */
  retries?: number;
  /** Wait before the first retry, doubled before each further one (Kratos: 1 s). */
  retryWaitMinMs?: number;
  /** The longest wait between attempts (Kratos: 30 s). */
  retryWaitMaxMs?: number;
  userAgent?: string;
  /** How many ranges the cache holds at most (each is about 1000 hashes). */
  maxCachedRanges?: number;
}

// Kratos keeps answers for an hour.
const CACHE_TTL_MS = 60 * 60 * 1000;
// A real range is 30–80 KB (about 2000 lines at most, with padding). Anything this large is not a
// range answer, and reading it whole would only cost memory.
const MAX_BODY_BYTES = 1024 * 1024;
// Kratos reads the answer line by line with Go's bufio.Scanner, which gives up (a network error)
// on a line of 64 KiB or more.
const MAX_LINE_BYTES = 64 * 1024;

type RangeResult = { kind: 'range'; counts: Map<string, number> } | Exclude<PwnedLookup, { kind: 'counted' }>;

interface Attempt {
  result: RangeResult;
  retry: boolean;
  retryAfterMs?: number;
}

/**
 * Asks the Pwned Passwords range API how often a password appears in known breaches, by
 * k-anonymity: only the first 5 hex digits of the password's SHA-1 leave the process, and the
 * match against the returned suffixes happens here.
 *
 * Requests follow Kratos' HTTP client: GET with no body and no `Add-Padding`, a 1 s deadline per
 * attempt, two retries with exponential backoff on network errors, 429 and 5xx (but not 501), and
 * none on certificate errors. Unlike Go's client it does not follow redirects: a redirect could
 * carry the prefix to another host, and a range server has no reason to send one.
 */
export class HaveIBeenPwned {
  readonly #host: string;
  readonly #dispatcher: Dispatcher;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryWaitMinMs: number;
  readonly #retryWaitMaxMs: number;
  readonly #userAgent: string;
  readonly #maxCachedRanges: number;
  // Kratos caches the count of every full hash it has seen, the checked password's own included.
  // gatehouse caches whole ranges by prefix instead: the answers are the same, and memory then
  // holds only the API's public data, never the unsalted SHA-1 of a password someone chose.
  // Entries expire after CACHE_TTL_MS on the injected clock; the oldest go first when full.
  readonly #cache = new Map<string, { expiresAt: number; counts: Map<string, number> }>();

  constructor(options: HaveIBeenPwnedOptions) {
    this.#host = options.host;
    this.#dispatcher = options.dispatcher;
    this.#clock = options.clock;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#retries = options.retries ?? 2;
    this.#retryWaitMinMs = options.retryWaitMinMs ?? 1000;
    this.#retryWaitMaxMs = options.retryWaitMaxMs ?? 30_000;
    this.#userAgent = options.userAgent ?? 'gatehouse';
    this.#maxCachedRanges = options.maxCachedRanges ?? 256;
  }

  async lookup(password: string): Promise<PwnedLookup> {
    // SHA-1 is what the API indexes by; it protects nothing here (k-anonymity does).
    const hash = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    const prefix = hash.slice(0, 5);
    let counts = this.#cached(prefix);
    if (!counts) {
      const result = await this.#fetchRange(prefix);
      if (result.kind !== 'range') return result;
      counts = result.counts;
      this.#remember(prefix, counts);
    }
    return { kind: 'counted', breaches: counts.get(hash.slice(5)) ?? 0 };
  }

  #cached(prefix: string): Map<string, number> | undefined {
    const entry = this.#cache.get(prefix);
    if (!entry) return undefined;
    if (this.#clock.now().getTime() < entry.expiresAt) return entry.counts;
    this.#cache.delete(prefix);
    return undefined;
  }

  #remember(prefix: string, counts: Map<string, number>): void {
    const now = this.#clock.now().getTime();
    this.#cache.delete(prefix);
    this.#cache.set(prefix, { expiresAt: now + CACHE_TTL_MS, counts });
    // Every entry lives equally long, so insertion order is expiry order.
    for (const [key, entry] of this.#cache) {
      if (this.#cache.size <= this.#maxCachedRanges && entry.expiresAt > now) break;
      this.#cache.delete(key);
    }
  }

  async #fetchRange(prefix: string): Promise<RangeResult> {
    // Go's client fails such a request for want of a host (a network error), where the WHATWG
    // parser would read `https:///range/…` as the host "range".
    if (this.#host === '') return { kind: 'unreachable', detail: 'haveibeenpwned_host is empty' };
    let url: URL;
    try {
      url = new URL(`https://${this.#host}/range/${prefix}`);
    } catch {
      return { kind: 'invalid_address', host: this.#host };
    }
    for (let retry = 0; ; retry++) {
      const attempt = await this.#attempt(url, prefix);
      if (!attempt.retry || retry >= this.#retries) return attempt.result;
      const backoff = Math.min(this.#retryWaitMinMs * 2 ** retry, this.#retryWaitMaxMs);
      // Go honours Retry-After without a bound; capping it keeps a sign-up from hanging on it.
      await sleep(Math.min(attempt.retryAfterMs ?? backoff, this.#retryWaitMaxMs));
    }
  }

  async #attempt(url: URL, prefix: string): Promise<Attempt> {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Error(`no complete answer within ${this.#timeoutMs} ms`)),
      this.#timeoutMs,
    );
    try {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          dispatcher: this.#dispatcher,
          method: 'GET',
          headers: { 'user-agent': this.#userAgent },
          signal: deadline.signal,
        });
      } catch (error) {
        return {
          result: { kind: 'unreachable', detail: describeError(error) },
          retry: !isCertificateError(error),
        };
      }
      const status = response.statusCode;
      if (status !== 200) {
        await response.body.dump().catch(() => undefined);
        if (status === 429 || (status >= 500 && status !== 501)) {
          return {
            result: { kind: 'unreachable', detail: `answered ${status}` },
            retry: true,
            retryAfterMs:
              status === 429 || status === 503
                ? this.#retryAfterMs(response.headers['retry-after'])
                : undefined,
          };
        }
        return { result: { kind: 'unexpected_status', status }, retry: false };
      }
      let body: string;
      try {
        body = await readBody(response.body);
      } catch (error) {
        // Kratos reads the body after its retrying client has returned: a failure here is final.
        return { result: { kind: 'unreachable', detail: describeError(error) }, retry: false };
      }
      return { result: parseRange(body, prefix), retry: false };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
  #retryAfterMs(header: string | string[] | undefined): number | undefined {
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) return undefined;
    if (/^[+-]?\d+$/.test(value)) {
      const seconds = Number(value);
      return seconds < 0 ? undefined : seconds * 1000;
    }
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    return Math.max(0, at - this.#clock.now().getTime());
  }
}

/**
 * The `SUFFIX:COUNT` lines of a range answer, read as Kratos reads them: each line trimmed and
 * split at ':'; commas in a count are dropped ("1,234"); a line without exactly one ':' counts
 * once (the API has sent such lines); a count that is not an integer spoils the whole answer.
 */
function parseRange(body: string, prefix: string): RangeResult {
  const counts = new Map<string, number>();
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const raw of lines) {
    if (Buffer.byteLength(raw, 'utf8') >= MAX_LINE_BYTES) {
      return { kind: 'unreachable', detail: `a line of range ${prefix} is too long` };
    }
    const fields = goTrimSpace(raw.endsWith('\r') ? raw.slice(0, -1) : raw).split(':');
    let count = 1;
    if (fields.length === 2) {
      const parsed = parseGoInt64(fields[1]!.replaceAll(',', ''));
      if (parsed === undefined) return { kind: 'malformed_count', value: fields[1]! };
      count = parsed;
    }
    counts.set(fields[0]!, count);
  }
  return { kind: 'range', counts };
}

// Go's strconv.ParseInt(s, 10, 64): an optional sign, decimal digits, within int64.
function parseGoInt64(value: string): number | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const big = BigInt(value);
  if (big > 0x7fff_ffff_ffff_ffffn || big < -0x8000_0000_0000_0000n) return undefined;
  return Number(big);
}

// Go's strings.TrimSpace trims Unicode White_Space, which differs from String.prototype.trim:
// it includes U+0085 and excludes U+FEFF.
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

function goTrimSpace(value: string): string {
  return value.replace(GO_TRIM, '');
}

async function readBody(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// OpenSSL's verification failures as Node names them. Go's retrying client gives up at once on
// an untrusted certificate: asking again cannot change the answer.
const CERTIFICATE_ERRORS = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function isCertificateError(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CERTIFICATE_ERRORS.has(code)) return true;
  }
  return false;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
