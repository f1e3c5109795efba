import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/http/http-error.js';
import { readNativeLogoutBody } from '../../../src/selfservice/logout/native-logout-body.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': '1' };

function read(body: string, headers: Record<string, string> = JSON_HEADERS) {
  return readNativeLogoutBody(headers, Buffer.from(body, 'utf8'));
}

/** The reason of the 400 a body gets; fails the test when it is no 400. */
function reasonFor(body: string, headers?: Record<string, string>): string {
  const result = read(body, headers);
  expect(result, body).toBeInstanceOf(HttpError);
  expect((result as HttpError).code).toBe(400);
  expect((result as HttpError).message).toBe('The request was malformed or contained invalid parameters');
  return (result as HttpError).reason!;
}

describe('the native logout body, as Kratos decodes it', () => {
  it('gives the session token of a JSON object', () => {
    expect(read('{"session_token":"ory_st_abc"}')).toBe('ory_st_abc');
  });

  it('gives an empty token for a body without one, so the caller answers 403 and not 400', () => {
    expect(read('{}')).toBe('');
    expect(read('null')).toBe('');
    expect(read('{"session_token":null}')).toBe('');
  });

  it('matches the key case-insensitively, lets the last match win, and ignores other keys', () => {
    expect(read('{"SESSION_TOKEN":"a","session_token":"b","x":[1,{"y":2}]}')).toBe('b');
    expect(read('{"session_token":"a","Session_Token":"b"}')).toBe('b');
    expect(read('{"ſession_token":"a"}')).toBe('a');
  });

  it('reads only the first JSON value: what follows it is ignored, as by Go’s json.Decoder', () => {
    expect(read('{"session_token":"a"} trailing garbage')).toBe('a');
    expect(read('  {"session_token":"a"}{')).toBe('a');
  });

  it('decodes escapes in the token', () => {
    expect(read('{"session_token":"a\\u0062\\n"}')).toBe('ab\n');
  });

  it('requires a body by its headers, before reading it', () => {
    expect(reasonFor('', { 'content-type': 'application/json' })).toBe(
      'Unable to decode HTTP Request Body because its HTTP Header "Content-Length" is zero.',
    );
    expect(reasonFor('', { 'content-type': 'application/json', 'content-length': '0' })).toContain(
      '"Content-Length" is zero',
    );
    // A chunked body has no length; an empty one then fails as JSON.
    expect(reasonFor('', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })).toBe(
      'Unable to decode JSON payload: EOF',
    );
  });

  it('takes application/json with parameters, in any letter case, and nothing else', () => {
    const withType = (type: string) => ({ 'content-type': type, 'content-length': '1' });
    expect(read('{"session_token":"a"}', withType('Application/JSON; charset=utf-8'))).toBe('a');
    expect(read('{"session_token":"a"}', withType('application/json;'))).toBe('a');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset', '']) {
      expect(reasonFor('{}', withType(type))).toBe(
        `HTTP DELETE Request used unknown HTTP Header "Content-Type: ${type}", only [application/json] are supported.`,
      );
    }
  });

  it('reports JSON syntax errors in Go’s words', () => {
    const cases: [string, string][] = [
      ['   ', 'EOF'],
      ['{"session_token":', 'unexpected EOF'],
      ['{"session_token" "a"}', `invalid character '"' after object key`],
      ['{"session_token":"a" "b"}', `invalid character '"' after object key:value pair`],
      ['{session_token:"a"}', `invalid character 's' looking for beginning of object key string`],
      ["{'session_token':1}", `invalid character '\\'' looking for beginning of object key string`],
      ['x', `invalid character 'x' looking for beginning of value`],
      ['[1 2]', `invalid character '2' after array element`],
      ['{"a":tru}', `invalid character '}' in literal true (expecting 'e')`],
      ['{"a":-x}', `invalid character 'x' in numeric literal`],
      ['{"a":1.}', `invalid character '}' after decimal point in numeric literal`],
      ['{"a":1e}', `invalid character '}' in exponent of numeric literal`],
      ['{"a":"\\x"}', `invalid character 'x' in string escape code`],
      ['{"a":"\\u12g4"}', `invalid character 'g' in \\u hexadecimal character escape`],
      ['{"a":"\n"}', `invalid character '\\n' in string literal`],
    ];
    for (const [body, error] of cases) {
      expect(reasonFor(body), body).toBe(`Unable to decode JSON payload: ${error}`);
    }
  });

  it('reports a value of the wrong type as Go’s unmarshal error', () => {
    expect(reasonFor('{"session_token":true}')).toBe(
      'Unable to decode JSON payload: json: cannot unmarshal bool into Go struct field performNativeLogoutBody.session_token of type string',
    );
    expect(reasonFor('{"session_token":{}}')).toContain('cannot unmarshal object into Go struct field');
    expect(reasonFor('[]')).toBe(
      'Unable to decode JSON payload: json: cannot unmarshal array into Go value of type logout.performNativeLogoutBody',
    );
    expect(reasonFor('"ory_st_abc"')).toContain('cannot unmarshal string into Go value');
  });

  it('reads every JSON document JSON.stringify writes as the value JSON.parse reads', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (token, other) => {
        const body = JSON.stringify({ other, session_token: token });
        expect(read(body)).toBe(token);
      }),
    );
  });
});
