/**
 * Go's formatting of values in validation messages, so that messages read as Kratos' do:
 * `%q` (strconv.Quote), `%v`, and the JSON-pointer token escaping of ory/jsonschema.
 */

const NAMED_ESCAPES: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** `%q` of a string. */
export function goQuote(value: string): string {
  let quoted = '"';
  for (const char of value) {
    const named = NAMED_ESCAPES[char];
    if (named !== undefined) {
      quoted += named;
      continue;
    }
    if (PRINTABLE.test(char)) {
      quoted += char;
      continue;
    }
    let code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd; // Go strings hold no lone surrogates
    if (code < 0x80) quoted += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) quoted += `\\u${hex(code, 4)}`;
    else quoted += `\\U${hex(code, 8)}`;
  }
  return `${quoted}"`;
}

/** `%v` of a decoded JSON value, as Go prints what encoding/json decoded with UseNumber. */
export function goValue(value: unknown): string {
  if (value === null) return '<nil>';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

/** `%#v` of a scalar (the `const` message quotes strings and numbers alike: json.Number is a string type). */
export function goSyntaxValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number') return goQuote(String(value));
  return goValue(value);
}

/** The JSON type name ory/jsonschema reports (`integer` is never reported: it is a `number`). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** A JSON-pointer token as ory/jsonschema writes it: `~` and `/` escaped, then url.PathEscape. */
export function pointerToken(name: string): string {
  return pathEscape(name.replaceAll('~', '~0').replaceAll('/', '~1'));
}

/** Go's url.PathEscape: keeps letters, digits, `-_.~` and `$&+:=@`; escapes the rest byte by byte. */
export function pathEscape(segment: string): string {
  let escaped = '';
  for (const byte of Buffer.from(segment, 'utf8')) {
    const char = String.fromCharCode(byte);
    escaped += /[A-Za-z0-9\-_.~$&+:=@]/.test(char) ? char : `%${hex(byte, 2).toUpperCase()}`;
  }
  return escaped;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
