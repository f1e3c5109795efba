import { describe, expect, it } from 'vitest';
import { cleanQuery } from '../../src/http/go-query.js';

describe("cleanQuery: the query Go's ReverseProxy forwards", () => {
  it.each([
    ['b=2&a=1', 'b=2&a=1'],
    ['a=%41&x', 'a=%41&x'],
    ['', ''],
    ['q=a+b&q=c', 'q=a+b&q=c'],
  ])('forwards %j as it came when Go parses all of it', (raw, forwarded) =>
    expect(cleanQuery(raw)).toBe(forwarded),
  );

  it.each([
    // A `;` makes Go drop that parameter and re-encode the rest, keys sorted.
    ['b=2;x=1&a=1', 'a=1'],
    ['z=1&a=%zz&m=x y', 'm=x+y&z=1'],
    ['k=1;&k=2&j=%2F', 'j=%2F&k=2'],
    ['q=a%20b;&p=(x)', 'p=%28x%29'],
  ])('rebuilds %j as %j when part of it does not parse', (raw, forwarded) =>
    expect(cleanQuery(raw)).toBe(forwarded),
  );
});
