import { isIPv4, isIPv6 } from 'node:net';
import { HttpError } from '../../http/http-error.js';
import type { Logger } from '../../log/logger.js';

/**
 * An entry of `selfservice.allowed_return_urls` as Kratos reads it (Go's `url.ParseRequestURI`).
 * Only scheme, host and path take part in the check; query and fragment of an entry are ignored.
 */
export interface AllowedReturnUrl {
  /** The entry as configured, for messages. */
  readonly configured: string;
  /** Lower-case; empty for a relative entry such as `/dashboard`. */
  readonly scheme: string;
  /** Host with its port, percent-decoded; `*.example.com` (port allowed) is a suffix wildcard. */
  readonly host: string;
  /** Percent-decoded; a candidate's path must start with it (a plain string prefix, as in Kratos). */
  readonly path: string;
}

export interface ReadAllowedReturnUrlsOptions {
  /** `feature_flags.legacy_allow_insecure_origins`: keep unsafe wildcards, as Kratos then does. */
  legacyAllowInsecureOrigins?: boolean;
}

const KEY = 'selfservice.allowed_return_urls';

/**
 * The allow-list from `selfservice.allowed_return_urls`. Empty entries are skipped; entries that
 * are no URL, and wildcards that would match hosts an attacker can register, are dropped with one
 * warning each.
 */
export function readAllowedReturnUrls(
  entries: readonly string[],
  log: Logger,
  options: ReadAllowedReturnUrlsOptions = {},
): AllowedReturnUrl[] {
  const allowed: AllowedReturnUrl[] = [];
  entries.forEach((entry, index) => {
    if (entry === '') return;
    const key = `${KEY}.${index}`;
    // A lone "*" parses as the path "*" and would allow nothing (Kratos keeps it, inert); whoever
    // wrote it meant "anywhere", which is exactly the open redirect this list exists to prevent.
    if (entry === '*') {
      log.warn({ key, entry }, `Dropped "*" from ${key}: a bare wildcard would allow every site`);
      return;
    }
    let url: GoUrl;
    try {
      url = goParseRequestUri(toBytes(entry));
    } catch (error) {
      const why = error instanceof GoUrlError ? error.message : String(error);
      log.warn({ key, entry }, `Dropped "${entry}" from ${key}: it is not a URL (${why})`);
      return;
    }
    const unsafe = unsafeWildcard(url.host);
    if (unsafe !== undefined && !options.legacyAllowInsecureOrigins) {
      log.warn({ key, entry }, `Dropped unsafe wildcard "${entry}" from ${key}: ${unsafe}`);
      return;
    }
    allowed.push({
      configured: entry,
      scheme: fromBytes(url.scheme),
      host: fromBytes(url.host),
      path: fromBytes(url.path),
    });
  });
  return allowed;
}

export interface ReturnToRequest {
  /** An explicit `return_to` (e.g. the flow's stored one); wins over the one in `requestUrl`. */
  requested?: string;
  /** The flow's `request_url`: its `return_to` query parameter is used when `requested` is empty. */
  requestUrl?: string;
  /** Used when there is no candidate; relative candidates take its scheme and host. */
  defaultReturnUrl: string;
  allowed: readonly AllowedReturnUrl[];
  /** `serve.public.base_url`: everything under `<it>/self-service` is allowed implicitly. */
  publicBaseUrl: string;
}

const BAD_REQUEST = 'The request was malformed or contained invalid parameters';

/**
 * Where a flow may send the browser: the requested `return_to` if the allow-list permits it, the
 * default return URL when none was requested, or the 400 (500 for an unreadable request URL) to
 * answer instead. The default return URL is deliberately *not* allowed implicitly: Kratos only
 * falls back to it, so an operator must list it to allow `return_to=<default>`.
 *
 * The result is the URL as Kratos prints it (Go's `URL.String`), with non-ASCII bytes %-escaped
 * as Go's `http.Redirect` does, so it can go into a `Location` header as it is. Throws a TypeError
 * for a default or public base URL that is no URL (config validation rules those out at load).
 */
export function secureReturnTo(request: ReturnToRequest): string | HttpError {
  const fallback = configUrl('defaultReturnUrl', () => parseDefaultReturnUrl(request.defaultReturnUrl));
  const allowList = [
    ...request.allowed,
    configUrl('publicBaseUrl', () => selfServiceEntry(request.publicBaseUrl)),
  ];

  // Kratos reads the request URL before it looks at the explicit value, so a broken one fails
  // even when it is not needed.
  let source: GoUrl | undefined;
  if (request.requestUrl) {
    try {
      source = goParseRequestUri(toBytes(request.requestUrl));
    } catch (error) {
      return new HttpError({
        code: 500,
        message: 'An internal server error occurred, please contact the system administrator',
        reason: `Unable to parse the original request URL: ${goErrorText(error)}`,
      });
    }
  }
  const raw =
    (request.requested ? toBytes(request.requested) : '') ||
    (source ? queryGet(source.rawQuery, 'return_to') : '');
  if (raw === '') return locationOf(fallback);

  let candidate: GoUrl;
  try {
    candidate = goParse(raw);
  } catch (error) {
    return new HttpError({
      code: 400,
      message: BAD_REQUEST,
      reason: `Unable to parse the return_to query parameter as an URL: ${goErrorText(error)}`,
    });
  }
  candidate.host ||= fallback.host;
  candidate.scheme ||= fallback.scheme;

  const permitted = allowList.some(
    (entry) =>
      lowerBytes(toBytes(entry.scheme)) === lowerBytes(candidate.scheme) &&
      hostMatches(candidate.host, toBytes(entry.host)) &&
      (candidate.path || '/').startsWith(toBytes(entry.path) || '/'),
  );
  const location = locationOf(candidate);
  // Security over fidelity: Kratos decides on Go's reading alone, but the browser reads the
  // Location with the WHATWG parser, and the two disagree on strings such as `https:\\evil.example`
  // (opaque to Go, so it inherits the default host and passes; a host to a browser) or on dot
  // segments (`/allowed/../admin`). The answer must hold for the browser's reading too.
  if (
    !permitted ||
    !browserWouldStayAllowed(location, candidate.scheme !== '', allowList, request.publicBaseUrl)
  ) {
    return new HttpError({
      code: 400,
      id: 'self_service_flow_return_to_forbidden',
      message: BAD_REQUEST,
      reason: `Requested return_to URL ${goQuote(goString(candidate))} is not allowed.`,
    });
  }
  return location;
}

function configUrl<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof GoUrlError)
      throw new TypeError(`secureReturnTo: ${name} is not a URL: ${error.message}`);
    throw error;
  }
}

// --- which wildcards are safe -----------------------------------------------------------------

/**
 * Why a wildcard host cannot be trusted, or undefined when it is no wildcard or a safe one.
 * Kratos (oryx `corsx.ClassifyOrigin`) drops the label holding the last `*` and requires what
 * follows to have a registrable domain per golang.org/x/net/publicsuffix. Without the public
 * suffix list, gatehouse applies that list's default rule ("the last label is a public suffix"):
 * what follows must have two labels or more. That catches `*.com`, `*foo.com`, `foo.*.com`, `*`
 * and `app.*`, but, unlike Kratos, keeps wildcards under multi-label suffixes such as `*.co.uk`
 * or `*.github.io`.
 */
function unsafeWildcard(host: Bytes): string | undefined {
  const star = host.lastIndexOf('*');
  if (star < 0) return undefined;
  const dot = host.indexOf('.', star);
  if (dot < 0) return 'no domain follows the wildcard, so it matches hosts anyone can register';
  let base = lowerBytes(host.slice(dot + 1));
  const colon = base.indexOf(':');
  if (colon >= 0) base = base.slice(0, colon);
  const labels = base.split('.');
  if (labels.includes('')) return `"${fromBytes(base)}" after the wildcard is not a domain name`;
  if (labels.length < 2) {
    return `the wildcard is bounded only by "${fromBytes(base)}", a public suffix under which anyone can register a host`;
  }
  return undefined;
}

// --- the Kratos check (x/redir/secure_redirect.go) --------------------------------------------

/** `*.example.com` matches by suffix (so not `example.com` itself); anything else by equality. */
function hostMatches(candidate: Bytes, allowed: Bytes): boolean {
  if (allowed.startsWith('*')) return lowerBytes(candidate).endsWith(lowerBytes(allowed).slice(1));
  return lowerBytes(candidate) === lowerBytes(allowed);
}

/** `<public base>/self-service`, joined and cleaned as Go's `path.Join` does. */
function selfServiceEntry(publicBaseUrl: string): AllowedReturnUrl {
  const base = goParse(toBytes(publicBaseUrl));
  return {
    configured: publicBaseUrl,
    scheme: fromBytes(base.scheme),
    host: fromBytes(base.host),
    path: fromBytes(cleanPath(base.path === '' ? '/self-service' : `${base.path}//self-service`)),
  };
}

/** Go's `path.Clean` for a non-empty path. */
function cleanPath(path: Bytes): Bytes {
  const rooted = path.startsWith('/');
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && kept.length > 0 && kept[kept.length - 1] !== '..') kept.pop();
    else if (segment !== '..' || !rooted) kept.push(segment);
  }
  const joined = kept.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/** As Kratos' config reads it: the part before `#` as a request URI, the rest as the fragment. */
function parseDefaultReturnUrl(value: string): GoUrl {
  const raw = toBytes(value);
  const hash = raw.indexOf('#');
  const url = goParseRequestUri(hash < 0 ? raw : raw.slice(0, hash));
  if (hash >= 0) url.fragment = raw.slice(hash + 1);
  return url;
}

// --- the browser's reading --------------------------------------------------------------------

function browserWouldStayAllowed(
  location: string,
  hasScheme: boolean,
  allowList: readonly AllowedReturnUrl[],
  publicBaseUrl: string,
): boolean {
  const entries = allowList.flatMap((entry) => {
    const url = whatwg(locationOf(entryUrl(entry)), publicBaseUrl);
    return url ? [{ protocol: url.protocol, host: url.host.toLowerCase(), path: decodedPath(url) }] : [];
  });
  // Read alone (as a browser does on an http page for `https:x`), and against the public base
  // (as it does on a page of the same scheme): both must land on an allowed place. Only a
  // relative default return URL makes a relative location, which needs the base to be read.
  const views = hasScheme
    ? [whatwg(location), whatwg(location, publicBaseUrl)]
    : [whatwg(location, publicBaseUrl)];
  return views.every((view) => {
    if (!view) return false;
    const host = view.host.toLowerCase();
    const path = decodedPath(view);
    return entries.some(
      (entry) =>
        entry.protocol === view.protocol &&
        (entry.host.startsWith('*') ? host.endsWith(entry.host.slice(1)) : host === entry.host) &&
        path.startsWith(entry.path),
    );
  });
}

function whatwg(input: string, base?: string): URL | undefined {
  try {
    return new URL(input, base);
  } catch {
    return undefined;
  }
}

/** The path with %XX decoded to bytes, so `%c3%a9` and `%C3%A9` compare equal. */
function decodedPath(url: URL): Bytes {
  return (url.pathname || '/').replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function entryUrl(entry: AllowedReturnUrl): GoUrl {
  return {
    ...emptyUrl(),
    scheme: toBytes(entry.scheme),
    host: toBytes(entry.host),
    path: toBytes(entry.path),
  };
}

// --- Go's net/url (Go 1.26), as far as the check needs it --------------------------------------
// Kratos decides on the URL as Go reads it, and the WHATWG parser reads some strings differently
// (`https://a\@b`, `http:///x`, `//x` without a base), so gatehouse parses the candidate the way
// Go does. Strings here hold bytes, one char per byte (latin1), as Go strings do.

type Bytes = string;
type Encoding = 'path' | 'host' | 'zone' | 'user' | 'query' | 'fragment';

interface GoUrl {
  scheme: Bytes;
  opaque: Bytes;
  user?: { username: Bytes; password?: Bytes };
  host: Bytes;
  path: Bytes;
  rawPath: Bytes;
  omitHost: boolean;
  forceQuery: boolean;
  rawQuery: Bytes;
  fragment: Bytes;
  rawFragment: Bytes;
}

class GoUrlError extends Error {}

function fail(message: string): never {
  throw new GoUrlError(message);
}

function goErrorText(error: unknown): string {
  if (error instanceof GoUrlError) return error.message;
  throw error;
}

function emptyUrl(): GoUrl {
  return {
    scheme: '',
    opaque: '',
    host: '',
    path: '',
    rawPath: '',
    omitHost: false,
    forceQuery: false,
    rawQuery: '',
    fragment: '',
    rawFragment: '',
  };
}

function toBytes(text: string): Bytes {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function fromBytes(bytes: Bytes): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Go's `strings.ToLower`, close enough: exact for ASCII, JavaScript's mapping beyond it. */
function lowerBytes(bytes: Bytes): Bytes {
  return /[^ -~]/.test(bytes) ? toBytes(fromBytes(bytes).toLowerCase()) : bytes.toLowerCase();
}

/** `url.Parse`: a URL reference, `#fragment` included. Throws GoUrlError with Go's message. */
function goParse(raw: Bytes): GoUrl {
  const hash = raw.indexOf('#');
  const beforeHash = hash < 0 ? raw : raw.slice(0, hash);
  const url = wrapped(beforeHash, () => parse(beforeHash, false));
  const fragment = hash < 0 ? '' : raw.slice(hash + 1);
  if (fragment !== '') {
    wrapped(raw, () => {
      url.fragment = goUnescape(fragment, 'fragment');
      url.rawFragment = goEscape(url.fragment, 'fragment') === fragment ? '' : fragment;
    });
  }
  return url;
}

/** `url.ParseRequestURI`: an absolute URL or absolute path, with no fragment split off. */
function goParseRequestUri(raw: Bytes): GoUrl {
  return wrapped(raw, () => parse(raw, true));
}

function wrapped<T>(raw: Bytes, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof GoUrlError) fail(`parse ${goQuote(raw)}: ${error.message}`);
    throw error;
  }
}

function parse(raw: Bytes, viaRequest: boolean): GoUrl {
  if (hasControlByte(raw)) fail('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) fail('empty url');
  const url = emptyUrl();
  if (raw === '*') {
    url.path = '*';
    return url;
  }
  const [scheme, afterScheme] = splitScheme(raw);
  url.scheme = scheme.toLowerCase();
  let rest = afterScheme;
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    url.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const question = rest.indexOf('?');
    if (question >= 0) {
      url.rawQuery = rest.slice(question + 1);
      rest = rest.slice(0, question);
    }
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      url.opaque = rest;
      return url;
    }
    if (viaRequest) fail('invalid URI for request');
    const slash = rest.indexOf('/');
    if ((slash < 0 ? rest : rest.slice(0, slash)).includes(':')) {
      fail('first path segment in URL cannot contain colon');
    }
  }
  if ((url.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    parseAuthority(url, authority);
  } else if (url.scheme !== '' && rest.startsWith('/')) {
    url.omitHost = true;
  }
  url.path = goUnescape(rest, 'path');
  url.rawPath = goEscape(url.path, 'path') === rest ? '' : rest;
  return url;
}

function hasControlByte(raw: Bytes): boolean {
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function splitScheme(raw: Bytes): [Bytes, Bytes] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) fail('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function parseAuthority(url: GoUrl, authority: Bytes): void {
  const at = authority.lastIndexOf('@');
  url.host = parseHost(url.scheme, at < 0 ? authority : authority.slice(at + 1));
  if (at < 0) return;
  const userinfo = authority.slice(0, at);
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) fail('net/url: invalid userinfo');
  const colon = userinfo.indexOf(':');
  url.user =
    colon < 0
      ? { username: goUnescape(userinfo, 'user') }
      : {
          username: goUnescape(userinfo.slice(0, colon), 'user'),
          password: goUnescape(userinfo.slice(colon + 1), 'user'),
        };
}

function parseHost(scheme: Bytes, host: Bytes): Bytes {
  const open = host.lastIndexOf('[');
  if (open > 0) fail('invalid IP-literal');
  if (open === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) fail("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) fail(`invalid port ${goQuote(colonPort)} after host`);
    const name = host.slice(1, close);
    const zone = name.indexOf('%25');
    const address =
      zone < 0
        ? goUnescape(name, 'host')
        : goUnescape(name.slice(0, zone), 'host') + goUnescape(name.slice(zone), 'zone');
    // Go checks the literal with netip.ParseAddr; its many specific messages are summed up here.
    if (isIPv4(address)) fail('invalid IP-literal');
    if (!isIPv6(address)) fail(`invalid host: ParseAddr(${goQuote(address)}): unable to parse IP`);
    return `[${address}]${colonPort}`;
  }
  const first = host.indexOf(':');
  if (first >= 0) {
    // Go 1.26 (`urlstrictcolons`) refuses a second colon in an http(s) host; for other schemes
    // (database DSNs list hosts there) the last colon starts the port.
    const last = host.lastIndexOf(':');
    const colonPort = host.slice(first !== last && scheme !== 'http' && scheme !== 'https' ? last : first);
    if (!validOptionalPort(colonPort)) fail(`invalid port ${goQuote(colonPort)} after host`);
  }
  return goUnescape(host, 'host');
}

function validOptionalPort(port: Bytes): boolean {
  return /^(:[0-9]*)?$/.test(port);
}

function shouldEscape(c: number, mode: Encoding): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    if (mode === 'path') return ch === '?';
    if (mode === 'user') return '@/?:'.includes(ch);
    if (mode === 'query') return true;
    if (mode === 'fragment') return false;
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

function goUnescape(s: Bytes, mode: Encoding): Bytes {
  let decoded = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      const byte = Number.parseInt(hex, 16);
      // In a host, %-escapes may only stand for non-ASCII bytes (and %25, for IPv6 zones).
      if (mode === 'host' && byte < 0x80 && hex !== '25') fail(`invalid URL escape ${goQuote(`%${hex}`)}`);
      if (mode === 'zone' && hex !== '25' && byte !== 0x20 && shouldEscape(byte, 'host')) {
        fail(`invalid URL escape ${goQuote(`%${hex}`)}`);
      }
      decoded += String.fromCharCode(byte);
      i += 2;
    } else if (c === '+') {
      decoded += mode === 'query' ? ' ' : '+';
    } else {
      const code = c.charCodeAt(0);
      if ((mode === 'host' || mode === 'zone') && code < 0x80 && shouldEscape(code, mode)) {
        fail(`invalid character ${goQuote(c)} in host name`);
      }
      decoded += c;
    }
  }
  return decoded;
}

function goEscape(s: Bytes, mode: Encoding): Bytes {
  let escaped = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code === 0x20 && mode === 'query') escaped += '+';
    else if (shouldEscape(code, mode)) escaped += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else escaped += s[i];
  }
  return escaped;
}

/** `validEncoded`: s holds nothing that escaping would have to change. */
function validEncoded(s: Bytes, mode: Encoding): boolean {
  for (let i = 0; i < s.length; i++) {
    if (`!$&'()*+,;=:@[]%`.includes(s[i]!)) continue;
    if (shouldEscape(s.charCodeAt(i), mode)) return false;
  }
  return true;
}

/** `EscapedPath` / `EscapedFragment`: the raw form when it is a valid spelling of the value. */
function escapedForm(value: Bytes, raw: Bytes, mode: 'path' | 'fragment'): Bytes {
  if (raw !== '' && validEncoded(raw, mode)) {
    try {
      if (goUnescape(raw, mode) === value) return raw;
    } catch {
      // an invalid raw form is ignored, as in Go
    }
  }
  if (mode === 'path' && value === '*') return '*';
  return goEscape(value, mode);
}

/** `URL.String`. */
function goString(url: GoUrl): Bytes {
  let out = url.scheme === '' ? '' : `${url.scheme}:`;
  if (url.opaque !== '') {
    out += url.opaque;
  } else {
    const noAuthority = url.omitHost && url.host === '' && url.user === undefined;
    if ((url.scheme !== '' || url.host !== '' || url.user !== undefined) && !noAuthority) {
      if (url.host !== '' || url.path !== '' || url.user !== undefined) out += '//';
      if (url.user !== undefined) {
        out += goEscape(url.user.username, 'user');
        if (url.user.password !== undefined) out += `:${goEscape(url.user.password, 'user')}`;
        out += '@';
      }
      out += goEscape(url.host, 'host');
    }
    let path = escapedForm(url.path, url.rawPath, 'path');
    // Without an authority, a path starting "//" would read back as one.
    if (noAuthority && path.startsWith('//')) path = `%2F${path.slice(1)}`;
    if (path !== '' && !path.startsWith('/') && url.host !== '') out += '/';
    if (out === '' && (path.split('/', 1)[0] ?? '').includes(':')) out += './';
    out += path;
  }
  if (url.forceQuery || url.rawQuery !== '') out += `?${url.rawQuery}`;
  if (url.fragment !== '') out += `#${escapedForm(url.fragment, url.rawFragment, 'fragment')}`;
  return out;
}

/** `URL.String` as `http.Redirect` writes it into `Location`: non-ASCII bytes as lower-case %xx. */
function locationOf(url: GoUrl): string {
  return goString(url).replace(/[\x80-\xff]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
}

/** `url.Values.Get` over `ParseQuery`, which skips malformed pairs and gives up past 10 000. */
function queryGet(rawQuery: Bytes, key: Bytes): Bytes {
  if (rawQuery === '' || rawQuery.split('&').length > 10_000) return '';
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    try {
      if (goUnescape(eq < 0 ? pair : pair.slice(0, eq), 'query') !== key) continue;
      return goUnescape(eq < 0 ? '' : pair.slice(eq + 1), 'query');
    } catch {
      // a pair with a bad %-escape is skipped, as in Go
    }
  }
  return '';
}

/** Go's `strconv.Quote` of a byte string, as `%q` prints it. */
function goQuote(bytes: Bytes): string {
  const buffer = Buffer.from(bytes, 'latin1');
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  let out = '"';
  for (let i = 0; i < buffer.length; ) {
    const [rune, size] = decodeRune(buffer, i);
    if (rune < 0) out += `\\x${hex(buffer[i]!, 2)}`;
    else if (rune === 0x22 || rune === 0x5c) out += `\\${String.fromCharCode(rune)}`;
    else if (
      rune === 0x20 ||
      (rune > 0x7e && /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(rune)))
    )
      out += String.fromCodePoint(rune);
    else if (rune > 0x20 && rune < 0x7f) out += String.fromCharCode(rune);
    else if (GO_ESCAPES[rune] !== undefined) out += GO_ESCAPES[rune];
    else if (rune < 0x80) out += `\\x${hex(rune, 2)}`;
    else if (rune < 0x10000) out += `\\u${hex(rune, 4)}`;
    else out += `\\U${hex(rune, 8)}`;
    i += size;
  }
  return `${out}"`;
}

const GO_ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
};

/** Go's `utf8.DecodeRune`: the code point and its length, or -1 and 1 for an invalid byte. */
function decodeRune(b: Buffer, i: number): [number, number] {
  const lead = b[i]!;
  if (lead < 0x80) return [lead, 1];
  const inRange = (k: number, low = 0x80, high = 0xbf) => {
    const c = b[i + k];
    return c !== undefined && c >= low && c <= high;
  };
  const tail = (k: number) => b[i + k]! & 0x3f;
  if (lead >= 0xc2 && lead <= 0xdf && inRange(1)) return [((lead & 0x1f) << 6) | tail(1), 2];
  if (lead >= 0xe0 && lead <= 0xef) {
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    if (inRange(1, low, high) && inRange(2)) return [((lead & 0x0f) << 12) | (tail(1) << 6) | tail(2), 3];
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    if (inRange(1, low, high) && inRange(2) && inRange(3)) {
      return [((lead & 0x07) << 18) | (tail(1) << 12) | (tail(2) << 6) | tail(3), 4];
    }
  }
  return [-1, 1];
}
