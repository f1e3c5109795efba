import { GoComplex, GoMap, GoStruct, type GoValue, kindOf, sortedEntries, typeName } from './values.js';

/** Shortest digits and decimal exponent of a float: 1234567 → ['1234567', 6]. */
function shortestDigits(value: number): { digits: string; exponent: number } {
  const [mantissa, exponent] = Math.abs(value).toExponential().split('e') as [string, string];
  return { digits: mantissa.replace('.', ''), exponent: Number(exponent) };
}

function expSuffix(exponent: number): string {
  const sign = exponent < 0 ? '-' : '+';
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `e${sign}${digits}`;
}

/** strconv.FormatFloat(v, 'g', -1, 64): what `%v` prints for a float64. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const { digits, exponent } = shortestDigits(value);
  const sign = value < 0 ? '-' : '';
  // Shortest formatting switches to exponent form below 1e-4 and from 1e6 (not 1e21, as JS does).
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}${expSuffix(exponent)}`;
  }
  return `${sign}${decimalFromDigits(digits, exponent)}`;
}

function decimalFromDigits(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return digits + '0'.repeat(exponent + 1 - digits.length);
  return `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/** `%e` with a precision (default 6). */
export function formatExponent(value: number, precision = 6, upper = false): string {
  if (!Number.isFinite(value)) return formatFloat(value);
  const [mantissa, exponent] = value.toExponential(precision).split('e') as [string, string];
  const text = `${mantissa}${expSuffix(Number(exponent))}`;
  return upper ? text.toUpperCase() : text;
}

/** `%f` with a precision (default 6). */
export function formatFixed(value: number, precision = 6): string {
  if (!Number.isFinite(value)) return formatFloat(value);
  if (Math.abs(value) >= 1e21) {
    // toFixed switches to exponent form from 1e21; build the digits instead.
    const whole = BigInt(Math.trunc(value)).toString();
    return precision > 0 ? `${whole}.${'0'.repeat(precision)}` : whole;
  }
  const text = value.toFixed(precision);
  return Object.is(value, -0) || (value < 0 && Number(text) === 0 && !text.startsWith('-'))
    ? `-${text}`
    : text;
}

/** `%g` with an explicit precision. */
function formatGeneral(value: number, precision: number, upper = false): string {
  if (!Number.isFinite(value)) return formatFloat(value);
  if (value === 0) return '0';
  const p = precision === 0 ? 1 : precision;
  const exponent = Math.floor(Math.log10(Math.abs(Number(value.toPrecision(p)))));
  let text: string;
  if (exponent < -4 || exponent >= p) {
    const [mantissa, exp] = value.toExponential(p - 1).split('e') as [string, string];
    text = `${mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa}${expSuffix(Number(exp))}`;
  } else {
    text = value.toFixed(Math.max(0, p - 1 - exponent));
    if (text.includes('.')) text = text.replace(/\.?0+$/, '');
  }
  return upper ? text.toUpperCase() : text;
}

/** strconv.Quote (ASCII-only for `%+q`). */
export function goQuote(text: string, asciiOnly = false, quote = '"'): string {
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\x07') out += '\\a';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0xfffd && char !== '\ufffd') out += '\\ufffd';
    else if (code > 0x7e && (asciiOnly || !isPrintable(char))) {
      out +=
        code > 0xffff
          ? `\\U${code.toString(16).padStart(8, '0')}`
          : `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return out + quote;
}

function isPrintable(char: string): boolean {
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/u.test(char);
}

/** `%v` (and `%+v` with `plus`) of any value, as Go's fmt prints it inside composite values too. */
export function formatValue(value: GoValue, plus = false, depth = 0): string {
  if (depth > 100) return '...';
  if (value instanceof GoStruct || value instanceof GoMap) {
    const stringer = (value as unknown as { String?: () => string }).String;
    if (typeof stringer === 'function') return stringer.call(value);
  }
  switch (kindOf(value)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'string':
      return value as string;
    case 'bool':
      return String(value);
    case 'int':
      return (value as bigint).toString();
    case 'float':
      if (value instanceof GoComplex) {
        const imag = formatFloat(value.imag);
        return `(${formatFloat(value.real)}${imag.startsWith('-') ? '' : '+'}${imag}i)`;
      }
      return formatFloat(value as number);
    case 'slice':
      return `[${(value as GoValue[]).map((item) => formatValue(item, plus, depth + 1)).join(' ')}]`;
    case 'map':
      return `map[${sortedEntries(value as object)
        .map(([key, item]) => `${key}:${formatValue(item, plus, depth + 1)}`)
        .join(' ')}]`;
    case 'struct':
      return `${(value as GoStruct).goPointer() ? '&' : ''}{${(value as GoStruct)
        .goFields()
        .map(([key, item]) =>
          plus ? `${key}:${formatValue(item, plus, depth + 1)}` : formatValue(item, plus, depth + 1),
        )
        .join(' ')}}`;
    case 'func':
      return '0x0';
  }
}

/** fmt.Sprint: operands printed with %v, a space between two operands when neither is a string. */
export function sprint(args: GoValue[]): string {
  let out = '';
  args.forEach((arg, index) => {
    if (index > 0 && typeof arg !== 'string' && typeof args[index - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintln: spaces between all operands, a newline at the end. */
export function sprintln(args: GoValue[]): string {
  return `${args.map((arg) => formatValue(arg)).join(' ')}\n`;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

/** fmt.Sprintf with the verbs templates use; wrong verbs and argument counts print Go's `%!` notes. */
export function sprintf(format: string, args: GoValue[]): string {
  let out = '';
  let argIndex = 0;
  for (let at = 0; at < format.length; at++) {
    const char = format[at]!;
    if (char !== '%') {
      out += char;
      continue;
    }
    at++;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; at < format.length; at++) {
      const flag = format[at];
      if (flag === '-') spec.minus = true;
      else if (flag === '+') spec.plus = true;
      else if (flag === '#') spec.sharp = true;
      else if (flag === ' ') spec.space = true;
      else if (flag === '0') spec.zero = true;
      else break;
    }
    const readNumber = (): number | undefined => {
      if (format[at] === '*') {
        at++;
        const arg = args[argIndex++];
        return typeof arg === 'bigint' ? Number(arg) : undefined;
      }
      const match = /^\d+/.exec(format.slice(at));
      if (!match) return undefined;
      at += match[0].length;
      return Number(match[0]);
    };
    spec.width = readNumber();
    if (format[at] === '.') {
      at++;
      spec.precision = readNumber() ?? 0;
    }
    const verb = format[at];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argIndex++], verb, spec);
  }
  if (argIndex < args.length) {
    out += `%!(EXTRA ${args
      .slice(argIndex)
      .map((arg) => `${typeName(arg)}=${formatValue(arg)}`)
      .join(', ')})`;
  }
  return out;
}

function pad(text: string, spec: Spec, numeric = false): string {
  if (spec.width === undefined || [...text].length >= spec.width) return text;
  const fill = spec.width - [...text].length;
  if (spec.minus) return text + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const sign = /^[+-]/.test(text) ? text[0]! : '';
    return sign + '0'.repeat(fill) + text.slice(sign.length);
  }
  return ' '.repeat(fill) + text;
}

/** Go's note for a verb that does not fit the value: the value printed with %v and the same width/precision. */
function bad(verb: string, value: GoValue, spec?: Spec): string {
  let text = formatValue(value);
  if (spec && typeof value === 'bigint' && spec.precision !== undefined) {
    const digits = (value < 0n ? -value : value).toString().padStart(spec.precision, '0');
    text = value < 0n ? `-${digits}` : digits;
  }
  return `%!${verb}(${typeName(value)}=${spec ? pad(text, { ...spec, zero: false, minus: spec.minus }) : text})`;
}

/** Maps and slices are printed element by element with the same verb. */
function composite(value: GoValue, verb: string, spec: Spec): string | undefined {
  const kind = kindOf(value);
  const element = (item: GoValue) => formatArg(item, verb, { ...spec, width: undefined });
  if (kind === 'slice') return `[${(value as GoValue[]).map(element).join(' ')}]`;
  if (
    kind === 'map' &&
    !(value instanceof GoMap && typeof (value as { String?: unknown }).String === 'function')
  ) {
    return `map[${sortedEntries(value as object)
      .map(([key, item]) => `${formatArg(key, verb, { ...spec, width: undefined })}:${element(item)}`)
      .join(' ')}]`;
  }
  return undefined;
}

function signed(text: string, spec: Spec): string {
  if (text.startsWith('-')) return text;
  if (spec.plus) return `+${text}`;
  if (spec.space) return ` ${text}`;
  return text;
}

function formatArg(value: GoValue, verb: string, spec: Spec): string {
  const kind = kindOf(value);
  if (verb !== 'v' && verb !== 'T' && verb !== 'p') {
    const text = composite(value, verb, spec);
    if (text !== undefined) return pad(text, spec);
  }
  switch (verb) {
    case 'v':
      if (kind === 'float' && spec.precision !== undefined)
        return pad(formatGeneral(value as number, spec.precision), spec, true);
      if (spec.sharp) return pad(goSyntax(value), spec);
      return pad(
        kind === 'int' || kind === 'float' ? signed(formatValue(value), spec) : formatValue(value, spec.plus),
        spec,
        kind === 'int' || kind === 'float',
      );
    case 's':
      if (kind === 'string')
        return pad(
          spec.precision === undefined
            ? (value as string)
            : [...(value as string)].slice(0, spec.precision).join(''),
          spec,
        );
      if (kind === 'slice' || kind === 'map' || kind === 'struct') return pad(formatValue(value), spec);
      return bad(verb, value, spec);
    case 'q':
      if (kind === 'string')
        return pad(
          spec.sharp && !(value as string).includes('`')
            ? `\`${value}\``
            : goQuote(value as string, spec.plus),
          spec,
        );
      if (kind === 'int') return pad(goQuote(String.fromCodePoint(Number(value)), spec.plus, "'"), spec);
      if (kind === 'slice')
        return pad(
          `[${(value as GoValue[]).map((item) => (typeof item === 'string' ? goQuote(item, spec.plus) : formatValue(item))).join(' ')}]`,
          spec,
        );
      return bad(verb, value, spec);
    case 'd':
      if (kind === 'int') return pad(signed((value as bigint).toString(), spec), spec, true);
      if (kind === 'slice')
        return pad(
          `[${(value as GoValue[]).map((item) => (typeof item === 'bigint' ? item.toString() : bad(verb, item))).join(' ')}]`,
          spec,
        );
      return bad(verb, value, spec);
    case 'f':
    case 'F':
      if (kind === 'float')
        return pad(signed(formatFixed(value as number, spec.precision ?? 6), spec), spec, true);
      return bad(verb, value, spec);
    case 'e':
    case 'E':
      if (kind === 'float')
        return pad(
          signed(formatExponent(value as number, spec.precision ?? 6, verb === 'E'), spec),
          spec,
          true,
        );
      return bad(verb, value, spec);
    case 'g':
    case 'G':
      if (kind === 'float') {
        const text =
          spec.precision === undefined
            ? formatFloat(value as number)
            : formatGeneral(value as number, spec.precision, verb === 'G');
        return pad(signed(text, spec), spec, true);
      }
      return bad(verb, value, spec);
    case 't':
      return kind === 'bool' ? pad(String(value), spec) : bad(verb, value);
    case 'x':
    case 'X': {
      let text: string;
      if (kind === 'int') text = (value as bigint).toString(16);
      else if (kind === 'string') text = Buffer.from(value as string, 'utf8').toString('hex');
      else if (kind === 'float') return bad(verb, value, spec);
      else return bad(verb, value, spec);
      if (spec.sharp) text = `0x${text}`;
      return pad(verb === 'X' ? text.toUpperCase() : text, spec, kind === 'int');
    }
    case 'o':
      return kind === 'int' ? pad((value as bigint).toString(8), spec, true) : bad(verb, value);
    case 'b':
      return kind === 'int' ? pad((value as bigint).toString(2), spec, true) : bad(verb, value);
    case 'c':
      return kind === 'int' ? pad(String.fromCodePoint(Number(value)), spec) : bad(verb, value);
    case 'U':
      return kind === 'int'
        ? pad(`U+${(value as bigint).toString(16).toUpperCase().padStart(4, '0')}`, spec)
        : bad(verb, value);
    case 'T':
      return pad(typeName(value), spec);
    default:
      return bad(verb, value, spec);
  }
}

/** `%#v`, enough for the values templates see. */
function goSyntax(value: GoValue): string {
  switch (kindOf(value)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'string':
      return goQuote(value as string);
    case 'slice':
      return `[]interface {}{${(value as GoValue[]).map(goSyntax).join(', ')}}`;
    case 'map':
      return `map[string]interface {}{${sortedEntries(value as object)
        .map(([key, item]) => `${goQuote(key)}:${goSyntax(item)}`)
        .join(', ')}}`;
    default:
      return formatValue(value);
  }
}
