import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { getPath, type JsonObject } from '../../config/object-path.js';
import { HttpError } from '../../http/http-error.js';
import type { RandomSource } from '../../random.js';
import type { CookieOptions } from '../../session/session-manager.js';

// Kratos' anti-CSRF scheme (ory/nosurf), kept byte-compatible so that cookies and forms issued by
// Kratos keep verifying after the switch, and the other way round:
// - the cookie holds the raw token: standard base64 of 32 random bytes;
// - forms and flows carry it masked: standard base64 of pad[32] ‖ (token XOR pad), with a fresh pad
//   on every render, so the bytes on the page never repeat (BREACH-style compression attacks
//   cannot recover the token from many responses).

const TOKEN_BYTES = 32;
/** nosurf's cookie lifetime: a year, in seconds. */
const MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/**
 * `csrf_token_` + hex SHA-256 of the public base URL, so two installations behind one domain do
 * not overwrite each other's cookie. Hashes the exact string: pass the URL as Kratos prints it
 * (`http://127.0.0.1:4433/`, trailing slash included) or the name will differ.
 */
export function csrfCookieName(publicBaseUrl: string): string {
  return `csrf_token_${createHash('sha256').update(publicBaseUrl).digest('hex')}`;
}

/** A new cookie token: 32 random bytes, standard base64. */
export function newCsrfToken(random: RandomSource): string {
  return random.bytes(TOKEN_BYTES).toString('base64');
}

/** Whether a cookie value is a usable token; any other value is replaced with a new token. */
export function isCsrfToken(value: string): boolean {
  return decodeStdBase64(value)?.length === TOKEN_BYTES;
}

/** The token as forms and flows carry it; differs on every call. Throws for a value that is no token. */
export function maskCsrfToken(token: string, random: RandomSource): string {
  const raw = decodeStdBase64(token);
  if (raw?.length !== TOKEN_BYTES) throw new TypeError('maskCsrfToken: not a CSRF token');
  const pad = random.bytes(TOKEN_BYTES);
  return Buffer.concat([pad, xor(raw, pad)]).toString('base64');
}

/** The cookie token inside a masked value; undefined for anything that is not one. */
export function unmaskCsrfToken(masked: string): string | undefined {
  const raw = decodeStdBase64(masked);
  if (raw?.length !== 2 * TOKEN_BYTES) return undefined;
  return unmask(raw).toString('base64');
}

/**
 * Whether a submitted token belongs to the cookie's. Like nosurf, either side may be raw (32 bytes)
 * or masked (64 bytes) — flows store the masked form — and anything else never matches.
 */
export function csrfTokensMatch(cookieToken: string, submittedToken: string): boolean {
  const expected = plainToken(cookieToken);
  const actual = plainToken(submittedToken);
  if (!expected || !actual) return false;
  // Constant time: the token is a secret, and an early exit would leak how much of a guess is right.
  return timingSafeEqual(expected, actual);
}

export interface CsrfCookieConfig {
  domain?: string;
  path: string;
  secure: boolean;
  sameSite: 'Strict' | 'Lax' | 'None';
}

/** `cookies.*` as the CSRF cookie uses them (session.cookie.* does not apply to it). */
export function readCsrfCookieConfig(document: JsonObject, dev: boolean): CsrfCookieConfig {
  const cookies = (key: string) => getPath(document, ['cookies', key]);
  const secure = cookies('secure');
  const domain = cookies('domain') as string | undefined;
  return {
    domain: domain ? domain : undefined,
    path: (cookies('path') as string | undefined) ?? '/',
    // Kratos: Secure unless in dev mode, when not set explicitly.
    secure: secure === undefined || secure === null ? !dev : goBool(secure),
    sameSite: (cookies('same_site') as CsrfCookieConfig['sameSite'] | undefined) ?? 'Lax',
  };
}

/** The CSRF cookie's attributes. */
export function csrfCookieOptions(config: CsrfCookieConfig): CookieOptions {
  return {
    httpOnly: true,
    secure: config.secure,
    // Browsers drop `SameSite=None` cookies that are not Secure, which would break every flow on
    // plain http; Kratos falls back to Lax there, and so do we.
    sameSite: config.secure ? (config.sameSite.toLowerCase() as CookieOptions['sameSite']) : 'lax',
    path: config.path,
    domain: config.domain,
    maxAge: MAX_AGE_SECONDS,
  };
}

/** Why a browser request failed the CSRF check, as Kratos tells the client. */
export type CsrfRejectReason =
  | 'no_cookie_header'
  | 'csrf_cookie_missing'
  | 'token_not_sent'
  | 'token_mismatch';

// Wire texts: clients and support threads quote them, so they match Kratos' exactly.
const DOCS = 'https://www.ory.com/docs/troubleshooting/csrf';
const MESSAGE = 'the request was rejected to protect you from Cross-Site-Request-Forgery';
const REASON =
  'Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.';
const AJAX_HINT =
  "We detected an AJAX call, please ensure that CORS is enabled and configured correctly, and that your AJAX code sends cookies and has credentials enabled. For further debugging, check your Browser's Network Tab to see what cookies are included or excluded.";
const SERVER_HINT =
  "We detected a regular browser or server-side call. To debug browser calls check your Browser's Network Tab to see what cookies are included or excluded. If you are calling from a server ensure that the appropriate cookies are being forwarded and that the SDK method is called correctly.";
const REJECT_REASONS: Record<Exclude<CsrfRejectReason, 'token_not_sent'>, string> = {
  no_cookie_header: 'The HTTP Cookie Header is empty or not set.',
  csrf_cookie_missing: 'The HTTP Cookie Header was set but did not include the anti-CSRF cookie.',
  token_mismatch:
    'The HTTP Cookie Header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.',
};
const TOKEN_NOT_SENT =
  'The anti-CSRF cookie was found but the CSRF token was not included in the HTTP request body (csrf_token) nor in the HTTP Header (X-CSRF-Token).';

/**
 * 403 `security_csrf_violation`. `ajax`: the request came from page script (`Sec-Fetch-Mode` cors
 * or same-origin), which changes the hint. Detail keys are in Go's (sorted) map order.
 */
export function csrfViolation(rejectReason: CsrfRejectReason, ajax = false): HttpError {
  // Kratos puts the missing-token text in `hint` and sends no `reject_reason` for that case.
  const details =
    rejectReason === 'token_not_sent'
      ? { docs: DOCS, hint: TOKEN_NOT_SENT }
      : { docs: DOCS, hint: ajax ? AJAX_HINT : SERVER_HINT, reject_reason: REJECT_REASONS[rejectReason] };
  return new HttpError({
    code: 403,
    id: 'security_csrf_violation',
    message: MESSAGE,
    reason: REASON,
    details,
  });
}

/**
 * The violation for a browser request whose token did not verify, diagnosed from the request as
 * Kratos does. `sentToken`: the `csrf_token` the form carried (body or query), if any.
 */
export function explainCsrfFailure(
  headers: IncomingHttpHeaders,
  cookieName: string,
  sentToken: string | undefined,
): HttpError {
  const fetchMode = firstHeader(headers, 'sec-fetch-mode');
  const ajax = fetchMode === 'cors' || fetchMode === 'same-origin';
  if (!cookieHeader(headers)) return csrfViolation('no_cookie_header', ajax);
  if (!requestCookieNames(headers).includes(cookieName)) return csrfViolation('csrf_cookie_missing', ajax);
  // A JSON body is not parsed at this point in Kratos, so it cannot tell "not sent" from "wrong".
  const json = (firstHeader(headers, 'content-type') ?? '').startsWith('application/json');
  if (!json && `${sentToken ?? ''}${firstHeader(headers, 'x-csrf-token') ?? ''}` === '') {
    return csrfViolation('token_not_sent', ajax);
  }
  return csrfViolation('token_mismatch', ajax);
}

/**
 * 403 `security_identity_mismatch`: the settings flow belongs to another identity than the
 * session's. Kratos words it differently when fetching the flow and when submitting it.
 */
export function identityMismatch(during: 'fetch' | 'submit' = 'fetch'): HttpError {
  return new HttpError({
    code: 403,
    id: 'security_identity_mismatch',
    message: 'The requested action was forbidden',
    reason:
      during === 'fetch'
        ? 'The request was made for another identity and has been blocked for security reasons.'
        : 'The request was initiated by someone else and has been blocked for security reasons. Please go back and try again.',
  });
}

const ORIGIN_REASON =
  'The HTTP Request Header included the "Origin" key, indicating that this request was made as part of an AJAX request in a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.';
const COOKIE_REASON =
  'The HTTP Request Header included the "Cookie" key, indicating that this request was made by a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.';

/**
 * Why a request to an API flow looks like it came from a browser, or undefined when it does not.
 * API flows check no token (they have no cookie to bind it to), so they refuse browser traits
 * instead: a browser could otherwise be made to submit one cross-site. Cloudflare's own cookies
 * (`__cf*`, `_cf*`, `cf_*`) are ignored, as the client cannot keep a proxy from adding them.
 * The text becomes the 4000001 message on the flow.
 */
export function looksLikeBrowser(headers: IncomingHttpHeaders): string | undefined {
  if (firstHeader(headers, 'origin')) return ORIGIN_REASON;
  const foreign = requestCookieNames(headers).filter(
    (name) => !name.startsWith('__cf') && !name.startsWith('_cf') && !name.startsWith('cf_'),
  );
  return foreign.length > 0 ? COOKIE_REASON : undefined;
}

function plainToken(value: string): Buffer | undefined {
  const raw = decodeStdBase64(value);
  if (raw?.length === TOKEN_BYTES) return raw;
  if (raw?.length === 2 * TOKEN_BYTES) return unmask(raw);
  return undefined;
}

function unmask(masked: Buffer): Buffer {
  return xor(masked.subarray(TOKEN_BYTES), masked.subarray(0, TOKEN_BYTES));
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

// Padded standard alphabet only: Buffer.from(…, 'base64') would also take url-safe characters,
// missing padding and stray bytes, accepting values Kratos refuses.
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeStdBase64(value: string): Buffer | undefined {
  return STD_BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/** Go's `cast.ToBool`, which reads `cookies.secure` (a string in Kratos' schema). */
function goBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return typeof value === 'string' && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookieHeader(headers: IncomingHttpHeaders): string {
  const value = headers.cookie as string | string[] | undefined;
  return Array.isArray(value) ? value.join('; ') : (value ?? '');
}

// Cookie names as Go's net/http parses them: parts without a valid token name or with a value
// holding bytes outside the cookie-octet range are skipped (so they count as no cookie at all).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^[\x20\x21\x23-\x3a\x3c-\x5b\x5d-\x7e]*$/;

function requestCookieNames(headers: IncomingHttpHeaders): string[] {
  const names: string[] = [];
  for (const part of cookieHeader(headers).split(';')) {
    const trimmed = trimGo(part);
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const name = trimGo(eq < 0 ? trimmed : trimmed.slice(0, eq));
    let value = eq < 0 ? '' : trimmed.slice(eq + 1);
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (TOKEN.test(name) && COOKIE_VALUE.test(value)) names.push(name);
  }
  return names;
}

/** Go's textproto.TrimString: ASCII space, tab, CR and LF only. */
function trimGo(value: string): string {
  return value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}
