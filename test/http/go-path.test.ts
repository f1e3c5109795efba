import { describe, expect, it } from 'vitest';
import { cleanPath, escapePath, isValidEncodedPath, joinPath, unescapePath } from '../../src/http/go-path.js';

describe("Go's path and URL path functions", () => {
  it.each([
    ['/a/b/../c', '/a/c'],
    ['//a///b/', '/a/b'],
    ['/./a/.', '/a'],
    ['/..', '/'],
    ['', '.'],
  ])('cleanPath(%j) = %j', (path, cleaned) => expect(cleanPath(path)).toBe(cleaned));

  it.each([
    [['', ''], ''],
    [['/', ''], '/'],
    [['', '/a'], '/a'],
    [['/base/', '/a/b'], '/base/a/b'],
    [['/base', '/'], '/base'],
    [['base', 'a'], 'base/a'],
  ])('joinPath(%j) = %j', (elements, joined) => expect(joinPath(...elements)).toBe(joined));

  it.each([
    ['/a b', '/a%20b'],
    ['/a?b', '/a%3Fb'],
    ['/$&+,/:;=@-_.~', '/$&+,/:;=@-_.~'],
    ["/!'()*", '/%21%27%28%29%2A'],
    ['/ü', '/%C3%BC'],
    ['/100%', '/100%25'],
  ])('escapePath(%j) = %j', (path, escaped) => expect(escapePath(path)).toBe(escaped));

  it.each([
    ['/a%2Fb', true],
    ["/a!'()*[]", true],
    ['/a b', false],
    ['/a"b', false],
    ['/ü', false],
  ])('isValidEncodedPath(%j) = %j', (raw, valid) => expect(isValidEncodedPath(raw)).toBe(valid));

  it.each([
    ['/a%2Fb', '/a/b'],
    ['/%C3%BC', '/ü'],
    ['/plain', '/plain'],
    ['/a+b', '/a+b'],
  ])('unescapePath(%j) = %j', (raw, decoded) => expect(unescapePath(raw)).toBe(decoded));

  it('refuses a malformed escape, as Go does', () => {
    expect(unescapePath('/a%2')).toBeUndefined();
    expect(unescapePath('/a%zz')).toBeUndefined();
  });
});
