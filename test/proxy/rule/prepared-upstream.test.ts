import { describe, expect, it } from 'vitest';
import { prepareUpstream, upstreamTarget } from '../../../src/proxy/rule/prepared-upstream.js';

function target(url: string, strip: string, path: string, raw = path, query?: string) {
  const upstream = prepareUpstream({ url, preserve_host: false, strip_path: strip })!;
  return upstreamTarget(upstream, path, raw, query);
}

describe('the upstream request target, as Oathkeeper builds it', () => {
  it.each([
    // compat-proxy §6.4's table
    ['http://localhost:4000/', '/api/', '/api/users/1234', '/users/1234'],
    ['http://localhost:4000/', 'api/', '/api/users/1234', '/users/1234'],
    ['http://localhost:4000/', '/api', '/api/users/1234', '/users/1234'],
    ['http://localhost:4000/', 'api', '/api/users/1234', '/users/1234'],
    ['http://localhost:4000/foo/', 'api', '/api/users/1234', '/foo/users/1234'],
    ['http://localhost:4000', '', '/users/1234', '/users/1234'],
    [
      'http://kratos:4433',
      '/.ory/kratos/public',
      '/.ory/kratos/public/self-service/login/browser',
      '/self-service/login/browser',
    ],
    // The strip is a plain substring replacement of its first occurrence, anywhere.
    ['http://u/', '/api', '/apiary', '/ary'],
    ['http://u/', '/api', '/v1/api/x/api', '/v1/x/api'],
    ['http://u/base', '/api', '/x', '/base/x'],
    // path.Join drops the upstream's trailing slash.
    ['http://u/base/', '', '/', '/base'],
    ['http://u/', '', '/', '/'],
  ])('%s strip %j: %s → %s', (url, strip, path, expected) => {
    expect(target(url, strip, path)).toBe(expected);
  });

  it("keeps the client's encoding while the path is unchanged, else encodes as Go", () => {
    expect(target('http://u', '', '/a/b', '/a%2Fb')).toBe('/a%2Fb');
    expect(target('http://u', '', '/a b', '/a%20b')).toBe('/a%20b');
    // A base path changes the path: re-encoded from the decoded form, so %2F becomes /.
    expect(target('http://u/base', '', '/a/b', '/a%2Fb')).toBe('/base/a/b');
    expect(target('http://u', '', '/a b/c', '/a%20b/./c')).toBe('/a%20b/c');
    expect(target('http://u', '', '/ü', '/%c3%bc')).toBe('/%c3%bc');
  });

  it('sends the query as it came, or rebuilt when Go could not parse it', () => {
    expect(target('http://u', '', '/a', '/a', 'b=2&a=1')).toBe('/a?b=2&a=1');
    expect(target('http://u', '', '/a', '/a', '')).toBe('/a?');
    expect(target('http://u', '', '/a', '/a', 'x=1;y=2&a=1')).toBe('/a?a=1');
  });

  it('roots a path the strip left without its slash (Oathkeeper would send "ary")', () => {
    expect(target('http://u', '/', '/apiary')).toBe('/apiary');
    expect(target('http://u', 'ap', '/apiary')).toBe('/iary');
  });

  it('takes the Host header as written and pools by scheme, host and port', () => {
    expect(
      prepareUpstream({ url: 'http://Kratos:80/x', preserve_host: false, strip_path: '' }),
    ).toMatchObject({
      host: 'Kratos:80',
      origin: 'http://kratos:80',
      basePath: '/x',
    });
    expect(prepareUpstream({ url: 'https://u.example', preserve_host: true, strip_path: '' })).toMatchObject({
      host: 'u.example',
      origin: 'https://u.example:443',
      preserveHost: true,
    });
    expect(prepareUpstream({ url: '', preserve_host: false, strip_path: '' })).toBeUndefined();
  });

  it('names an upstream URL it cannot use', () => {
    expect(() => prepareUpstream({ url: '/relative', preserve_host: false, strip_path: '' })).toThrow(
      'upstream.url "/relative" is not a URL',
    );
    expect(() => prepareUpstream({ url: 'ftp://u/', preserve_host: false, strip_path: '' })).toThrow(
      'must use http or https',
    );
  });
});
