import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/http/http-error.js';
import { createLogger, silentLogger } from '../../../src/log/logger.js';
import {
  type AllowedReturnUrl,
  readAllowedReturnUrls,
  secureReturnTo,
} from '../../../src/selfservice/flow/return-to.js';

interface LogLine {
  level: string;
  msg: string;
  key?: string;
  entry?: string;
}

/** A real logger whose JSON lines land in an array. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const log = createLogger(
    { level: 'info', format: 'json', leakSensitiveValues: false },
    {
      destination: {
        write: (line: string) => lines.push(JSON.parse(line) as LogLine),
      } as unknown as NodeJS.WritableStream,
    },
  );
  return { log, lines };
}

const BAD_REQUEST = 'The request was malformed or contained invalid parameters';
const DEFAULT_RETURN_URL = 'https://app.example/home';
const PUBLIC_BASE_URL = 'https://id.example/';
const ALLOWED = readAllowedReturnUrls(
  [
    'https://app.example/',
    'https://*.portal.example/',
    'http://127.0.0.1:4455/dashboard',
    'https://docs.example/guide',
    'http://[::1]:4455/',
  ],
  silentLogger(),
);

function check(requested: string | undefined, overrides: Partial<Parameters<typeof secureReturnTo>[0]> = {}) {
  return secureReturnTo({
    requested,
    defaultReturnUrl: DEFAULT_RETURN_URL,
    allowed: ALLOWED,
    publicBaseUrl: PUBLIC_BASE_URL,
    ...overrides,
  });
}

function expectForbidden(result: string | HttpError): HttpError {
  expect(result).toBeInstanceOf(HttpError);
  const error = result as HttpError;
  expect(error.code).toBe(400);
  expect(error.id).toBe('self_service_flow_return_to_forbidden');
  return error;
}

describe('reading selfservice.allowed_return_urls', () => {
  it('keeps scheme (lower-cased), host with port and path of each entry, as Go parses a request URI', () => {
    const { log, lines } = capturingLogger();
    const allowed = readAllowedReturnUrls(['HTTPS://App.Example:8443/Dash?x=1#y', '/dashboard'], log);
    expect(allowed).toEqual<AllowedReturnUrl[]>([
      {
        configured: 'HTTPS://App.Example:8443/Dash?x=1#y',
        scheme: 'https',
        host: 'App.Example:8443',
        path: '/Dash',
      },
      { configured: '/dashboard', scheme: '', host: '', path: '/dashboard' },
    ]);
    expect(lines).toEqual([]);
  });

  it('percent-decodes the path of an entry', () => {
    const [entry] = readAllowedReturnUrls(['https://app.example/caf%C3%A9'], silentLogger());
    expect(entry?.path).toBe('/café');
  });

  it('skips empty entries without a warning', () => {
    const { log, lines } = capturingLogger();
    expect(readAllowedReturnUrls(['', 'https://app.example/'], log)).toHaveLength(1);
    expect(lines).toEqual([]);
  });

  const unsafe = [
    ['a bare wildcard host', 'https://*/'],
    ['a bare wildcard with a port', 'https://*:8443/'],
    ['a public-suffix wildcard', 'https://*.com/'],
    ['a wildcard glued to a label', 'https://*foo.com/'],
    ['a mid-label wildcard', 'https://foo.*.com/'],
    ['a trailing wildcard', 'https://www.example.*/'],
    ['a wildcard followed by an empty label', 'https://*.example..com/'],
    ['a lone "*"', '*'],
  ] as const;

  it.each(unsafe)('drops %s with one warning naming the entry and its key', (_, entry) => {
    const { log, lines } = capturingLogger();
    const allowed = readAllowedReturnUrls(['https://app.example/', entry], log);
    expect(allowed.map((a) => a.configured)).toEqual(['https://app.example/']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warning', entry, key: 'selfservice.allowed_return_urls.1' });
    expect(lines[0]?.msg).toContain(entry);
  });

  it('says why a public-suffix wildcard is unsafe', () => {
    const { log, lines } = capturingLogger();
    readAllowedReturnUrls(['https://*.com/'], log);
    expect(lines[0]?.msg).toContain('"com"');
    expect(lines[0]?.msg).toContain('public suffix');
  });

  it('warns once per dropped entry, in order', () => {
    const { log, lines } = capturingLogger();
    readAllowedReturnUrls(['https://*.com/', 'https://app.example/', 'https://*foo.org/'], log);
    expect(lines.map((line) => line.key)).toEqual([
      'selfservice.allowed_return_urls.0',
      'selfservice.allowed_return_urls.2',
    ]);
  });

  it('drops entries that are no URL, with the parse error in the warning', () => {
    const { log, lines } = capturingLogger();
    expect(readAllowedReturnUrls(['example.com/path', 'https://app.example/%zz'], log)).toEqual([]);
    expect(lines).toHaveLength(2);
    expect(lines[0]?.msg).toContain('invalid URI for request');
    expect(lines[1]?.msg).toContain('invalid URL escape "%zz"');
  });

  it.each([
    ['a subdomain wildcard', 'https://*.example.com/'],
    ['a subdomain wildcard with a port', 'https://*.example.com:8443/'],
    // Kratos bounds this one by example.com too: it matches evilfoo.example.com, not evilfoo.com.
    ['a glued wildcard under a registrable domain', 'https://*foo.example.com/'],
    // Differs from Kratos, which knows the public suffix list and drops it: see unsafeWildcard.
    ['a wildcard under a multi-label public suffix', 'https://*.co.uk/'],
  ])('keeps %s without a warning', (_, entry) => {
    const { log, lines } = capturingLogger();
    expect(readAllowedReturnUrls([entry], log).map((a) => a.configured)).toEqual([entry]);
    expect(lines).toEqual([]);
  });

  it('keeps unsafe wildcards with feature_flags.legacy_allow_insecure_origins, and they then match', () => {
    const { log, lines } = capturingLogger();
    const allowed = readAllowedReturnUrls(['https://*.com/'], log, { legacyAllowInsecureOrigins: true });
    expect(lines).toEqual([]);
    expect(check('https://evil.com/x', { allowed })).toBe('https://evil.com/x');
  });
});

describe('return_to validation', () => {
  it('uses the default return URL when none is requested', () => {
    expect(check(undefined)).toBe('https://app.example/home');
    expect(check('')).toBe('https://app.example/home');
  });

  const allowedCases: { name: string; requested: string; expected: string }[] = [
    {
      name: 'an allowed host',
      requested: 'https://app.example/settings',
      expected: 'https://app.example/settings',
    },
    {
      name: 'an allowed host without a path',
      requested: 'https://app.example',
      expected: 'https://app.example',
    },
    {
      name: 'scheme and host in another case (Go lower-cases only the scheme)',
      requested: 'HTTPS://APP.EXAMPLE/x',
      expected: 'https://APP.EXAMPLE/x',
    },
    {
      name: 'a subdomain under a wildcard',
      requested: 'https://a.portal.example/x',
      expected: 'https://a.portal.example/x',
    },
    {
      name: 'a deeper subdomain under a wildcard',
      requested: 'https://deep.a.portal.example/',
      expected: 'https://deep.a.portal.example/',
    },
    {
      name: 'a path under an allowed path, port included',
      requested: 'http://127.0.0.1:4455/dashboard/team',
      expected: 'http://127.0.0.1:4455/dashboard/team',
    },
    {
      name: 'a path that merely starts with the allowed one (a plain string prefix, as in Kratos)',
      requested: 'http://127.0.0.1:4455/dashboardx',
      expected: 'http://127.0.0.1:4455/dashboardx',
    },
    {
      name: 'a path under a path-restricted entry',
      requested: 'https://docs.example/guide/intro',
      expected: 'https://docs.example/guide/intro',
    },
    {
      name: 'the public base URL under /self-service, allowed implicitly',
      requested: 'https://id.example/self-service/login/browser',
      expected: 'https://id.example/self-service/login/browser',
    },
    {
      name: 'a relative path, on the scheme and host of the default return URL',
      requested: '/settings',
      expected: 'https://app.example/settings',
    },
    {
      name: 'a protocol-relative URL to an allowed host, on the default scheme',
      requested: '//app.example/x',
      expected: 'https://app.example/x',
    },
    {
      name: 'three slashes: Go reads a path, which stays on the default host',
      requested: '///evil.example',
      expected: 'https://app.example///evil.example',
    },
    {
      name: 'an empty authority: the default host fills it',
      requested: 'https:///evil.example',
      expected: 'https://app.example/evil.example',
    },
    {
      name: 'a backslash after the first slash, kept as an escaped path character',
      requested: '/\\evil.example',
      expected: 'https://app.example/%5Cevil.example',
    },
    {
      name: 'encoded slashes, kept encoded',
      requested: 'https://app.example/%2F%2Fevil.example',
      expected: 'https://app.example/%2F%2Fevil.example',
    },
    {
      name: 'non-ASCII in the query, %-escaped for the Location header as Go does',
      requested: '/search?q=é',
      expected: 'https://app.example/search?q=%c3%a9',
    },
    {
      name: 'a foreign URL inside the query of an allowed one',
      requested: 'https://app.example/?next=https://evil.example/',
      expected: 'https://app.example/?next=https://evil.example/',
    },
    {
      name: 'an IPv6 literal with its port',
      requested: 'http://[::1]:4455/x',
      expected: 'http://[::1]:4455/x',
    },
    {
      name: 'userinfo in front of an allowed host',
      requested: 'https://user@app.example/',
      expected: 'https://user@app.example/',
    },
  ];

  it.each(allowedCases)('allows $name', ({ requested, expected }) => {
    expect(check(requested)).toBe(expected);
  });

  const forbiddenCases: { name: string; requested: string }[] = [
    { name: 'a foreign host', requested: 'https://evil.example/' },
    { name: 'an allowed host on another port', requested: 'https://app.example:8443/' },
    {
      name: 'an allowed host with its default port spelled out (hosts compare as strings)',
      requested: 'https://app.example:443/',
    },
    { name: 'an allowed host over another scheme', requested: 'http://app.example/' },
    { name: 'the bare domain of a wildcard', requested: 'https://portal.example/' },
    { name: 'a host that only ends like the wildcard domain', requested: 'https://evilportal.example/' },
    {
      name: 'a wildcard domain used as a subdomain elsewhere',
      requested: 'https://a.portal.example.evil.example/',
    },
    { name: 'an allowed host as a subdomain elsewhere', requested: 'https://app.example.evil.example/' },
    { name: 'a path outside the allowed path', requested: 'http://127.0.0.1:4455/other' },
    { name: 'an allowed host without its port', requested: 'http://127.0.0.1/dashboard' },
    { name: 'the public base URL outside /self-service', requested: 'https://id.example/admin' },
    { name: 'a protocol-relative URL to a foreign host', requested: '//evil.example/x' },
    { name: 'a javascript: URL', requested: 'javascript:alert(1)' },
    {
      name: 'a javascript: URL dressed as an allowed host',
      requested: 'JavaScript://app.example/%0Aalert(1)',
    },
    { name: 'a data: URL', requested: 'data:text/html,<script>alert(1)</script>' },
    { name: 'an IP as userinfo in front of a foreign host', requested: 'http://127.0.0.1@evil.example/' },
    {
      name: 'an allowed host as userinfo in front of a foreign host',
      requested: 'https://app.example@evil.example/',
    },
    { name: 'an allowed host hidden in the fragment', requested: 'https://evil.example#@app.example/' },
    { name: 'an allowed host hidden in the query', requested: 'https://evil.example?@app.example/' },
    { name: 'a relative path without a leading slash', requested: '\\\\evil.example' },
    // Kratos lets the next two through (Go reads them as opaque, with the default host); a browser
    // on an https page reads https://evil.example/ in both.
    { name: 'backslashes after the scheme', requested: 'https:\\\\evil.example' },
    { name: 'a host after the scheme without slashes', requested: 'https:evil.example' },
    // Kratos compares the raw path; the browser resolves the dot segments first.
    {
      name: 'dot segments climbing out of an allowed path',
      requested: 'https://docs.example/guide/../admin',
    },
    {
      name: 'encoded dot segments climbing out of an allowed path',
      requested: 'https://docs.example/guide/%2e%2e/admin',
    },
    { name: 'a look-alike host in Cyrillic', requested: 'https://аpp.example/' },
    { name: 'another port on an IPv6 literal', requested: 'http://[::1]:4456/' },
  ];

  it.each(forbiddenCases)('refuses $name', ({ requested }) => {
    expectForbidden(check(requested));
  });

  const unparsableCases: { name: string; requested: string; why: string }[] = [
    {
      name: 'a backslash in the userinfo',
      requested: 'https://evil.example\\@app.example/',
      why: 'parse "https://evil.example\\\\@app.example/": net/url: invalid userinfo',
    },
    {
      name: 'a backslash in the host',
      requested: 'https://app.example\\.evil.example/',
      why: 'parse "https://app.example\\\\.evil.example/": invalid character "\\\\" in host name',
    },
    {
      name: 'an encoded ASCII character in the host',
      requested: 'https://evil%2Eexample/',
      why: 'parse "https://evil%2Eexample/": invalid URL escape "%2E"',
    },
    {
      name: 'a broken %-escape in the path',
      requested: 'https://app.example/%zz',
      why: 'parse "https://app.example/%zz": invalid URL escape "%zz"',
    },
    {
      name: 'a control character',
      requested: 'https://app.example/x\nevil',
      why: 'parse "https://app.example/x\\nevil": net/url: invalid control character in URL',
    },
    {
      name: 'two ports on an http host',
      requested: 'http://app.example:80:80/',
      why: 'parse "http://app.example:80:80/": invalid port ":80:80" after host',
    },
    {
      name: 'an IPv4 address in brackets',
      requested: 'http://[1.2.3.4]/',
      why: 'parse "http://[1.2.3.4]/": invalid IP-literal',
    },
    {
      name: 'a missing scheme before a colon',
      requested: ':evil',
      why: 'parse ":evil": missing protocol scheme',
    },
  ];

  it.each(unparsableCases)(
    "answers 400 without an id for $name, with Go's parse error",
    ({ requested, why }) => {
      const result = check(requested);
      expect(result).toBeInstanceOf(HttpError);
      const error = result as HttpError;
      expect(error.code).toBe(400);
      expect(error.id).toBeUndefined();
      expect(error.message).toBe(BAD_REQUEST);
      expect(error.reason).toBe(`Unable to parse the return_to query parameter as an URL: ${why}`);
    },
  );

  it("renders a refusal in Kratos' shape, quoting the URL as Go's %q does", () => {
    const error = expectForbidden(check('https://evil.example/'));
    expect(error.toJSON()).toEqual({
      error: {
        id: 'self_service_flow_return_to_forbidden',
        code: 400,
        status: 'Bad Request',
        reason: 'Requested return_to URL "https://evil.example/" is not allowed.',
        message: BAD_REQUEST,
      },
    });
  });

  it('names a relative candidate in the refusal with the scheme and host it inherited', () => {
    const error = expectForbidden(check('/x', { defaultReturnUrl: 'https://dash.example/' }));
    expect(error.reason).toBe('Requested return_to URL "https://dash.example/x" is not allowed.');
  });

  it('escapes quotes and backslashes in the quoted URL', () => {
    const error = expectForbidden(check('https:\\\\evil.example/"x"'));
    expect(error.reason).toBe('Requested return_to URL "https:\\\\\\\\evil.example/\\"x\\"" is not allowed.');
  });

  it('does not allow the default return URL implicitly, but falls back to it', () => {
    const defaultReturnUrl = 'https://dash.example/';
    expectForbidden(check('https://dash.example/', { defaultReturnUrl }));
    expect(check(undefined, { defaultReturnUrl })).toBe('https://dash.example/');
  });

  it('allows /self-service under a public base URL that has a path of its own', () => {
    const publicBaseUrl = 'https://id.example/kratos/';
    expect(check('https://id.example/kratos/self-service/x', { publicBaseUrl })).toBe(
      'https://id.example/kratos/self-service/x',
    );
    expectForbidden(check('https://id.example/self-service/x', { publicBaseUrl }));
  });
});

describe('return_to inside the flow request URL', () => {
  const loginUrl = 'https://id.example/self-service/login/browser';

  it('is the candidate when none is requested explicitly', () => {
    const requestUrl = `${loginUrl}?return_to=https%3A%2F%2Fapp.example%2Fnext`;
    expect(check(undefined, { requestUrl })).toBe('https://app.example/next');
    expect(check('', { requestUrl })).toBe('https://app.example/next');
  });

  it('is checked like an explicit one', () => {
    const requestUrl = `${loginUrl}?refresh=true&return_to=https://evil.example/`;
    expectForbidden(check(undefined, { requestUrl }));
  });

  it('loses to an explicit return_to', () => {
    const requestUrl = `${loginUrl}?return_to=https://evil.example/`;
    expect(check('/mine', { requestUrl })).toBe('https://app.example/mine');
  });

  it('is the first of several', () => {
    const requestUrl = `${loginUrl}?return_to=/first&return_to=/second`;
    expect(check(undefined, { requestUrl })).toBe('https://app.example/first');
  });

  it('reads "+" as a space, as a query value', () => {
    expect(check(undefined, { requestUrl: `${loginUrl}?return_to=/a+b` })).toBe('https://app.example/a%20b');
  });

  it('is ignored in a pair holding a semicolon, as Go ignores the pair', () => {
    const requestUrl = `${loginUrl}?return_to=https://evil.example/;x`;
    expect(check(undefined, { requestUrl })).toBe('https://app.example/home');
  });

  it('answers 500 for a request URL that is no request URI', () => {
    const result = check('/x', { requestUrl: 'self-service/login' });
    expect(result).toBeInstanceOf(HttpError);
    const error = result as HttpError;
    expect(error.code).toBe(500);
    expect(error.reason).toBe(
      'Unable to parse the original request URL: parse "self-service/login": invalid URI for request',
    );
  });
});

describe('return_to properties', () => {
  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
  const foreignHost = fc
    .oneof(
      fc.domain(),
      fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.')),
    )
    .map((host) => host.toLowerCase())
    .filter(
      (host) =>
        !['app.example', 'docs.example', 'id.example', 'portal.example'].includes(host) &&
        !host.endsWith('.portal.example'),
    );

  it('refuses any URL whose host is not in the allow-list, whatever userinfo, port or path it carries', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https', 'HTTPS'),
        fc.option(fc.constantFrom('app.example', '127.0.0.1', 'a.portal.example', 'user:pw'), {
          nil: undefined,
        }),
        foreignHost,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.constantFrom('', '/', '/dashboard', '/self-service/login', '/guide', '/x?y=1#z'),
        (scheme, userinfo, host, port, path) => {
          const url = `${scheme}://${userinfo ? `${userinfo}@` : ''}${host}${port ? `:${port}` : ''}${path}`;
          const result = check(url);
          expect(result).toBeInstanceOf(HttpError);
          expect((result as HttpError).code).toBe(400);
        },
      ),
    );
  });

  /** The allow-list above, restated by hand in the browser's terms. */
  function allowedByHand(url: URL): boolean {
    const path = decodeURIComponentLoosely(url.pathname);
    if (url.protocol === 'https:') {
      return (
        url.host === 'app.example' ||
        url.host.endsWith('.portal.example') ||
        (url.host === 'docs.example' && path.startsWith('/guide')) ||
        (url.host === 'id.example' && path.startsWith('/self-service'))
      );
    }
    if (url.protocol === 'http:') {
      return (url.host === '127.0.0.1:4455' && path.startsWith('/dashboard')) || url.host === '[::1]:4455';
    }
    return false;
  }

  function decodeURIComponentLoosely(path: string): string {
    try {
      return decodeURIComponent(path);
    } catch {
      return path;
    }
  }

  it('never sends a browser anywhere outside the allow-list, whatever string is requested', () => {
    const piece = fc.constantFrom(
      'https:',
      'http:',
      'javascript:',
      '//',
      '/',
      '\\',
      '\\\\',
      ':',
      '@',
      '?',
      '#',
      '.',
      '..',
      '%2F',
      '%2e',
      '%5C',
      '%40',
      '%00',
      ' ',
      '\t',
      '[',
      ']',
      '::1',
      ':4455',
      ':443',
      'app.example',
      'evil.example',
      'portal.example',
      'a.portal.example',
      '127.0.0.1',
      'docs.example',
      'guide',
      'id.example',
      'self-service',
      'dashboard',
      'é',
      '。',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const result = check(pieces.join(''));
        if (result instanceof HttpError) return;
        // What a browser on the identity server's page, or on any other page, makes of Location.
        for (const url of [
          new URL(result),
          new URL(result, PUBLIC_BASE_URL),
          new URL(result, 'http://other.example/'),
        ]) {
          expect(allowedByHand(url), `${pieces.join('')} → ${result} → ${url.href}`).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
