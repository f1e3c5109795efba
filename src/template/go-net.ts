import { GoMap, GoStruct } from './values.js';

// Header names repeat from request to request; their canonical form is cached (bounded).
const canonicalCache = new Map<string, string>();

/** textproto.CanonicalMIMEHeaderKey: `x-foo-bar` → `X-Foo-Bar`. */
export function canonicalHeaderKey(key: string): string {
  const cached = canonicalCache.get(key);
  if (cached !== undefined) return cached;
  const canonical = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)
    ? key
        .toLowerCase()
        .replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase())
    : key;
  if (canonicalCache.size < 1000) canonicalCache.set(key, canonical);
  return canonical;
}

/** Go's http.Header: canonical keys, each with its list of values; `.Get` takes the first. */
export class GoHeader extends GoMap {
  [key: string]: unknown;

  constructor(entries: Record<string, string[]> | Iterable<[string, string[]]> = {}) {
    super();
    for (const [key, values] of Symbol.iterator in entries ? entries : Object.entries(entries)) {
      const canonical = canonicalHeaderKey(key);
      this[canonical] = [...((this[canonical] as string[] | undefined) ?? []), ...values];
    }
  }

  goType(): string {
    return 'http.Header';
  }

  override zeroElement(): string[] {
    return [];
  }

  Get(key: string): string {
    const values = this[canonicalHeaderKey(key)];
    return Array.isArray(values) && values.length > 0 ? String(values[0]) : '';
  }

  /** Header.Set: replaces the values of the canonical key. */
  set(key: string, value: string): void {
    this[canonicalHeaderKey(key)] = [value];
  }

  Values(key: string): string[] {
    const values = this[canonicalHeaderKey(key)];
    return Array.isArray(values) ? values : [];
  }
}

/** Go's url.Values: query parameters, each with its list of values. */
export class GoUrlValues extends GoMap {
  [key: string]: unknown;

  goType(): string {
    return 'url.Values';
  }

  override zeroElement(): string[] {
    return [];
  }

  Get(key: string): string {
    const values = Object.hasOwn(this, key) ? this[key] : undefined;
    return Array.isArray(values) && values.length > 0 ? String(values[0]) : '';
  }

  Has(key: string): boolean {
    return Object.hasOwn(this, key);
  }
}

/** url.ParseQuery, keeping what parses (a pair with `;` or a bad escape is dropped, as Go does). */
export function parseQuery(raw: string): GoUrlValues {
  const values = new GoUrlValues();
  for (const pair of raw.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const [rawKey = '', rawValue = ''] = pair.split(/=(.*)/s, 2);
    try {
      const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
      values[key] = [...((values[key] as string[] | undefined) ?? []), value];
    } catch {}
  }
  return values;
}

/** Go's *url.URL, with the fields and methods templates use; prints as the full URL. */
export class GoUrl extends GoStruct {
  Scheme: string;
  Opaque = '';
  User: null = null;
  Host: string;
  Path: string;
  RawPath = '';
  ForceQuery = false;
  RawQuery: string;
  Fragment: string;
  RawFragment = '';

  constructor(url: URL | string) {
    super();
    const parsed = typeof url === 'string' ? new URL(url) : url;
    this.Scheme = parsed.protocol.replace(/:$/, '');
    this.Host = parsed.host;
    this.Path = decodeURIComponentSafe(parsed.pathname);
    this.RawQuery = parsed.search.replace(/^\?/, '');
    this.Fragment = decodeURIComponentSafe(parsed.hash.replace(/^#/, ''));
  }

  goType(): string {
    return '*url.URL';
  }

  String(): string {
    const path = encodeURI(this.Path).replace(/%25/g, '%');
    return `${this.Scheme}://${this.Host}${path}${this.RawQuery ? `?${this.RawQuery}` : ''}${this.Fragment ? `#${encodeURI(this.Fragment)}` : ''}`;
  }

  Query(): GoUrlValues {
    return parseQuery(this.RawQuery);
  }

  Hostname(): string {
    return this.Host.replace(/:\d*$/, '').replace(/^\[(.*)\]$/, '$1');
  }

  Port(): string {
    return /:(\d*)$/.exec(this.Host)?.[1] ?? '';
  }

  EscapedPath(): string {
    return encodeURI(this.Path);
  }

  RequestURI(): string {
    return `${this.EscapedPath() || '/'}${this.RawQuery ? `?${this.RawQuery}` : ''}`;
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
