import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from '../../http/http-error.js';

const BAD_REQUEST = 'The request was malformed or contained invalid parameters';

function badRequest(reason: string): HttpError {
  return new HttpError({ code: 400, message: BAD_REQUEST, reason });
}

/**
 * The `session_token` of a `DELETE /self-service/logout/api` body, or the 400 Kratos answers for
 * the body. Kratos reads it with ory/x's JSON-only decoder into a Go struct, and clients see that
 * decoder's texts, so they are reproduced here: a body is required (by its headers: no
 * Content-Length and no chunked encoding, or a zero one, is refused before anything is read), its
 * media type must be `application/json` (parameters allowed), only the first JSON value counts
 * (trailing bytes are ignored), keys match case-insensitively, unknown keys and `null` are
 * ignored. A missing or empty token is no error here: it is simply no session's token (403).
 */
export function readNativeLogoutBody(
  headers: IncomingHttpHeaders,
  body: Buffer | undefined,
): string | HttpError {
  const length = headers['content-length'];
  if (headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0)) {
    return badRequest('Unable to decode HTTP Request Body because its HTTP Header "Content-Length" is zero.');
  }
  const contentType = headers['content-type'] ?? '';
  if (mediaTypeOf(contentType) !== 'application/json') {
    return badRequest(
      `HTTP DELETE Request used unknown HTTP Header "Content-Type: ${contentType}", only [application/json] are supported.`,
    );
  }
  const decoded = decodeFirstValue(body ?? Buffer.alloc(0));
  if ('error' in decoded) return badRequest(`Unable to decode JSON payload: ${decoded.error}`);
  return tokenOf(decoded.value);
}

/** The struct Kratos decodes into, as Go names it in type errors. */
const STRUCT = 'performNativeLogoutBody';

/** Go's encoding/json assigning a decoded value to `struct { SessionToken string "json:session_token" }`. */
function tokenOf(value: unknown): string | HttpError {
  if (value === null) return '';
  if (!(value instanceof JsonObjectMembers)) {
    return badRequest(
      `Unable to decode JSON payload: json: cannot unmarshal ${goKind(value)} into Go value of type logout.${STRUCT}`,
    );
  }
  let token = '';
  let typeError: string | undefined;
  // Go matches a key to the field exactly or case-insensitively (with its Unicode folds: "ſ" is
  // an "s", the Kelvin sign a "k"); the last matching key wins; a wrong type is reported after
  // the whole value was read.
  for (const [key, field] of value.members) {
    if (key.replaceAll('ſ', 's').toLowerCase() !== 'session_token') continue;
    if (typeof field === 'string') token = field;
    else if (field !== null) {
      typeError ??= `json: cannot unmarshal ${goKind(field)} into Go struct field ${STRUCT}.session_token of type string`;
    }
  }
  return typeError ? badRequest(`Unable to decode JSON payload: ${typeError}`) : token;
}

function goKind(value: unknown): string {
  if (value instanceof JsonObjectMembers) return 'object';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // 'string' | 'number'
}

// --- media type (Go's mime.ParseMediaType, as ory/x's HasContentType uses it) -------------------

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/** The lower-cased media type of a Content-Type value, or undefined when Go could not parse it. */
function mediaTypeOf(contentType: string): string | undefined {
  const value = contentType.trim();
  const semicolon = value.indexOf(';');
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+(\/[!#$%&'*+\-.^_`|~0-9a-z]+)?$/.test(type)) return undefined;
  let rest = semicolon < 0 ? '' : value.slice(semicolon);
  const seen = new Set<string>();
  while (rest.trimStart() !== '') {
    rest = rest.trimStart();
    const param = /^;\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*/.exec(rest);
    if (!param) {
      // A lone trailing ";" is tolerated; anything else is a malformed parameter.
      if (rest.trim() === ';') break;
      return undefined;
    }
    rest = rest.slice(param[0].length);
    const quoted = /^"(?:[^"\\]|\\.)*"/.exec(rest);
    const token = quoted ?? TOKEN.exec(rest);
    if (!token) return undefined;
    rest = rest.slice(token[0].length);
    const key = param[1]!.toLowerCase();
    if (seen.has(key)) return undefined;
    seen.add(key);
  }
  return type;
}

// --- the first JSON value, as Go's json.Decoder reads it --------------------------------------

type Decoded = { value: unknown } | { error: string };

/** A JSON object as its members in order, duplicates included: Go assigns them in that order. */
class JsonObjectMembers {
  constructor(readonly members: [string, unknown][]) {}
}

class SyntaxFailure extends Error {}

/**
 * Reads one JSON value from the start of `raw` with Go's error texts ("EOF" for an empty body,
 * "unexpected EOF" for a cut one, "invalid character 'x' looking for beginning of value" ...).
 * Objects come back as JsonObjectMembers. Whatever follows the value is not looked at.
 */
function decodeFirstValue(raw: Buffer): Decoded {
  // Bytes, one char each: Go's scanner works on bytes and quotes the offending one.
  const s = raw.toString('latin1');
  let i = 0;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  const skipSpace = () => {
    while (isSpace(s[i])) i++;
  };
  const fail = (context: string): never => {
    if (i >= s.length) throw new SyntaxFailure('unexpected EOF');
    throw new SyntaxFailure(`invalid character ${quoteChar(s.charCodeAt(i))} ${context}`);
  };

  const value = (): unknown => {
    skipSpace();
    const c = s[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    return fail('looking for beginning of value');
  };

  const object = (): JsonObjectMembers => {
    const members: [string, unknown][] = [];
    i++;
    skipSpace();
    if (s[i] === '}') {
      i++;
      return new JsonObjectMembers(members);
    }
    for (;;) {
      if (s[i] !== '"') fail('looking for beginning of object key string');
      const key = string();
      skipSpace();
      if (s[i] !== ':') fail('after object key');
      i++;
      members.push([key, value()]);
      skipSpace();
      if (s[i] === '}') {
        i++;
        return new JsonObjectMembers(members);
      }
      if (s[i] !== ',') fail('after object key:value pair');
      i++;
      skipSpace();
    }
  };

  const array = (): unknown[] => {
    const items: unknown[] = [];
    i++;
    skipSpace();
    if (s[i] === ']') {
      i++;
      return items;
    }
    for (;;) {
      items.push(value());
      skipSpace();
      if (s[i] === ']') {
        i++;
        return items;
      }
      if (s[i] !== ',') fail('after array element');
      i++;
    }
  };

  const string = (): string => {
    const start = i;
    i++;
    for (;;) {
      const c = s[i];
      if (c === undefined) return fail('');
      if (c === '"') break;
      if (c === '\\') {
        i++;
        const e = s[i];
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9A-Fa-f]/.test(s[i] ?? '')) fail('in \\u hexadecimal character escape');
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('in string escape code');
      } else if (c.charCodeAt(0) < 0x20) fail('in string literal');
      i++;
    }
    i++;
    // The literal is valid JSON now; its bytes are UTF-8 (invalid sequences become U+FFFD, as in Go).
    return JSON.parse(Buffer.from(s.slice(start, i), 'latin1').toString('utf8')) as string;
  };

  const digits = () => {
    while (s[i] !== undefined && s[i]! >= '0' && s[i]! <= '9') i++;
  };
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

  const number = (): number => {
    const start = i;
    if (s[i] === '-') {
      i++;
      if (!isDigit(s[i])) fail('in numeric literal');
    }
    if (s[i] === '0') i++;
    else digits();
    if (s[i] === '.') {
      i++;
      if (!isDigit(s[i])) fail('after decimal point in numeric literal');
      digits();
    }
    if (s[i] === 'e' || s[i] === 'E') {
      i++;
      if (s[i] === '+' || s[i] === '-') i++;
      if (!isDigit(s[i])) fail('in exponent of numeric literal');
      digits();
    }
    return Number(s.slice(start, i));
  };

  const literal = <T>(word: string, result: T): T => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (s[i] !== word[k]) fail(`in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`);
    }
    i++;
    return result;
  };

  skipSpace();
  if (i >= s.length) return { error: 'EOF' };
  try {
    return { value: value() };
  } catch (error) {
    if (error instanceof SyntaxFailure) return { error: error.message };
    throw error;
  }
}

/** How Go's scanner quotes a byte in its messages: 'x', '\'', '"', '\n', '\x01', 'é'. */
function quoteChar(byte: number): string {
  if (byte === 0x27) return `'\\''`;
  if (byte === 0x22) return `'"'`;
  const special: Record<number, string> = {
    7: '\\a',
    8: '\\b',
    9: '\\t',
    10: '\\n',
    11: '\\v',
    12: '\\f',
    13: '\\r',
    92: '\\\\',
  };
  if (special[byte] !== undefined) return `'${special[byte]}'`;
  if (byte >= 0x20 && byte < 0x7f) return `'${String.fromCharCode(byte)}'`;
  // A byte above 0x7f is quoted as the code point of the same number (Go converts byte to rune).
  if (byte >= 0xa1 && byte !== 0xad) return `'${String.fromCharCode(byte)}'`;
  if (byte < 0x80) return `'\\x${byte.toString(16).padStart(2, '0')}'`;
  return `'\\u${byte.toString(16).padStart(4, '0')}'`;
}
