import type { GoValue } from './values.js';

/**
 * The Go type of a function parameter, as far as argument checking goes. Go checks argument
 * types at call time: a missing value or a float where an int is expected is an error.
 */
export type ParamType = 'any' | 'string' | 'int' | 'float' | 'bool' | 'map' | 'slice' | 'value';

export interface TemplateFunction {
  /** Parameter types; the last one repeats when `variadic`. */
  params: ParamType[];
  variadic?: boolean;
  /** Returns the result; throws (any error) to stop the template, as a Go function returning an error does. */
  call: (...args: GoValue[]) => GoValue;
  /** `and`/`or`: arguments are evaluated one by one, and the function decides when to stop. */
  lazy?: (next: () => GoValue, count: number) => GoValue;
}

export type FunctionTable = ReadonlyMap<string, TemplateFunction>;

export function fn(
  params: ParamType[],
  call: (...args: never[]) => GoValue,
  variadic = false,
): TemplateFunction {
  return { params, call: call as (...args: GoValue[]) => GoValue, variadic };
}
