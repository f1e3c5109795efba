import type { ErrorObject } from 'ajv';
import { HttpError } from '../../http/http-error.js';
import { goQuote, goSyntaxValue, goValue, jsonTypeOf, pathEscape } from './go-formatting.js';

/**
 * One reason traits are invalid, shaped as ory/jsonschema's ValidationError: where in
 * `{"traits": ...}` (`#/traits/email`), which schema keyword refused it
 * (`#/properties/traits/properties/email/format`), and Kratos' wording.
 */
export interface TraitsValidationCause {
  instancePtr: string;
  schemaPtr: string;
  /** The refusing JSON-schema keyword (`format`, `required`), or `ory.sh/kratos`. */
  keyword: string;
  message: string;
  /** For `required`: the pointers of the missing properties (`#/traits/email`). */
  missing?: string[];
  /** For `anyOf`, `oneOf`, `if`: what each alternative refused. */
  causes?: TraitsValidationCause[];
}

const BAD_REQUEST = 'The request was malformed or contained invalid parameters';

/**
 * Traits that do not match their identity schema. The message is what Kratos puts in `reason`
 * (`I[#/traits/email] S[#/properties/traits/properties/email/format] "x" is not valid "email"`,
 * one line per cause, nested causes indented); `causes` keeps the structure for flows that turn
 * each cause into a message on its form field.
 */
export class TraitsValidationError extends Error {
  constructor(
    readonly schemaId: string,
    readonly causes: readonly TraitsValidationCause[],
  ) {
    super(renderCause(groupCauses(causes)));
    this.name = 'TraitsValidationError';
  }

  /** The answer of Kratos' admin API: 400 with the validation text as `reason`. */
  toHttpError(): HttpError {
    return new HttpError({ code: 400, message: BAD_REQUEST, reason: this.message });
  }
}

/** A schema id that is not configured; the API answers 400, as Kratos does. */
export class UnknownSchemaError extends Error {
  constructor(readonly schemaId: string) {
    super(`Unable to find JSON Schema ID: ${schemaId}`);
    this.name = 'UnknownSchemaError';
  }

  toHttpError(): HttpError {
    return new HttpError({ code: 400, message: BAD_REQUEST, reason: this.message });
  }
}

/** Turns ajv's flat error list (allErrors, verbose) into ory/jsonschema-shaped causes. */
export function causesFromAjv(errors: readonly ErrorObject[], document: unknown): TraitsValidationCause[] {
  const list: (TraitsValidationCause & { ajvPath: string })[] = [];
  for (const error of errors) {
    const instancePtr = `#${error.instancePath
      .split('/')
      .slice(1)
      .map((token) => `/${pathEscape(token)}`)
      .join('')}`;
    const schemaPtr = goSchemaPointer(error.schemaPath);
    const params = error.params as Record<string, unknown>;
    const data = error.data;

    // One line for all missing (or all unexpected) properties of an object, as Kratos writes it.
    if (error.keyword === 'required' || error.keyword === 'additionalProperties') {
      const name = String(params.missingProperty ?? params.additionalProperty);
      const same = list.find(
        (c) => c.keyword === error.keyword && c.ajvPath === error.schemaPath && c.instancePtr === instancePtr,
      );
      const cause = same ?? {
        instancePtr,
        schemaPtr,
        keyword: error.keyword,
        message: '',
        ajvPath: error.schemaPath,
        missing: [] as string[],
      };
      cause.missing!.push(name);
      cause.message =
        error.keyword === 'required'
          ? `missing properties: ${cause.missing!.map(goQuote).join(', ')}`
          : `additionalProperties ${cause.missing!.map(goQuote).join(', ')} not allowed`;
      if (!same) list.push(cause);
      continue;
    }

    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') {
      // ajv reports the alternatives' errors first; they become this cause's causes.
      const branchPath =
        error.keyword === 'if'
          ? `${error.schemaPath.slice(0, -'/if'.length)}/${String(params.failingKeyword)}`
          : error.schemaPath;
      const inner = list.filter((c) => c.ajvPath.startsWith(`${branchPath}/`));
      for (const c of inner) list.splice(list.indexOf(c), 1);
      const passing = params.passingSchemas as number[] | null | undefined;
      const message =
        error.keyword === 'if'
          ? `if-${String(params.failingKeyword)} failed`
          : Array.isArray(passing)
            ? `valid against schemas at indexes ${passing[0]} and ${passing[1]}`
            : `${error.keyword} failed`;
      const branches = new Map<string, TraitsValidationCause[]>();
      for (const c of inner) {
        const rest = c.ajvPath.slice(branchPath.length + 1).split('/');
        const branch = error.keyword === 'if' ? branchPath : `${branchPath}/${rest[0]}`;
        branches.set(branch, [...(branches.get(branch) ?? []), c]);
      }
      list.push({
        instancePtr,
        schemaPtr: goSchemaPointer(branchPath),
        keyword: error.keyword,
        message,
        ajvPath: error.schemaPath,
        causes: [...branches.entries()].map(([branch, causes]) =>
          groupCauses(causes, instancePtr, goSchemaPointer(branch)),
        ),
      });
      continue;
    }

    list.push({
      instancePtr,
      schemaPtr: error.keyword === 'dependencies' ? `${schemaPtr}/${dependencyPointer(params)}` : schemaPtr,
      keyword: error.keyword,
      message: describe(error, params, data ?? valueAt(document, error.instancePath)),
      ajvPath: error.schemaPath,
    });
  }
  return list.map(({ ajvPath: _, ...cause }) => cause);
}

function describe(error: ErrorObject, params: Record<string, unknown>, data: unknown): string {
  const length = (value: unknown) => (Array.isArray(value) ? value.length : [...String(value)].length);
  switch (error.keyword) {
    case 'type':
      return `expected ${String(params.type).split(',').join(' or ')}, but got ${jsonTypeOf(data)}`;
    case 'format':
      return `${goQuote(String(data))} is not valid ${goQuote(String(params.format))}`;
    case 'const': {
      const allowed = params.allowedValue;
      return allowed !== null && typeof allowed === 'object'
        ? 'const failed'
        : `value must be ${goSyntaxValue(allowed)}`;
    }
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      if (allowed.some((value) => value !== null && typeof value === 'object')) return 'enum failed';
      if (allowed.length === 1) return `value must be ${goSyntaxValue(allowed[0])}`;
      return `value must be one of ${allowed.map(goSyntaxValue).join(', ')}`;
    }
    case 'minLength':
      return `length must be >= ${params.limit}, but got ${length(data)}`;
    case 'maxLength':
      return `length must be <= ${params.limit}, but got ${length(data)}`;
    case 'pattern':
      return `does not match pattern ${goQuote(String(params.pattern))}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${params.comparison} ${goValue(params.limit)} but found ${goValue(data)}`;
    case 'multipleOf':
      return `${goValue(data)} not multipleOf ${goValue(params.multipleOf)}`;
    case 'minItems':
      return `minimum ${params.limit} items allowed, but found ${length(data)} items`;
    case 'maxItems':
      return `maximum ${params.limit} items allowed, but found ${length(data)} items`;
    case 'additionalItems':
      return `only ${params.limit} items are allowed, but found ${length(data)} items`;
    case 'uniqueItems': {
      const [a, b] = [Number(params.i), Number(params.j)].sort((x, y) => x - y);
      return `items at index ${a} and ${b} are equal`;
    }
    case 'minProperties':
    case 'maxProperties': {
      const found = data !== null && typeof data === 'object' ? Object.keys(data).length : 0;
      const bound = error.keyword === 'minProperties' ? 'minimum' : 'maximum';
      return `${bound} ${params.limit} properties allowed, but found ${found} properties`;
    }
    case 'dependencies':
      return `property ${goQuote(String(params.missingProperty))} is required, if ${goQuote(String(params.property))} property exists`;
    case 'not':
      return 'not failed';
    case 'contains':
      return 'contains failed';
    default:
      return error.message ?? `${error.keyword} failed`;
  }
}

function dependencyPointer(params: Record<string, unknown>): string {
  const deps = String(params.deps).split(', ');
  return `${pathEscape(String(params.property))}/${Math.max(deps.indexOf(String(params.missingProperty)), 0)}`;
}

/** ajv writes schema paths URI-encoded; Kratos writes each token with Go's url.PathEscape. */
function goSchemaPointer(schemaPath: string): string {
  const tokens = schemaPath.replace(/^#/, '').split('/').slice(1);
  return `#${tokens
    .map((token) => {
      try {
        return `/${pathEscape(decodeURIComponent(token))}`;
      } catch {
        return `/${token}`;
      }
    })
    .join('')}`;
}

function valueAt(document: unknown, instancePath: string): unknown {
  let current = document;
  for (const raw of instancePath.split('/').slice(1)) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    current =
      current !== null && typeof current === 'object'
        ? (current as Record<string, unknown>)[token]
        : undefined;
  }
  return current;
}

/**
 * Nests causes as ory/jsonschema does: where more than one cause arises under the same value, they
 * are the causes of one "validation failed" at that value. `base` is the value and schema node the
 * causes were collected at.
 */
function groupCauses(
  causes: readonly TraitsValidationCause[],
  baseInstance = '#',
  baseSchema = '#',
): TraitsValidationCause {
  const unique = causes.filter(
    (cause, index) =>
      causes.findIndex(
        (other) =>
          other.instancePtr === cause.instancePtr &&
          other.schemaPtr === cause.schemaPtr &&
          other.message === cause.message,
      ) === index,
  );
  const depth = segments(baseInstance).length;
  return group(unique, depth, depth, baseSchema);
}

function group(
  causes: readonly TraitsValidationCause[],
  depth: number,
  baseDepth: number,
  baseSchema: string,
): TraitsValidationCause {
  if (causes.length === 1) return causes[0]!;
  const buckets = new Map<string, TraitsValidationCause[]>();
  const here: TraitsValidationCause[] = [];
  for (const cause of causes) {
    const token = segments(cause.instancePtr)[depth];
    if (token === undefined) here.push(cause);
    else buckets.set(token, [...(buckets.get(token) ?? []), cause]);
  }
  const children = [
    ...here,
    ...[...buckets.values()].map((bucket) => group(bucket, depth + 1, baseDepth, baseSchema)),
  ];
  if (children.length === 1) return children[0]!;
  const first = causes[0]!;
  return {
    instancePtr: `#${segments(first.instancePtr)
      .slice(0, depth)
      .map((token) => `/${token}`)
      .join('')}`,
    schemaPtr: depth === baseDepth ? baseSchema : schemaPrefix(first.schemaPtr, depth),
    keyword: '',
    message: 'validation failed',
    causes: children,
  };
}

function segments(pointer: string): string[] {
  return pointer.replace(/^#/, '').split('/').slice(1);
}

/** The schema node that validated the value `depth` steps into the document, read off a cause's schema pointer. */
function schemaPrefix(schemaPtr: string, depth: number): string {
  const tokens = segments(schemaPtr);
  let consumed = 0;
  let i = 0;
  while (i < tokens.length && consumed < depth) {
    const token = tokens[i]!;
    if (token === 'properties' || token === 'patternProperties') {
      consumed++;
      i += 2;
    } else if (token === 'additionalProperties' || token === 'additionalItems') {
      consumed++;
      i += 1;
    } else if (token === 'items') {
      consumed++;
      i += /^\d+$/.test(tokens[i + 1] ?? '') ? 2 : 1;
    } else if (['allOf', 'anyOf', 'oneOf', 'dependencies', 'definitions'].includes(token)) {
      i += 2;
    } else if (['then', 'else', 'not'].includes(token)) {
      i += 1;
    } else {
      break;
    }
  }
  return consumed === depth
    ? `#${tokens
        .slice(0, i)
        .map((t) => `/${t}`)
        .join('')}`
    : '#';
}

function renderCause(cause: TraitsValidationCause): string {
  let text = `I[${cause.instancePtr}] S[${cause.schemaPtr}] ${cause.message}`;
  for (const child of cause.causes ?? []) {
    for (const line of renderCause(child).split('\n')) text += `\n  ${line}`;
  }
  return text;
}
