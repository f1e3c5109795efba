import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cryptoRandom, type RandomSource } from '../../../src/random.js';
import {
  csrfCookieName,
  csrfCookieOptions,
  csrfTokensMatch,
  csrfViolation,
  explainCsrfFailure,
  identityMismatch,
  isCsrfToken,
  looksLikeBrowser,
  maskCsrfToken,
  newCsrfToken,
  readCsrfCookieConfig,
  unmaskCsrfToken,
} from '../../../src/selfservice/flow/csrf.js';

/** Hands out the given bytes, in order: makes a mask's pad known to the test. */
function fixedRandom(...chunks: Buffer[]): RandomSource {
  return {
    bytes(length) {
      const chunk = chunks.shift();
      if (!chunk || chunk.length !== length) throw new Error(`unexpected request for ${length} bytes`);
      return chunk;
    },
    uuid: () => '00000000-0000-4000-8000-000000000000',
  };
}

const tokenBytes = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a));
const token = tokenBytes.map((b) => b.toString('base64'));

describe('the CSRF cookie name', () => {
  it("is csrf_token_ followed by the hex SHA-256 of the exact public base URL (Kratos' vector)", () => {
    expect(csrfCookieName('http://127.0.0.1:4433/')).toBe(
      'csrf_token_806060ca5bf70dff3caa0e5c860002aade9d470a5a4dce73bcfa7ba10778f481',
    );
  });

  it('changes when the base URL string changes, even only by a trailing slash', () => {
    expect(csrfCookieName('http://127.0.0.1:4433')).not.toBe(csrfCookieName('http://127.0.0.1:4433/'));
    expect(csrfCookieName('http://127.0.0.1:4433')).toMatch(/^csrf_token_[0-9a-f]{64}$/);
  });
});

describe('CSRF tokens', () => {
  it('are 32 random bytes in standard base64, new each time', () => {
    const tokens = Array.from({ length: 200 }, () => newCsrfToken(cryptoRandom));
    for (const t of tokens) {
      expect(t).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(t, 'base64')).toHaveLength(32);
      expect(isCsrfToken(t)).toBe(true);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('come from the random source they are given', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(newCsrfToken(fixedRandom(bytes))).toBe(bytes.toString('base64'));
  });

  it('are recognised only as 32 bytes of padded standard base64', () => {
    const t = newCsrfToken(cryptoRandom);
    expect(isCsrfToken(t.slice(0, -1))).toBe(false); // padding missing
    expect(isCsrfToken(Buffer.alloc(31).toString('base64'))).toBe(false);
    expect(isCsrfToken(Buffer.alloc(64).toString('base64'))).toBe(false);
    expect(isCsrfToken(Buffer.alloc(32, 0xfb).toString('base64url'))).toBe(false);
    expect(isCsrfToken('')).toBe(false);
  });
});

describe('masking', () => {
  it('gives back the token when unmasked, for any token and pad', () => {
    fc.assert(
      fc.property(token, tokenBytes, (t, pad) => {
        expect(unmaskCsrfToken(maskCsrfToken(t, fixedRandom(pad)))).toBe(t);
      }),
    );
  });

  it('is pad ‖ (token XOR pad), 64 bytes in standard base64', () => {
    fc.assert(
      fc.property(tokenBytes, tokenBytes, (raw, pad) => {
        const masked = maskCsrfToken(raw.toString('base64'), fixedRandom(pad));
        expect(masked).toMatch(/^[A-Za-z0-9+/]{86}==$/);
        const decoded = Buffer.from(masked, 'base64');
        expect(decoded).toHaveLength(64);
        expect(decoded.subarray(0, 32)).toEqual(pad);
        const expected = Buffer.from(raw.map((byte, i) => byte ^ pad[i]!));
        expect(decoded.subarray(32)).toEqual(expected);
      }),
    );
  });

  it('differs on every render of the same token', () => {
    fc.assert(
      fc.property(token, (t) => {
        const renders = Array.from({ length: 20 }, () => maskCsrfToken(t, cryptoRandom));
        expect(new Set(renders).size).toBe(renders.length);
        for (const masked of renders) expect(csrfTokensMatch(t, masked)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses to mask a value that is no token', () => {
    expect(() => maskCsrfToken('not-a-token', cryptoRandom)).toThrow(TypeError);
    expect(() => maskCsrfToken(Buffer.alloc(16).toString('base64'), cryptoRandom)).toThrow(TypeError);
  });

  it('unmasks nothing from values that are not 64 bytes of standard base64', () => {
    const masked = maskCsrfToken(newCsrfToken(cryptoRandom), cryptoRandom);
    expect(unmaskCsrfToken(masked.slice(0, -4))).toBeUndefined();
    expect(unmaskCsrfToken(`${masked}AAAA`)).toBeUndefined();
    expect(unmaskCsrfToken(masked.replace(/=+$/, ''))).toBeUndefined();
    expect(unmaskCsrfToken(Buffer.from(masked, 'base64').toString('base64url'))).toBeUndefined();
    expect(unmaskCsrfToken(newCsrfToken(cryptoRandom))).toBeUndefined();
    expect(unmaskCsrfToken('')).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (garbage) => {
        const result = unmaskCsrfToken(garbage);
        if (result !== undefined) expect(Buffer.from(garbage, 'base64')).toHaveLength(64);
      }),
    );
  });
});

describe('verifying a submitted token against the cookie', () => {
  it("accepts the cookie's token masked with any pad", () => {
    fc.assert(
      fc.property(token, tokenBytes, (t, pad) => {
        expect(csrfTokensMatch(t, maskCsrfToken(t, fixedRandom(pad)))).toBe(true);
      }),
    );
  });

  it('accepts the raw token too, and masked values on both sides, as nosurf does', () => {
    const t = newCsrfToken(cryptoRandom);
    expect(csrfTokensMatch(t, t)).toBe(true);
    expect(csrfTokensMatch(maskCsrfToken(t, cryptoRandom), maskCsrfToken(t, cryptoRandom))).toBe(true);
  });

  it("rejects another cookie's token", () => {
    fc.assert(
      fc.property(token, token, (a, b) => {
        fc.pre(a !== b);
        expect(csrfTokensMatch(a, maskCsrfToken(b, cryptoRandom))).toBe(false);
      }),
    );
  });

  it('rejects a masked value with any single bit flipped', () => {
    fc.assert(
      fc.property(token, fc.integer({ min: 0, max: 64 * 8 - 1 }), (t, bit) => {
        const bytes = Buffer.from(maskCsrfToken(t, cryptoRandom), 'base64');
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        expect(csrfTokensMatch(t, bytes.toString('base64'))).toBe(false);
      }),
    );
  });

  it('rejects short, long, empty and garbage values without throwing', () => {
    const t = newCsrfToken(cryptoRandom);
    const masked = maskCsrfToken(t, cryptoRandom);
    const bad = [
      '',
      'garbage',
      masked.slice(0, 40),
      Buffer.from(masked, 'base64').subarray(0, 48).toString('base64'),
      `${masked}AAAA`,
      Buffer.from(masked, 'base64').toString('base64url'),
      masked.replace(/=+$/, ''),
      Buffer.alloc(33).toString('base64'),
    ];
    for (const value of bad) {
      expect(csrfTokensMatch(t, value)).toBe(false);
      expect(csrfTokensMatch(value, masked)).toBe(false);
    }
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(() => csrfTokensMatch(a, b)).not.toThrow();
        expect(csrfTokensMatch(t, a)).toBe(false);
      }),
    );
  });
});

describe('the CSRF cookie', () => {
  it('is Secure and SameSite=Lax outside dev mode by default, HttpOnly for a year, on path /', () => {
    expect(csrfCookieOptions(readCsrfCookieConfig({}, false))).toEqual({
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
      domain: undefined,
      maxAge: 31_536_000,
    });
  });

  it('is not Secure in dev mode unless cookies.secure says so', () => {
    expect(csrfCookieOptions(readCsrfCookieConfig({}, true)).secure).toBe(false);
    expect(csrfCookieOptions(readCsrfCookieConfig({ cookies: { secure: 'true' } }, true)).secure).toBe(true);
    expect(csrfCookieOptions(readCsrfCookieConfig({ cookies: { secure: 'false' } }, false)).secure).toBe(
      false,
    );
    expect(csrfCookieOptions(readCsrfCookieConfig({ cookies: { secure: true } }, true)).secure).toBe(true);
  });

  it('takes Path, Domain and SameSite from cookies.*', () => {
    const options = csrfCookieOptions(
      readCsrfCookieConfig(
        { cookies: { path: '/auth', domain: 'example.com', same_site: 'Strict', secure: 'true' } },
        false,
      ),
    );
    expect(options).toMatchObject({ path: '/auth', domain: 'example.com', sameSite: 'strict', secure: true });
  });

  it('ignores session.cookie.*, which only the session cookie uses', () => {
    const config = readCsrfCookieConfig({ session: { cookie: { path: '/s', domain: 'x.example' } } }, false);
    expect(csrfCookieOptions(config)).toMatchObject({ path: '/', domain: undefined });
  });

  it('keeps SameSite=None when Secure', () => {
    const config = readCsrfCookieConfig({ cookies: { same_site: 'None' } }, false);
    expect(csrfCookieOptions(config).sameSite).toBe('none');
  });

  it('falls back to SameSite=Lax when not Secure, whatever same_site says', () => {
    for (const sameSite of ['None', 'Strict', 'Lax']) {
      const inDev = readCsrfCookieConfig({ cookies: { same_site: sameSite } }, true);
      expect(csrfCookieOptions(inDev)).toMatchObject({ secure: false, sameSite: 'lax' });
      const forcedInsecure = readCsrfCookieConfig(
        { cookies: { same_site: sameSite, secure: 'false' } },
        false,
      );
      expect(csrfCookieOptions(forcedInsecure)).toMatchObject({ secure: false, sameSite: 'lax' });
    }
  });

  it('has no Domain when cookies.domain is empty', () => {
    expect(
      csrfCookieOptions(readCsrfCookieConfig({ cookies: { domain: '' } }, false)).domain,
    ).toBeUndefined();
  });
});

const DOCS = 'https://www.ory.com/docs/troubleshooting/csrf';
const REASON =
  'Please retry the flow and optionally clear your cookies. The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF) which could cause account takeover, leaking personal information, and other serious security issues.';
const MESSAGE = 'the request was rejected to protect you from Cross-Site-Request-Forgery';
const SERVER_HINT =
  "We detected a regular browser or server-side call. To debug browser calls check your Browser's Network Tab to see what cookies are included or excluded. If you are calling from a server ensure that the appropriate cookies are being forwarded and that the SDK method is called correctly.";
const AJAX_HINT =
  "We detected an AJAX call, please ensure that CORS is enabled and configured correctly, and that your AJAX code sends cookies and has credentials enabled. For further debugging, check your Browser's Network Tab to see what cookies are included or excluded.";
const MISMATCH =
  'The HTTP Cookie Header was set and a CSRF token was sent but they do not match. We recommend deleting all cookies for this domain and retrying the flow.';

describe('the CSRF violation error', () => {
  it("renders Kratos' 403 security_csrf_violation body, details in Go's sorted key order", () => {
    const body = csrfViolation('token_mismatch').toJSON('req-1');
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({
        error: {
          id: 'security_csrf_violation',
          code: 403,
          status: 'Forbidden',
          request: 'req-1',
          reason: REASON,
          details: { docs: DOCS, hint: SERVER_HINT, reject_reason: MISMATCH },
          message: MESSAGE,
        },
      }),
    );
  });

  it('gives the AJAX hint to script requests', () => {
    expect(csrfViolation('no_cookie_header', true).details).toEqual({
      docs: DOCS,
      hint: AJAX_HINT,
      reject_reason: 'The HTTP Cookie Header is empty or not set.',
    });
    expect(csrfViolation('csrf_cookie_missing', false).details).toEqual({
      docs: DOCS,
      hint: SERVER_HINT,
      reject_reason: 'The HTTP Cookie Header was set but did not include the anti-CSRF cookie.',
    });
  });

  it('says where the token belongs when none was sent, with no reject_reason', () => {
    const notSent = {
      docs: DOCS,
      hint: 'The anti-CSRF cookie was found but the CSRF token was not included in the HTTP request body (csrf_token) nor in the HTTP Header (X-CSRF-Token).',
    };
    expect(csrfViolation('token_not_sent', true).details).toEqual(notSent);
    expect(csrfViolation('token_not_sent', false).details).toEqual(notSent);
  });
});

describe('diagnosing a failed CSRF check', () => {
  const name = csrfCookieName('http://127.0.0.1:4433/');
  const reject = (error: { details?: Record<string, unknown> }) =>
    [error.details?.reject_reason, error.details?.hint] as const;

  it('reports a missing or empty Cookie header first', () => {
    expect(reject(explainCsrfFailure({}, name, 'x'))[0]).toBe('The HTTP Cookie Header is empty or not set.');
    expect(reject(explainCsrfFailure({ cookie: '' }, name, 'x'))[0]).toBe(
      'The HTTP Cookie Header is empty or not set.',
    );
  });

  it('reports cookies without the anti-CSRF one', () => {
    expect(reject(explainCsrfFailure({ cookie: 'a=b; csrf_token=x' }, name, 'x'))[0]).toBe(
      'The HTTP Cookie Header was set but did not include the anti-CSRF cookie.',
    );
  });

  it('reports a form without csrf_token, unless the body is JSON or the header carries one', () => {
    const cookie = `${name}=${newCsrfToken(cryptoRandom)}`;
    const notSent = explainCsrfFailure({ cookie }, name, undefined);
    expect(notSent.details?.reject_reason).toBeUndefined();
    expect(String(notSent.details?.hint)).toContain('was not included in the HTTP request body');
    expect(
      reject(explainCsrfFailure({ cookie, 'content-type': 'application/json' }, name, undefined))[0],
    ).toBe(MISMATCH);
    expect(reject(explainCsrfFailure({ cookie, 'x-csrf-token': 'abc' }, name, undefined))[0]).toBe(MISMATCH);
    expect(reject(explainCsrfFailure({ cookie }, name, 'wrong'))[0]).toBe(MISMATCH);
  });

  it('tells script requests apart by Sec-Fetch-Mode cors or same-origin', () => {
    for (const mode of ['cors', 'same-origin'])
      expect(reject(explainCsrfFailure({ 'sec-fetch-mode': mode }, name, 'x'))[1]).toBe(AJAX_HINT);
    for (const mode of ['navigate', 'no-cors', undefined])
      expect(reject(explainCsrfFailure({ 'sec-fetch-mode': mode }, name, 'x'))[1]).toBe(SERVER_HINT);
  });
});

describe('the identity mismatch error', () => {
  it('renders 403 security_identity_mismatch with the fetch wording by default', () => {
    expect(identityMismatch().toJSON()).toEqual({
      error: {
        id: 'security_identity_mismatch',
        code: 403,
        status: 'Forbidden',
        reason: 'The request was made for another identity and has been blocked for security reasons.',
        message: 'The requested action was forbidden',
      },
    });
  });

  it('uses the "initiated by someone else" wording on submit', () => {
    expect(identityMismatch('submit').reason).toBe(
      'The request was initiated by someone else and has been blocked for security reasons. Please go back and try again.',
    );
  });
});

describe('browser traits on API flows', () => {
  const ORIGIN =
    'The HTTP Request Header included the "Origin" key, indicating that this request was made as part of an AJAX request in a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.';
  const COOKIE =
    'The HTTP Request Header included the "Cookie" key, indicating that this request was made by a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.';

  it('finds none in a request without Origin and cookies', () => {
    expect(looksLikeBrowser({})).toBeUndefined();
    expect(looksLikeBrowser({ origin: '', cookie: '' })).toBeUndefined();
    expect(looksLikeBrowser({ authorization: 'Bearer x', 'user-agent': 'Mozilla/5.0' })).toBeUndefined();
  });

  it('refuses an Origin header, before looking at cookies', () => {
    expect(looksLikeBrowser({ origin: 'https://app.example' })).toBe(ORIGIN);
    expect(looksLikeBrowser({ origin: 'null', cookie: 'a=b' })).toBe(ORIGIN);
  });

  it("ignores Cloudflare's cookies: __cf*, _cf* and cf_*", () => {
    expect(
      looksLikeBrowser({ cookie: '__cf_bm=abc; _cfuvid=def; cf_clearance=ghi; __cfruid=x' }),
    ).toBeUndefined();
  });

  it('refuses any other cookie, alone or next to Cloudflare ones', () => {
    expect(looksLikeBrowser({ cookie: 'ory_kratos_session=abc' })).toBe(COOKIE);
    expect(looksLikeBrowser({ cookie: '__cf_bm=abc; theme=dark' })).toBe(COOKIE);
    // Prefixes are exact and case-sensitive, as in Kratos.
    for (const name of ['cf', 'cfuvid', 'CF_clearance', '_Cf', 'x__cf'])
      expect(looksLikeBrowser({ cookie: `${name}=1` })).toBe(COOKIE);
  });

  it('counts only cookies Go would parse', () => {
    expect(looksLikeBrowser({ cookie: ' ; ;' })).toBeUndefined();
    expect(looksLikeBrowser({ cookie: 'bad name=1' })).toBeUndefined();
    expect(looksLikeBrowser({ cookie: 'flag' })).toBe(COOKIE);
    expect(looksLikeBrowser({ cookie: 'q="quoted"' })).toBe(COOKIE);
  });
});
