import { describe, expect, it } from 'vitest';
import { negotiatedType, wantsJson } from '../../../src/selfservice/flow/response-mode.js';

describe('whether a request wants JSON', () => {
  it.each([
    [undefined, undefined, false],
    ['*/*', undefined, false],
    ['application/json', undefined, true],
    ['text/html', undefined, false],
    ['text/html, application/json', undefined, false],
    ['application/json, text/html', undefined, false],
    ['text/html;q=0.9, application/json', undefined, true],
    ['application/json;q=0.5, */*;q=0.1', undefined, true],
    ['application/*', undefined, true],
    // An exact match is more specific than text/*, so JSON wins at equal weight.
    ['text/*, application/json', undefined, true],
    ['application/json;q=0', undefined, false],
    ['APPLICATION/JSON', undefined, true],
    ['image/png', undefined, false],
    [undefined, 'application/json', true],
    [undefined, 'application/json; charset=utf-8', false],
    [undefined, 'application/x-www-form-urlencoded', false],
    ['text/html', 'application/json', true],
  ])('Accept %s, Content-Type %s: %s', (accept, contentType, json) => {
    expect(wantsJson({ accept, 'content-type': contentType })).toBe(json);
  });

  it('treats a browser’s usual Accept header as HTML', () => {
    expect(
      negotiatedType('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'),
    ).toBe('text/html');
  });

  it('prefers the more specific match at equal weight', () => {
    expect(negotiatedType('*/*, application/json')).toBe('application/json');
    expect(negotiatedType('*/*;q=0.8, application/json;q=0.8')).toBe('application/json');
    expect(negotiatedType('text/*;q=0.9, application/json;q=0.8')).toBe('text/html');
  });
});
