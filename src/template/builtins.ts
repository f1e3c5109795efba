import { fn, type TemplateFunction } from './functions.js';
import { formatValue, sprint, sprintf, sprintln } from './go-format.js';
import { TemplateError } from './template-error.js';
import { GoMap, type GoValue, isTrue, kindOf, typeName } from './values.js';

/** The functions every Go template has (text/template's builtins). */
export function goBuiltins(): Map<string, TemplateFunction> {
  return new Map<string, TemplateFunction>([
    ['and', { params: ['any'], variadic: true, call: () => undefined, lazy: andOr(false) }],
    ['or', { params: ['any'], variadic: true, call: () => undefined, lazy: andOr(true) }],
    ['not', fn(['value'], (value: GoValue) => !isTrue(value))],
    ['len', fn(['value'], length)],
    ['index', fn(['value', 'value'], index, true)],
    ['slice', fn(['value', 'value'], slice, true)],
    ['print', fn(['any'], (...args: GoValue[]) => sprint(args), true)],
    ['printf', fn(['string', 'any'], (format: string, ...args: GoValue[]) => sprintf(format, args), true)],
    ['println', fn(['any'], (...args: GoValue[]) => sprintln(args), true)],
    [
      'eq',
      fn(
        ['value'],
        (first: GoValue, ...rest: GoValue[]) => {
          if (rest.length === 0) throw new Error('missing argument for comparison');
          return rest.some((other) => compare(first, other, 'eq') === 0);
        },
        true,
      ),
    ],
    ['ne', fn(['value', 'value'], (a: GoValue, b: GoValue) => compare(a, b, 'ne') !== 0)],
    ['lt', fn(['value', 'value'], (a: GoValue, b: GoValue) => compare(a, b, 'lt') < 0)],
    ['le', fn(['value', 'value'], (a: GoValue, b: GoValue) => compare(a, b, 'le') <= 0)],
    ['gt', fn(['value', 'value'], (a: GoValue, b: GoValue) => compare(a, b, 'gt') > 0)],
    ['ge', fn(['value', 'value'], (a: GoValue, b: GoValue) => compare(a, b, 'ge') >= 0)],
    ['html', fn(['any'], (...args: GoValue[]) => htmlEscape(joinArgs(args)), true)],
    ['js', fn(['any'], (...args: GoValue[]) => jsEscape(joinArgs(args)), true)],
    ['urlquery', fn(['any'], (...args: GoValue[]) => queryEscape(joinArgs(args)), true)],
    ['call', fn(['value', 'any'], (target: GoValue, ...args: GoValue[]) => callFunction(target, args), true)],
  ]);
}

function andOr(isOr: boolean) {
  return (next: () => GoValue, count: number): GoValue => {
    if (count === 0)
      throw new TemplateError(`wrong number of args for ${isOr ? 'or' : 'and'}: want at least 1 got 0`);
    let value: GoValue;
    for (let index = 0; index < count; index++) {
      value = next();
      if (isTrue(value) === isOr) return value;
    }
    return value;
  };
}

/** Arguments of html/js/urlquery: one string as is, anything else through fmt.Sprint. */
function joinArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((arg) => (arg === undefined ? null : arg)));
}

function length(value: GoValue): bigint {
  switch (kindOf(value)) {
    case 'string':
      return BigInt(Buffer.byteLength(value as string, 'utf8'));
    case 'slice':
      return BigInt((value as unknown[]).length);
    case 'map':
      return BigInt(Object.keys(value as object).length);
    case 'invalid':
    case 'nil':
      throw new Error('len of nil pointer');
    default:
      throw new Error(`len of type ${typeName(value)}`);
  }
}

function toIndex(value: GoValue): number {
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined || value === null) throw new Error(`cannot index slice/array with nil`);
  throw new Error(`cannot index slice/array with type ${typeName(value)}`);
}

function index(item: GoValue, ...indexes: GoValue[]): GoValue {
  let value = item;
  for (const key of indexes) {
    const kind = kindOf(value);
    if (kind === 'slice' || kind === 'string') {
      const position = toIndex(key);
      const length = kind === 'string' ? Buffer.byteLength(value as string) : (value as unknown[]).length;
      if (position < 0 || position >= length) throw new Error(`index out of range: ${position}`);
      value =
        kind === 'string' ? BigInt(Buffer.from(value as string)[position]!) : (value as GoValue[])[position];
    } else if (kind === 'map') {
      if (typeof key !== 'string') {
        throw new Error(`value has type ${typeName(key)}; should be string`);
      }
      // A missing key gives the element type's zero value: nil for interface{}, an empty list for http.Header.
      value = Object.hasOwn(value as object, key)
        ? (value as Record<string, GoValue>)[key]
        : value instanceof GoMap
          ? value.zeroElement()
          : null;
    } else if (kind === 'invalid' || kind === 'nil') {
      throw new Error('index of untyped nil');
    } else {
      throw new Error(`can't index item of type ${typeName(value)}`);
    }
  }
  return value;
}

function slice(item: GoValue, ...indexes: GoValue[]): GoValue {
  const kind = kindOf(item);
  if (kind !== 'string' && kind !== 'slice') {
    if (kind === 'invalid' || kind === 'nil') throw new Error('slice of untyped nil');
    throw new Error(`can't slice item of type ${typeName(item)}`);
  }
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  if (kind === 'string' && indexes.length === 3) throw new Error('cannot 3-index slice a string');
  const bytes = kind === 'string' ? Buffer.from(item as string, 'utf8') : undefined;
  const length = bytes ? bytes.length : (item as unknown[]).length;
  const positions = indexes.map(toIndex);
  const start = positions[0] ?? 0;
  const end = positions[1] ?? length;
  if (start < 0 || start > length) throw new Error(`index out of range: ${start}`);
  if (end < start || end > (positions[2] ?? length))
    throw new Error(`invalid slice index: ${start} > ${end}`);
  if (positions[2] !== undefined && positions[2] > length)
    throw new Error(`index out of range: ${positions[2]}`);
  return bytes ? bytes.subarray(start, end).toString('utf8') : (item as GoValue[]).slice(start, end);
}

type Comparison = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** Go's comparison builtins: basic kinds only, and ints compare only with ints, floats with floats. */
function compare(a: GoValue, b: GoValue, op: Comparison): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  const ordered = op !== 'eq' && op !== 'ne';
  const basic = (kind: string) => ['bool', 'int', 'float', 'string'].includes(kind);
  const isNil = (kind: string) => kind === 'nil' || kind === 'invalid';
  if (!ordered && (isNil(ka) || isNil(kb))) return isNil(ka) && isNil(kb) ? 0 : 1;
  if (!basic(ka) || !basic(kb)) {
    if (ordered) throw new Error('invalid type for comparison');
    if (ka !== kb || ka === 'map' || ka === 'slice' || ka === 'func') throw new Error('non-comparable type');
    return a === b ? 0 : 1;
  }
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka === 'bool') {
    if (ordered) throw new Error('invalid type for comparison');
    return a === b ? 0 : 1;
  }
  if (ka === 'string') return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : a === b ? 0 : Number.NaN;
}

function callFunction(target: GoValue, args: GoValue[]): GoValue {
  if (typeof target !== 'function') throw new Error(`non-function of type ${typeName(target)}`);
  return target(...args);
}

/** template.HTMLEscapeString. */
export function htmlEscape(text: string): string {
  return text.replace(/[&'<>"\0]/g, (char) => HTML_ESCAPES[char]!);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  '\0': '\uFFFD',
};

/** template.JSEscapeString. */
export function jsEscape(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === "'") out += "\\'";
    else if (char === '"') out += '\\"';
    else if (char === '<') out += '\\u003C';
    else if (char === '>') out += '\\u003E';
    else if (char === '&') out += '\\u0026';
    else if (char === '=') out += '\\u003D';
    else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += char;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Oathkeeper's own functions: one-argument `print` (nil → "") and `printIndex`. */
export function oathkeeperFunctions(): Map<string, TemplateFunction> {
  return new Map([
    [
      'print',
      fn(['any'], (value: GoValue) => (value === null || value === undefined ? '' : formatValue(value))),
    ],
    [
      'printIndex',
      fn(['any', 'int'], (list: GoValue, position: bigint) => {
        if (!Array.isArray(list) || position >= BigInt(list.length)) return '';
        if (position < 0n) throw new Error('reflect: slice index out of range');
        return formatValue(list[Number(position)]);
      }),
    ],
  ]);
}
