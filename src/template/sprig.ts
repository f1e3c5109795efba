import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { cleanPath } from '../http/go-path.js';
import { fn, type TemplateFunction } from './functions.js';
import { formatValue, goQuote } from './go-format.js';
import { goJson } from './go-json.js';
import { formatDuration, formatGoTime, GoTime, parseGoDuration, parseGoTime, zoneAt } from './go-time.js';
import { GoStruct, type GoValue, isTrue, kindOf, typeName } from './values.js';

export interface SprigOptions {
  /** Environment for `env` and `expandenv`; passed in, never read from the process. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Leave out what makes output depend on the environment, the clock or chance (Kratos overrides). */
  hermetic?: boolean;
  now?: () => number;
}

/** spf13/cast's ToInt64, which sprig's math uses: floats truncate, bad strings give 0. */
export function toInt64(value: GoValue): bigint {
  switch (kindOf(value)) {
    case 'int':
      return value as bigint;
    case 'float':
      return Number.isFinite(value as number) ? BigInt(Math.trunc(value as number)) : 0n;
    case 'bool':
      return value ? 1n : 0n;
    case 'string': {
      const text = (value as string).trim();
      try {
        if (/^[+-]?(0[xXbBoO])?[0-9a-fA-F_]+$/.test(text)) {
          const negative = text.startsWith('-');
          const digits = text.replace(/^[+-]/, '');
          const parsed = /^0[0-7]+$/.test(digits)
            ? BigInt(`0o${digits.slice(1)}`)
            : BigInt(digits.replace(/_/g, ''));
          return negative ? -parsed : parsed;
        }
      } catch {}
      return 0n;
    }
    default:
      return 0n;
  }
}

export function toFloat64(value: GoValue): number {
  switch (kindOf(value)) {
    case 'int':
      return Number(value);
    case 'float':
      return value as number;
    case 'bool':
      return value ? 1 : 0;
    case 'string': {
      const parsed = Number((value as string).trim());
      return (value as string).trim() === '' || Number.isNaN(parsed) ? 0 : parsed;
    }
    default:
      return 0;
  }
}

/** sprig's strval: strings as they are, Stringers by String(), everything else through %v. */
export function strval(value: GoValue): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '<nil>';
  return formatValue(value);
}

/** sprig's strslice: a list of strings from a slice (nil items dropped) or a single value. */
function strslice(value: GoValue): string[] {
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== undefined).map(strval);
  if (value === null || value === undefined) return [];
  return [strval(value)];
}

/** sprig's empty: the zero value of its type; structs are never empty. */
export function isEmpty(value: GoValue): boolean {
  return kindOf(value) === 'struct' ? false : !isTrue(value);
}

function asList(value: GoValue, name: string): GoValue[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) return [];
  throw new Error(`Cannot ${name} on type ${typeName(value)}`);
}

function words(text: string): string[] {
  return text.split(/\s+/u).filter((word) => word !== '');
}

function title(text: string): string {
  // strings.Title: a letter starts a word when it follows anything that is not a letter, digit or _.
  return text.replace(
    /(^|[^\p{L}\p{N}_])(\p{L})/gu,
    (_match, before: string, letter: string) => before + letter.toUpperCase(),
  );
}

function toDate(value: GoValue, now: () => number): number {
  if (value instanceof GoTime) return value.ms;
  if (typeof value === 'bigint') return Number(value) * 1000;
  return now();
}

function goRegExp(pattern: string, flags = ''): RegExp {
  // RE2 and JS agree on the syntax configs use; named groups (?P<x>) are RE2's spelling.
  return new RegExp(pattern.replace(/\(\?P</g, '(?<'), `u${flags}`);
}

/** regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; `$1W` names the group "1W", as in Go. */
function expandReplacement(template: string, match: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{(\w+)\}|(\w+))/g,
    (_all, token: string, braced?: string, bare?: string) => {
      if (token === '$') return '$';
      const name = braced ?? bare ?? '';
      const value = /^\d+$/.test(name) ? match[Number(name)] : match.groups?.[name];
      return value ?? '';
    },
  );
}

/** The sprig (v3) functions Ory configs and email templates use, with Go's results. */
export function sprigFunctions(options: SprigOptions = {}): Map<string, TemplateFunction> {
  const now = options.now ?? Date.now;
  const table = new Map<string, TemplateFunction>([
    // Strings
    ['upper', fn(['string'], (s: string) => s.toUpperCase())],
    ['lower', fn(['string'], (s: string) => s.toLowerCase())],
    ['title', fn(['string'], title)],
    [
      'untitle',
      fn(['string'], (s: string) =>
        s.replace(/(^|\s)(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toLowerCase()),
      ),
    ],
    ['trim', fn(['string'], (s: string) => s.trim())],
    ['trimAll', fn(['string', 'string'], (cut: string, s: string) => trimChars(s, cut, true, true))],
    [
      'trimPrefix',
      fn(['string', 'string'], (prefix: string, s: string) =>
        s.startsWith(prefix) ? s.slice(prefix.length) : s,
      ),
    ],
    [
      'trimSuffix',
      fn(['string', 'string'], (suffix: string, s: string) =>
        suffix !== '' && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s,
      ),
    ],
    ['nospace', fn(['string'], (s: string) => s.replace(/\s/gu, ''))],
    [
      'cat',
      fn(
        ['any'],
        (...values: GoValue[]) =>
          values
            .filter((v) => v !== null && v !== undefined)
            .map((v) => formatValue(v))
            .join(' '),
        true,
      ),
    ],
    [
      'replace',
      fn(['string', 'string', 'string'], (old: string, replacement: string, s: string) =>
        s.split(old).join(replacement),
      ),
    ],
    [
      'repeat',
      fn(['int', 'string'], (count: bigint, s: string) => {
        if (count < 0n) throw new Error('strings: negative Repeat count');
        return s.repeat(Number(count));
      }),
    ],
    [
      'substr',
      fn(['int', 'int', 'string'], (start: bigint, end: bigint, s: string) => {
        const bytes = Buffer.from(s, 'utf8');
        const from = Number(start);
        const to = Number(end);
        // Go slices bytes and panics on bounds that do not fit; sprig only guards a few cases.
        const cut = (low: number, high: number) => {
          if (low > high || high > bytes.length || low < 0) {
            throw new Error(`runtime error: slice bounds out of range [${low}:${high}]`);
          }
          return bytes.subarray(low, high).toString('utf8');
        };
        if (from < 0) return cut(0, to);
        if (to < 0 || to > bytes.length) return cut(from, bytes.length);
        return cut(from, to);
      }),
    ],
    [
      'trunc',
      fn(['int', 'string'], (count: bigint, s: string) => {
        const c = Number(count);
        const bytes = Buffer.from(s, 'utf8');
        if (c < 0 && bytes.length + c > 0) return bytes.subarray(bytes.length + c).toString('utf8');
        if (c >= 0 && bytes.length > c) return bytes.subarray(0, c).toString('utf8');
        return s;
      }),
    ],
    [
      'abbrev',
      fn(['int', 'string'], (width: bigint, s: string) => {
        const w = Number(width);
        if (w < 4) return s;
        return s.length <= w ? s : `${s.slice(0, w - 3)}...`;
      }),
    ],
    ['contains', fn(['string', 'string'], (needle: string, s: string) => s.includes(needle))],
    ['hasPrefix', fn(['string', 'string'], (prefix: string, s: string) => s.startsWith(prefix))],
    ['hasSuffix', fn(['string', 'string'], (suffix: string, s: string) => s.endsWith(suffix))],
    [
      'quote',
      fn(
        ['any'],
        (...values: GoValue[]) =>
          values
            .filter((v) => v !== null && v !== undefined)
            .map((v) => goQuote(strval(v)))
            .join(' '),
        true,
      ),
    ],
    [
      'squote',
      fn(
        ['any'],
        (...values: GoValue[]) =>
          values
            .filter((v) => v !== null && v !== undefined)
            .map((v) => `'${strval(v)}'`)
            .join(' '),
        true,
      ),
    ],
    ['indent', fn(['int', 'string'], (spaces: bigint, s: string) => indent(Number(spaces), s))],
    ['nindent', fn(['int', 'string'], (spaces: bigint, s: string) => `\n${indent(Number(spaces), s)}`)],
    ['snakecase', fn(['string'], (s: string) => caseWords(s).join('_'))],
    ['kebabcase', fn(['string'], (s: string) => caseWords(s).join('-'))],
    [
      'camelcase',
      fn(['string'], (s: string) =>
        s
          .split('_')
          .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1) : ''))
          .join(''),
      ),
    ],
    [
      'initials',
      fn(['string'], (s: string) =>
        words(s)
          .map((word) => [...word][0])
          .join(''),
      ),
    ],
    ['wrap', fn(['int', 'string'], (width: bigint, s: string) => wrap(s, Number(width)))],
    [
      'plural',
      fn(['string', 'string', 'int'], (one: string, many: string, count: bigint) =>
        count === 1n ? one : many,
      ),
    ],
    [
      'split',
      fn(['string', 'string'], (separator: string, s: string) =>
        Object.fromEntries(s.split(separator).map((part, index) => [`_${index}`, part])),
      ),
    ],
    ['splitList', fn(['string', 'string'], (separator: string, s: string) => s.split(separator))],
    ['join', fn(['string', 'any'], (separator: string, list: GoValue) => strslice(list).join(separator))],
    [
      'sortAlpha',
      fn(['any'], (list: GoValue) => {
        if (!Array.isArray(list)) return [strval(list)];
        return strslice(list).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
    ],
    [
      'regexMatch',
      fn(['string', 'string'], (pattern: string, s: string) => {
        // sprig ignores a bad pattern here: no match.
        try {
          return goRegExp(pattern).test(s);
        } catch {
          return false;
        }
      }),
    ],
    [
      'regexFind',
      fn(['string', 'string'], (pattern: string, s: string) => goRegExp(pattern).exec(s)?.[0] ?? ''),
    ],
    [
      'regexFindAll',
      fn(['string', 'string', 'int'], (pattern: string, s: string, n: bigint) => {
        const all = [...s.matchAll(goRegExp(pattern, 'g'))].map((match) => match[0]);
        return n < 0n ? all : all.slice(0, Number(n));
      }),
    ],
    [
      'regexReplaceAll',
      fn(['string', 'string', 'string'], (pattern: string, s: string, replacement: string) =>
        s.replace(goRegExp(pattern, 'g'), (...match) => {
          const groups =
            typeof match[match.length - 1] === 'object'
              ? (match[match.length - 1] as Record<string, string>)
              : undefined;
          const captures = match.slice(0, groups ? -3 : -2) as string[];
          const exec = Object.assign([...captures], {
            groups,
            index: 0,
            input: s,
          }) as unknown as RegExpExecArray;
          return expandReplacement(replacement, exec);
        }),
      ),
    ],
    [
      'regexReplaceAllLiteral',
      fn(['string', 'string', 'string'], (pattern: string, s: string, replacement: string) =>
        s.replace(goRegExp(pattern, 'g'), () => replacement),
      ),
    ],
    [
      'regexSplit',
      fn(['string', 'string', 'int'], (pattern: string, s: string, n: bigint) => {
        const parts = s.split(goRegExp(pattern, 'g'));
        return n < 0n ? parts : parts.slice(0, Number(n));
      }),
    ],
    ['toString', fn(['any'], strval)],
    ['toStrings', fn(['any'], strslice)],

    // Defaults and logic
    [
      'default',
      fn(
        ['any', 'any'],
        (fallback: GoValue, ...given: GoValue[]) =>
          given.length === 0 || isEmpty(given[0]) ? fallback : given[0],
        true,
      ),
    ],
    ['empty', fn(['any'], isEmpty)],
    [
      'coalesce',
      fn(['any'], (...values: GoValue[]) => values.find((value) => !isEmpty(value)) ?? null, true),
    ],
    ['all', fn(['any'], (...values: GoValue[]) => values.every((value) => !isEmpty(value)), true)],
    ['any', fn(['any'], (...values: GoValue[]) => values.some((value) => !isEmpty(value)), true)],
    [
      'ternary',
      fn(['any', 'any', 'bool'], (whenTrue: GoValue, whenFalse: GoValue, condition: boolean) =>
        condition ? whenTrue : whenFalse,
      ),
    ],
    [
      'fail',
      fn(['string'], (message: string) => {
        throw new Error(message);
      }),
    ],
    [
      'toJson',
      fn(['any'], (value: GoValue) => {
        try {
          return goJson(value);
        } catch {
          return '';
        }
      }),
    ],
    ['mustToJson', fn(['any'], (value: GoValue) => goJson(value))],
    [
      'toPrettyJson',
      fn(['any'], (value: GoValue) => {
        try {
          return goJson(value, '  ');
        } catch {
          return '';
        }
      }),
    ],
    [
      'toRawJson',
      fn(['any'], (value: GoValue) => {
        try {
          return goJson(value)
            .replace(/\\u003c/g, '<')
            .replace(/\\u003e/g, '>')
            .replace(/\\u0026/g, '&');
        } catch {
          return '';
        }
      }),
    ],
    [
      'fromJson',
      fn(['string'], (text: string) => {
        try {
          return JSON.parse(text) as GoValue;
        } catch {
          return null;
        }
      }),
    ],

    // Lists
    ['list', fn(['any'], (...values: GoValue[]) => values, true)],
    ['tuple', fn(['any'], (...values: GoValue[]) => values, true)],
    ['first', fn(['any'], (list: GoValue) => asList(list, 'find first').at(0) ?? null)],
    ['last', fn(['any'], (list: GoValue) => asList(list, 'find last').at(-1) ?? null)],
    [
      'rest',
      fn(['any'], (list: GoValue) => {
        const items = asList(list, 'find rest');
        return items.length === 0 ? null : items.slice(1);
      }),
    ],
    [
      'initial',
      fn(['any'], (list: GoValue) => {
        const items = asList(list, 'find initial');
        return items.length === 0 ? null : items.slice(0, -1);
      }),
    ],
    ['append', fn(['any', 'any'], (list: GoValue, value: GoValue) => [...asList(list, 'push'), value])],
    ['push', fn(['any', 'any'], (list: GoValue, value: GoValue) => [...asList(list, 'push'), value])],
    ['prepend', fn(['any', 'any'], (list: GoValue, value: GoValue) => [value, ...asList(list, 'prepend')])],
    ['concat', fn(['any'], (...lists: GoValue[]) => lists.flatMap((list) => asList(list, 'concat')), true)],
    ['reverse', fn(['any'], (list: GoValue) => [...asList(list, 'find reverse')].reverse())],
    [
      'uniq',
      fn(['any'], (list: GoValue) => {
        const out: GoValue[] = [];
        for (const item of asList(list, 'find uniq'))
          if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
        return out;
      }),
    ],
    [
      'has',
      fn(['any', 'any'], (needle: GoValue, list: GoValue) =>
        list === null ? false : asList(list, 'find has').some((item) => deepEqual(item, needle)),
      ),
    ],
    [
      'without',
      fn(
        ['any', 'any'],
        (list: GoValue, ...omit: GoValue[]) =>
          asList(list, 'find without').filter((item) => !omit.some((o) => deepEqual(o, item))),
        true,
      ),
    ],
    ['compact', fn(['any'], (list: GoValue) => asList(list, 'compact').filter((item) => !isEmpty(item)))],

    // Dictionaries
    [
      'dict',
      fn(
        ['any'],
        (...pairs: GoValue[]) => {
          const dict: Record<string, GoValue> = {};
          for (let index = 0; index < pairs.length; index += 2) {
            dict[strval(pairs[index])] = index + 1 < pairs.length ? pairs[index + 1] : '';
          }
          return dict;
        },
        true,
      ),
    ],
    [
      'get',
      fn(['map', 'string'], (dict: Record<string, GoValue> | null, key: string) =>
        dict && Object.hasOwn(dict, key) ? dict[key] : '',
      ),
    ],
    [
      'set',
      fn(['map', 'string', 'any'], (dict: Record<string, GoValue>, key: string, value: GoValue) => {
        dict[key] = value;
        return dict;
      }),
    ],
    [
      'unset',
      fn(['map', 'string'], (dict: Record<string, GoValue>, key: string) => {
        delete dict[key];
        return dict;
      }),
    ],
    [
      'hasKey',
      fn(
        ['map', 'string'],
        (dict: Record<string, GoValue> | null, key: string) => dict !== null && Object.hasOwn(dict, key),
      ),
    ],
    [
      'keys',
      fn(
        ['map'],
        (...dicts: (Record<string, GoValue> | null)[]) => dicts.flatMap((dict) => Object.keys(dict ?? {})),
        true,
      ),
    ],
    ['values', fn(['map'], (dict: Record<string, GoValue> | null) => Object.values(dict ?? {}))],
    [
      'pluck',
      fn(
        ['string', 'map'],
        (key: string, ...dicts: (Record<string, GoValue> | null)[]) =>
          dicts.filter((dict) => dict && Object.hasOwn(dict, key)).map((dict) => dict![key]),
        true,
      ),
    ],
    [
      'merge',
      fn(
        ['map', 'map'],
        (target: Record<string, GoValue>, ...sources: Record<string, GoValue>[]) => {
          for (const source of sources) mergeInto(target, source ?? {});
          return target;
        },
        true,
      ),
    ],
    [
      'pick',
      fn(
        ['map', 'string'],
        (dict: Record<string, GoValue> | null, ...keys: string[]) =>
          Object.fromEntries(
            keys.filter((key) => dict && Object.hasOwn(dict, key)).map((key) => [key, dict![key]]),
          ),
        true,
      ),
    ],
    [
      'omit',
      fn(
        ['map', 'string'],
        (dict: Record<string, GoValue> | null, ...keys: string[]) =>
          Object.fromEntries(Object.entries(dict ?? {}).filter(([key]) => !keys.includes(key))),
        true,
      ),
    ],
    [
      'dig',
      fn(
        ['any'],
        (...args: GoValue[]) => {
          if (args.length < 3) throw new Error('dig needs at least three arguments');
          const dict = args[args.length - 1];
          const fallback = args[args.length - 2];
          let value: GoValue = dict;
          for (const key of args.slice(0, -2)) {
            if (kindOf(value) !== 'map' || !Object.hasOwn(value as object, strval(key))) return fallback;
            value = (value as Record<string, GoValue>)[strval(key)];
          }
          return value;
        },
        true,
      ),
    ],
    ['deepCopy', fn(['any'], (value: GoValue) => structuredClone(value))],

    // Encoding and hashing
    ['b64enc', fn(['string'], (s: string) => Buffer.from(s, 'utf8').toString('base64'))],
    [
      'b64dec',
      fn(['string'], (s: string) => {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
          return 'illegal base64 data at input byte 0';
        return Buffer.from(s, 'base64').toString('utf8');
      }),
    ],
    ['b32enc', fn(['string'], (s: string) => base32Encode(Buffer.from(s, 'utf8')))],
    ['b32dec', fn(['string'], (s: string) => base32Decode(s))],
    ['sha1sum', fn(['string'], (s: string) => createHash('sha1').update(s).digest('hex'))],
    ['sha256sum', fn(['string'], (s: string) => createHash('sha256').update(s).digest('hex'))],
    ['adler32sum', fn(['string'], (s: string) => String(adler32(Buffer.from(s, 'utf8'))))],

    // Math (sprig returns int64 for integer math, float64 for the rest)
    [
      'add',
      fn(['any'], (...values: GoValue[]) => values.reduce<bigint>((sum, v) => sum + toInt64(v), 0n), true),
    ],
    ['add1', fn(['any'], (value: GoValue) => toInt64(value) + 1n)],
    ['sub', fn(['any', 'any'], (a: GoValue, b: GoValue) => toInt64(a) - toInt64(b))],
    [
      'mul',
      fn(
        ['any', 'any'],
        (a: GoValue, ...rest: GoValue[]) =>
          rest.reduce<bigint>((product, v) => product * toInt64(v), toInt64(a)),
        true,
      ),
    ],
    [
      'div',
      fn(['any', 'any'], (a: GoValue, b: GoValue) => {
        const divisor = toInt64(b);
        if (divisor === 0n) throw new Error('runtime error: integer divide by zero');
        return toInt64(a) / divisor;
      }),
    ],
    [
      'mod',
      fn(['any', 'any'], (a: GoValue, b: GoValue) => {
        const divisor = toInt64(b);
        if (divisor === 0n) throw new Error('runtime error: integer divide by zero');
        return toInt64(a) % divisor;
      }),
    ],
    ['max', fn(['any', 'any'], (a: GoValue, ...rest: GoValue[]) => extreme([a, ...rest], 1n), true)],
    ['min', fn(['any', 'any'], (a: GoValue, ...rest: GoValue[]) => extreme([a, ...rest], -1n), true)],
    ['floor', fn(['any'], (value: GoValue) => Math.floor(toFloat64(value)))],
    ['ceil', fn(['any'], (value: GoValue) => Math.ceil(toFloat64(value)))],
    [
      'round',
      fn(
        ['any', 'int', 'float'],
        (value: GoValue, places: bigint, ...rest: number[]) => {
          const roundOn = rest[0] ?? 0.5;
          const pow = 10 ** Number(places);
          const digit = toFloat64(value) * pow;
          const [whole, frac] = [Math.trunc(digit), Math.abs(digit - Math.trunc(digit))];
          const rounded = frac >= roundOn ? (digit < 0 ? whole - 1 : whole + 1) : whole;
          return rounded / pow;
        },
        true,
      ),
    ],
    ['int', fn(['any'], (value: GoValue) => toInt64(value))],
    ['int64', fn(['any'], (value: GoValue) => toInt64(value))],
    ['float64', fn(['any'], (value: GoValue) => toFloat64(value))],
    ['atoi', fn(['string'], (s: string) => (/^[+-]?\d+$/.test(s) ? BigInt(s) : 0n))],
    [
      'seq',
      fn(
        ['int'],
        (...bounds: bigint[]) => {
          const [start, step, end] =
            bounds.length === 1
              ? [1n, 1n, bounds[0]!]
              : bounds.length === 2
                ? [bounds[0]!, bounds[0]! <= bounds[1]! ? 1n : -1n, bounds[1]!]
                : [bounds[0]!, bounds[1]!, bounds[2]!];
          const out: string[] = [];
          for (let at = start; step > 0n ? at <= end : at >= end; at += step) out.push(at.toString());
          return out.join(' ');
        },
        true,
      ),
    ],

    // Types
    ['typeOf', fn(['any'], (value: GoValue) => typeName(value))],
    ['typeIs', fn(['string', 'any'], (type: string, value: GoValue) => typeName(value) === type)],
    [
      'typeIsLike',
      fn(
        ['string', 'any'],
        (type: string, value: GoValue) => typeName(value) === type || `*${typeName(value)}` === type,
      ),
    ],
    ['kindOf', fn(['any'], (value: GoValue) => goKind(value))],
    ['kindIs', fn(['string', 'any'], (kind: string, value: GoValue) => goKind(value) === kind)],
    ['hello', fn([], () => 'Hello!')],
    // sprig's slice replaces Go's builtin: lists only, indexes converted like its math helpers.
    [
      'slice',
      fn(
        ['any', 'any'],
        (list: GoValue, ...indexes: GoValue[]) => {
          if (!Array.isArray(list)) {
            throw new Error(
              `list should be type of slice or array but ${list === null || list === undefined ? 'invalid' : goKind(list)}`,
            );
          }
          if (list.length === 0) return null;
          const start = indexes.length > 0 ? Number(toInt64(indexes[0])) : 0;
          const end = indexes.length > 1 ? Number(toInt64(indexes[1])) : list.length;
          if (start < 0 || end > list.length || start > end)
            throw new Error(`reflect: slice index out of range`);
          return list.slice(start, end);
        },
        true,
      ),
    ],

    // More strings and lists
    [
      'swapcase',
      fn(['string'], (s: string) =>
        [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
      ),
    ],
    ['regexQuoteMeta', fn(['string'], (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'))],
    [
      'abbrevboth',
      fn(['int', 'int', 'string'], (left: bigint, right: bigint, s: string) =>
        abbreviateFull(s, Number(left), Number(right)),
      ),
    ],
    [
      'wrapWith',
      fn(['int', 'string', 'string'], (width: bigint, separator: string, s: string) =>
        wrap(s, Number(width)).split('\n').join(separator),
      ),
    ],
    ['until', fn(['int'], (count: bigint) => range(0n, count, count >= 0n ? 1n : -1n))],
    [
      'untilStep',
      fn(['int', 'int', 'int'], (start: bigint, stop: bigint, step: bigint) => range(start, stop, step)),
    ],
    [
      'chunk',
      fn(['int', 'any'], (size: bigint, list: GoValue) => {
        const items = asList(list, 'chunk');
        const out: GoValue[][] = [];
        for (let at = 0; at < items.length; at += Number(size)) {
          const part = items.slice(at, at + Number(size));
          while (part.length < Number(size)) part.push(null);
          out.push(part);
        }
        return out;
      }),
    ],
    ['base', fn(['string'], (p: string) => posix.basename(p) || (p.startsWith('/') ? '/' : '.'))],
    ['dir', fn(['string'], (p: string) => posix.dirname(p))],
    ['ext', fn(['string'], (p: string) => posix.extname(p))],
    ['clean', fn(['string'], (p: string) => cleanPath(p))],
    ['isAbs', fn(['string'], (p: string) => p.startsWith('/'))],
    [
      'urlParse',
      fn(['string'], (text: string) => {
        const url = new URL(text);
        return {
          scheme: url.protocol.replace(/:$/, ''),
          host: url.host,
          hostname: url.hostname,
          path: url.pathname,
          query: url.search.replace(/^\?/, ''),
          opaque: '',
          fragment: url.hash.replace(/^#/, ''),
          userinfo: url.username ? `${url.username}${url.password ? `:${url.password}` : ''}` : '',
        };
      }),
    ],

    // Float math (sprig uses exact decimal arithmetic, so 1.1 + 2.2 is 3.3)
    ['addf', fn(['any'], (...values: GoValue[]) => decimalFold(values, (a, b) => a.plus(b)), true)],
    ['add1f', fn(['any'], (value: GoValue) => decimalFold([value, 1n], (a, b) => a.plus(b)))],
    [
      'subf',
      fn(
        ['any', 'any'],
        (a: GoValue, ...rest: GoValue[]) => decimalFold([a, ...rest], (x, y) => x.minus(y)),
        true,
      ),
    ],
    [
      'mulf',
      fn(
        ['any', 'any'],
        (a: GoValue, ...rest: GoValue[]) => decimalFold([a, ...rest], (x, y) => x.times(y)),
        true,
      ),
    ],
    [
      'divf',
      fn(
        ['any', 'any'],
        (a: GoValue, ...rest: GoValue[]) => decimalFold([a, ...rest], (x, y) => x.dividedBy(y)),
        true,
      ),
    ],
    [
      'maxf',
      fn(['any', 'any'], (a: GoValue, ...rest: GoValue[]) => Math.max(...[a, ...rest].map(toFloat64)), true),
    ],
    [
      'minf',
      fn(['any', 'any'], (a: GoValue, ...rest: GoValue[]) => Math.min(...[a, ...rest].map(toFloat64)), true),
    ],
    [
      'randInt',
      fn(
        ['int', 'int'],
        (min: bigint, max: bigint) => min + BigInt(Math.floor(Math.random() * Number(max - min))),
      ),
    ],

    // Dates that do not depend on the clock
    [
      'toDate',
      fn(['string', 'string'], (layout: string, text: string) => {
        try {
          return new GoTime(parseGoTime(layout, text));
        } catch {
          return new GoTime(Date.UTC(1, 0, 1));
        }
      }),
    ],
    [
      'mustToDate',
      fn(['string', 'string'], (layout: string, text: string) => new GoTime(parseGoTime(layout, text))),
    ],
    ['unixEpoch', fn(['any'], (date: GoValue) => (date instanceof GoTime ? date.Unix().toString() : ''))],
    [
      'duration',
      fn(['any'], (seconds: GoValue) => {
        // sprig reads only int64 and numeric strings; here every integer counts as int64 (see the tests).
        const count =
          typeof seconds === 'bigint'
            ? seconds
            : typeof seconds === 'string' && /^[+-]?\d+$/.test(seconds)
              ? BigInt(seconds)
              : 0n;
        return formatDuration(count * 1_000_000_000n);
      }),
    ],
    ['durationRound', fn(['any'], (value: GoValue) => durationRound(value))],
  ]);

  if (!options.hermetic) {
    const date = (layout: string, value: GoValue, zone = 'UTC') => {
      const ms = toDate(value, now);
      return formatGoTime(ms, layout, zoneAt(ms, zone) ?? zoneAt(ms, 'UTC'));
    };
    table.set(
      'date',
      fn(['string', 'any'], (layout: string, value: GoValue) => date(layout, value)),
    );
    table.set('dateInZone', fn(['string', 'any', 'string'], date));
    table.set('date_in_zone', fn(['string', 'any', 'string'], date));
    table.set(
      'htmlDate',
      fn(['any'], (value: GoValue) => date('2006-01-02', value)),
    );
    table.set(
      'htmlDateInZone',
      fn(['any', 'string'], (value: GoValue, zone: string) => date('2006-01-02', value, zone)),
    );
    const modify = (change: string, value: GoValue) => {
      try {
        return new GoTime(toDate(value, now) + Number(parseGoDuration(change) / 1_000_000n));
      } catch {
        return value;
      }
    };
    table.set('dateModify', fn(['string', 'any'], modify));
    table.set('date_modify', fn(['string', 'any'], modify));
    const env = options.env ?? {};
    table.set(
      'env',
      fn(['string'], (name: string) => env[name] ?? ''),
    );
    table.set(
      'expandenv',
      fn(['string'], (s: string) =>
        s.replace(/\$(\w+)|\$\{(\w+)\}/g, (_m, a: string, b: string) => env[a ?? b] ?? ''),
      ),
    );
    table.set(
      'now',
      fn([], () => new GoTime(now())),
    );
    table.set(
      'uuidv4',
      fn([], () => randomUUID()),
    );
    const random = (alphabet: string) =>
      fn(['int'], (count: bigint) => {
        const bytes = randomBytes(Number(count));
        return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
      });
    table.set('randAlpha', random('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'));
    table.set('randAlphaNum', random('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'));
    table.set('randNumeric', random('0123456789'));
    table.set(
      'randAscii',
      random(
        '!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~',
      ),
    );
  }
  return table;
}

/** The largest (`sign` 1) or smallest (`sign` -1) of the values as int64 (Math.max has no bigint form). */
function extreme(values: GoValue[], sign: bigint): bigint {
  let best = toInt64(values[0]);
  for (const value of values.slice(1)) {
    const candidate = toInt64(value);
    if ((candidate - best) * sign > 0n) best = candidate;
  }
  return best;
}

/** reflect.Kind names, as sprig's kindOf reports them. */
function goKind(value: GoValue): string {
  switch (kindOf(value)) {
    case 'invalid':
    case 'nil':
      return 'invalid';
    case 'float':
      return 'float64';
    case 'struct':
      return 'ptr';
    default:
      return kindOf(value);
  }
}

function range(start: bigint, stop: bigint, step: bigint): bigint[] {
  const out: bigint[] = [];
  if (step === 0n) return out;
  for (let at = start; step > 0n ? at < stop : at > stop; at += step) out.push(at);
  return out;
}

/** goutils.AbbreviateFull. */
function abbreviateFull(s: string, offset: number, width: number): string {
  if (s === '' || width < 4 || s.length <= width) return s;
  let at = Math.min(offset, s.length);
  if (s.length - at < width - 3) at = s.length - (width - 3);
  if (at <= 4) return `${s.slice(0, width - 3)}...`;
  if (width < 7) return s;
  if (at + width - 3 < s.length) return `...${abbreviateFull(s.slice(at), 0, width - 3)}`;
  return `...${s.slice(s.length - (width - 3))}`;
}

/** An exact decimal, enough for sprig's float helpers (shopspring/decimal, 16 digits for division). */
class Decimal {
  constructor(
    readonly digits: bigint,
    readonly scale: number,
  ) {}

  static from(value: GoValue): Decimal {
    const number = toFloat64(value);
    const [mantissa = '0', exponent = '0'] = String(number).toLowerCase().split('e');
    const [whole = '0', fraction = ''] = mantissa.split('.');
    let digits = BigInt(`${whole}${fraction}`.replace('-', '') || '0') * (number < 0 ? -1n : 1n);
    let scale = fraction.length - Number(exponent);
    if (scale < 0) {
      digits *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(digits, scale);
  }

  private align(other: Decimal): [bigint, bigint, number] {
    const scale = Math.max(this.scale, other.scale);
    return [
      this.digits * 10n ** BigInt(scale - this.scale),
      other.digits * 10n ** BigInt(scale - other.scale),
      scale,
    ];
  }

  plus(other: Decimal): Decimal {
    const [a, b, scale] = this.align(other);
    return new Decimal(a + b, scale);
  }

  minus(other: Decimal): Decimal {
    const [a, b, scale] = this.align(other);
    return new Decimal(a - b, scale);
  }

  times(other: Decimal): Decimal {
    return new Decimal(this.digits * other.digits, this.scale + other.scale);
  }

  dividedBy(other: Decimal): Decimal {
    if (other.digits === 0n) throw new Error('decimal division by 0');
    const precision = 16;
    const [a, b] = this.align(other);
    return new Decimal((a * 10n ** BigInt(precision)) / b, precision);
  }

  toNumber(): number {
    const negative = this.digits < 0n;
    const text = (negative ? -this.digits : this.digits).toString().padStart(this.scale + 1, '0');
    const whole = text.slice(0, text.length - this.scale);
    const fraction = text.slice(text.length - this.scale);
    return Number(`${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`);
  }
}

function decimalFold(values: GoValue[], step: (a: Decimal, b: Decimal) => Decimal): number {
  if (values.length === 0) return 0;
  return values
    .slice(1)
    .reduce<Decimal>((sum, value) => step(sum, Decimal.from(value)), Decimal.from(values[0]))
    .toNumber();
}

/** sprig's durationRound: the largest whole unit (y, mo, d, h, m, s) of a duration. */
function durationRound(value: GoValue): string {
  let nanos = 0n;
  if (typeof value === 'string') {
    try {
      nanos = parseGoDuration(value);
    } catch {}
  } else if (typeof value === 'bigint') nanos = value;
  const u = nanos < 0n ? -nanos : nanos;
  const hour = 3_600_000_000_000n;
  for (const [size, unit] of [
    [hour * 24n * 365n, 'y'],
    [hour * 24n * 30n, 'mo'],
    [hour * 24n, 'd'],
    [hour, 'h'],
    [60_000_000_000n, 'm'],
    [1_000_000_000n, 's'],
  ] as const) {
    if (u > size) return `${u / size}${unit}`;
  }
  return '0s';
}

function trimChars(s: string, cut: string, left: boolean, right: boolean): string {
  const chars = new Set([...cut]);
  const list = [...s];
  let start = 0;
  let end = list.length;
  if (left) while (start < end && chars.has(list[start]!)) start++;
  if (right) while (end > start && chars.has(list[end - 1]!)) end--;
  return list.slice(start, end).join('');
}

function indent(spaces: number, s: string): string {
  const pad = ' '.repeat(Math.max(0, spaces));
  return pad + s.split('\n').join(`\n${pad}`);
}

function caseWords(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

function wrap(s: string, width: number): string {
  const lines: string[] = [];
  for (const paragraph of s.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ').filter((w) => w !== '')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

function deepEqual(a: GoValue, b: GoValue): boolean {
  if (kindOf(a) !== kindOf(b)) return false;
  if (Array.isArray(a))
    return (
      (a as GoValue[]).length === (b as GoValue[]).length &&
      a.every((item, i) => deepEqual(item, (b as GoValue[])[i]))
    );
  if (kindOf(a) === 'map') {
    const keys = Object.keys(a as object);
    return (
      keys.length === Object.keys(b as object).length &&
      keys.every((key) => deepEqual((a as Record<string, GoValue>)[key], (b as Record<string, GoValue>)[key]))
    );
  }
  return a === b;
}

/** mergo.Merge without overwrite: keys the target has stay; maps merge recursively. */
function mergeInto(target: Record<string, GoValue>, source: Record<string, GoValue>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (kindOf(current) === 'map' && kindOf(value) === 'map')
      mergeInto(current as Record<string, GoValue>, value as Record<string, GoValue>);
    else if (!Object.hasOwn(target, key) || isEmpty(current)) target[key] = value;
  }
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function base32Decode(s: string): string {
  const clean = s.replace(/=+$/, '');
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) return `illegal base32 data at input byte ${s.indexOf(char)}`;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export { GoStruct };
