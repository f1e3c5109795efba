import { TemplateError } from './template-error.js';
import { compareKeys, GoNilMap, type GoStruct, type GoValue, kindOf } from './values.js';

/**
 * encoding/json's Marshal (and MarshalIndent with `indent`): map keys sorted, `<`, `>` and `&`
 * escaped as \u003c etc., floats without an exponent between 1e-6 and 1e21, -0 kept.
 */
export function goJson(value: GoValue, indent = ''): string {
  return encode(value, indent, '', 0);
}

function encode(value: GoValue, indent: string, prefix: string, depth: number): string {
  if (depth > 1000) throw new TemplateError('json: unsupported value: encountered a cycle');
  switch (kindOf(value)) {
    case 'invalid':
    case 'nil':
      return 'null';
    case 'string':
      return jsonString(value as string);
    case 'bool':
      return String(value);
    case 'int':
      return (value as bigint).toString();
    case 'float': {
      const number = value as number;
      if (!Number.isFinite(number))
        throw new TemplateError(`json: unsupported value: ${formatSpecial(number)}`);
      return Object.is(number, -0) ? '-0' : String(number);
    }
    case 'slice':
      return list(
        (value as GoValue[]).map((item) => encode(item, indent, prefix + indent, depth + 1)),
        '[',
        ']',
        indent,
        prefix,
      );
    case 'map': {
      if (value instanceof GoNilMap) return 'null';
      const entries = Object.keys(value as object)
        .sort(compareKeys)
        .map(
          (key) =>
            `${jsonString(key)}:${indent ? ' ' : ''}${encode((value as Record<string, GoValue>)[key], indent, prefix + indent, depth + 1)}`,
        );
      return list(entries, '{', '}', indent, prefix);
    }
    case 'struct': {
      const json = (value as GoStruct & { toGoJson?: () => GoValue }).toGoJson;
      if (typeof json === 'function') return encode(json.call(value), indent, prefix, depth + 1);
      const entries = (value as GoStruct)
        .goFields()
        .map(
          ([key, item]) =>
            `${jsonString(key)}:${indent ? ' ' : ''}${encode(item, indent, prefix + indent, depth + 1)}`,
        );
      return list(entries, '{', '}', indent, prefix);
    }
    case 'func':
      throw new TemplateError('json: unsupported type: func');
  }
}

function list(items: string[], open: string, close: string, indent: string, prefix: string): string {
  if (items.length === 0) return open + close;
  if (!indent) return open + items.join(',') + close;
  const inner = prefix + indent;
  return `${open}\n${items.map((item) => inner + item).join(',\n')}\n${prefix}${close}`;
}

function formatSpecial(number: number): string {
  return Number.isNaN(number) ? 'NaN' : number > 0 ? '+Inf' : '-Inf';
}

// Characters Go escapes differently from JSON.stringify: HTML-significant ones and the JS line
// separators (always \uXXXX in Go), and \b \f (\u0008 and \u000c in Go).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped.
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029]/;
const GO_DIFFERENCES = /\\(.)|[<>&\u2028\u2029]/g;

export function jsonString(text: string): string {
  // Most strings need no escaping at all: skip the work.
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(GO_DIFFERENCES, (match: string, escaped?: string) => {
    if (escaped === undefined) return `\\u${match.charCodeAt(0).toString(16).padStart(4, '0')}`;
    if (escaped === 'b') return '\\u0008';
    if (escaped === 'f') return '\\u000c';
    return match;
  });
}

/** encoding/json's Unmarshal into interface{}: JSON numbers become float64, as in Go. */
export function goJsonParse(text: string): GoValue {
  return JSON.parse(text) as GoValue;
}
