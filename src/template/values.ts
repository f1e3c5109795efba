/**
 * How Go values are represented while a template runs.
 *
 * | Go                          | here                                   |
 * |-----------------------------|----------------------------------------|
 * | invalid (missing map key)   | `undefined`                            |
 * | nil                         | `null`                                 |
 * | string, bool                | string, boolean                        |
 * | int, int64 (constants, len) | bigint                                 |
 * | float64 (every JSON number) | number                                 |
 * | []T                         | array                                  |
 * | map[string]T                | plain object, or a GoMap (http.Header) |
 * | struct / pointer to struct  | an instance of GoStruct                |
 * | func                        | function                               |
 *
 * Data decoded from JSON (`JSON.parse`) therefore has Go's shape as Oathkeeper and Kratos see it
 * after `json.Unmarshal` into `interface{}`: numbers are float64, objects are maps.
 */
export type GoValue = unknown;

/** Base of struct-like values: exported fields are own properties, methods live on the prototype. */
export abstract class GoStruct {
  /** Go's type name, for `%T` and messages (`*url.URL`). */
  abstract goType(): string;
  /** A pointer to a struct prints as `&{...}`, a struct value as `{...}`. */
  goPointer(): boolean {
    return true;
  }
  /** The struct's fields in declaration order: its own properties unless a subclass computes some. */
  goFields(): [string, unknown][] {
    return Object.entries(this);
  }
  hasGoField(name: string): boolean {
    return Object.hasOwn(this, name);
  }
}

/** Base of map types with methods (http.Header, url.Values): entries are own properties. */
export abstract class GoMap {
  abstract goType(): string;
  /** The element type's zero value, for a missing key: nil for interface{}, an empty list for []string. */
  zeroElement(): unknown {
    return null;
  }
}

/** A nil map of a typed field (Oathkeeper's nil Extra): reads like an empty map, but is JSON `null`. */
export class GoNilMap extends GoMap {
  goType(): string {
    return 'map[string]interface {}';
  }
}

/** A typed nil pointer (a nil *url.URL): prints `<nil>`, and a field of it is an error. */
export class GoNilPointer {
  constructor(readonly type: string) {}
}

/** A complex constant such as `1i`, which Go templates accept and print as `(0+1i)`. */
export class GoComplex {
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {}
}

export type Kind =
  | 'invalid'
  | 'nil'
  | 'string'
  | 'bool'
  | 'int'
  | 'float'
  | 'slice'
  | 'map'
  | 'struct'
  | 'func';

export function kindOf(value: GoValue): Kind {
  switch (typeof value) {
    case 'undefined':
      return 'invalid';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'function':
      return 'func';
  }
  if (value === null || value instanceof GoNilPointer) return 'nil';
  if (value instanceof GoComplex) return 'float';
  if (Array.isArray(value)) return 'slice';
  if (value instanceof GoStruct) return 'struct';
  return 'map';
}

/** Entries of a map value in Go's print order: keys sorted. */
export function sortedEntries(map: object): [string, GoValue][] {
  return Object.keys(map)
    .sort(compareKeys)
    .map((key) => [key, (map as Record<string, GoValue>)[key]]);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Go compares strings byte-wise (UTF-8). JS compares UTF-16 code units, which gives the same
 * order except around surrogate pairs, so only those take the slow path.
 */
export function compareKeys(a: string, b: string): number {
  if (SURROGATE.test(a) || SURROGATE.test(b))
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's notion of truth in `if`, `with`, `and`, `or`, `not`: the zero value of any type is false. */
export function isTrue(value: GoValue): boolean {
  switch (kindOf(value)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'string':
      return value !== '';
    case 'bool':
      return value as boolean;
    case 'int':
      return value !== 0n;
    case 'float':
      return value instanceof GoComplex ? value.real !== 0 || value.imag !== 0 : value !== 0;
    case 'slice':
      return (value as unknown[]).length > 0;
    case 'map':
      return Object.keys(value as object).length > 0;
    default:
      return true;
  }
}

/** Go's type name of a value, for `%T` and error messages. */
export function typeName(value: GoValue): string {
  switch (kindOf(value)) {
    case 'invalid':
      return '<nil>';
    case 'nil':
      return value instanceof GoNilPointer ? value.type : '<nil>';
    case 'string':
      return 'string';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return value instanceof GoComplex ? 'complex128' : 'float64';
    case 'slice':
      return (value as unknown[]).every((item) => typeof item === 'string') && (value as unknown[]).length > 0
        ? '[]string'
        : '[]interface {}';
    case 'map':
      return value instanceof GoMap ? value.goType() : 'map[string]interface {}';
    case 'struct':
      return (value as GoStruct).goType();
    case 'func':
      return 'func';
  }
}
