import { Ajv, type ValidateFunction } from 'ajv';
import { isPlainObject, type JsonObject } from '../../config/object-path.js';
import type { Logger } from '../../log/logger.js';
import { readTraitAnnotations, type TraitAnnotation } from './kratos-extension.js';
import { addIdentityFormats, CHECKED_FORMATS, ignoreFormat } from './schema-formats.js';
import { type FetchFunction, readSchemaSource } from './schema-source.js';
import { extensionProblems, extractTraitIdentifiers, type TraitIdentifiers } from './trait-identifiers.js';
import { causesFromAjv, TraitsValidationError, UnknownSchemaError } from './traits-validation-error.js';

/** `identity.default_schema_id` and `identity.schemas`, as the config loader fills them in. */
export interface IdentitySchemaSettings {
  defaultSchemaId: string;
  schemas: readonly { id: string; url: string; selfserviceSelectable?: boolean }[];
}

export interface LoadIdentitySchemasOptions extends IdentitySchemaSettings {
  /** What `file://relative/path` is resolved against. */
  cwd: string;
  /** For `http(s)://` schemas; the global fetch by default. */
  fetch?: FetchFunction;
  /** Longest wait for an HTTP schema; 10 s by default. */
  fetchTimeoutMs?: number;
  log?: Logger;
}

/** One configured identity schema, read and compiled. */
export interface IdentitySchema {
  id: string;
  url: string;
  selfserviceSelectable: boolean;
  /** The document's text as read: what `GET /schemas/{id}` serves. */
  raw: string;
  document: JsonObject;
  /** Its `ory.sh/kratos` annotations. */
  annotations: readonly TraitAnnotation[];
}

/** An identity schema that cannot be used, named by its id and URL. */
export class IdentitySchemaError extends Error {
  constructor(
    readonly schemaId: string,
    readonly url: string | undefined,
    problem: string,
  ) {
    super(`identity schema "${schemaId}"${url === undefined ? '' : ` (${describeUrl(url)})`} ${problem}`);
    this.name = 'IdentitySchemaError';
  }
}

/**
 * Reads and compiles every schema of `identity.schemas`. A schema that is missing, not JSON, not
 * a draft-07 schema or misuses `ory.sh/kratos` fails the whole load: gatehouse does not start
 * with an identity schema it would refuse every identity of. (Kratos reads schemas lazily and
 * fails on first use instead.)
 */
export async function loadIdentitySchemas(options: LoadIdentitySchemasOptions): Promise<IdentitySchemas> {
  const seen = new Set<string>();
  const configured = options.schemas.filter((entry) => {
    if (!seen.has(entry.id)) {
      seen.add(entry.id);
      return true;
    }
    // Kratos looks schemas up by the first entry with the id; later ones are never used.
    options.log?.warn(
      { schema_id: entry.id, url: describeUrl(entry.url) },
      'identity schema id listed twice; the first entry is used',
    );
    return false;
  });
  if (!seen.has(options.defaultSchemaId)) {
    throw new IdentitySchemaError(
      options.defaultSchemaId,
      undefined,
      `is identity.default_schema_id but not in identity.schemas (ids: ${[...seen].join(', ') || 'none'})`,
    );
  }
  const results = await Promise.allSettled(configured.map((entry) => loadOne(entry, options)));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const compiled = results.map((result) => (result as PromiseFulfilledResult<CompiledSchema>).value);
  return new IdentitySchemas(options.defaultSchemaId, compiled);
}

interface CompiledSchema {
  schema: IdentitySchema;
  validate: ValidateFunction;
}

async function loadOne(
  entry: IdentitySchemaSettings['schemas'][number],
  options: LoadIdentitySchemasOptions,
): Promise<CompiledSchema> {
  const fail = (problem: string) => new IdentitySchemaError(entry.id, entry.url, problem);
  let raw: string;
  try {
    raw = await readSchemaSource(entry.url, {
      cwd: options.cwd,
      fetch: options.fetch,
      timeoutMs: options.fetchTimeoutMs,
    });
  } catch (error) {
    throw fail(`cannot be read: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(raw);
  } catch (error) {
    throw fail(`is not JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(document)) throw fail('is not a JSON schema: the document must be an object');
  const declared = document.$schema;
  if (declared !== undefined && !/^http:\/\/json-schema\.org\/draft-07\/schema#?$/.test(String(declared))) {
    throw fail(
      `declares "$schema": ${JSON.stringify(declared)}; identity schemas are read as draft-07 ("http://json-schema.org/draft-07/schema#")`,
    );
  }
  const { annotations, problems } = readTraitAnnotations(document);
  if (problems.length > 0) throw fail(`uses the ory.sh/kratos extension wrongly: ${problems.join('; ')}`);

  const ajv = new Ajv({
    // Kratos reports every violation, not the first; schemas written for Kratos use keywords
    // and formats ajv's strict mode would refuse, and Kratos ignores them.
    allErrors: true,
    strict: false,
    verbose: true,
    logger: false,
  });
  addIdentityFormats(ajv);
  for (const name of formatsUsed(document)) {
    if (CHECKED_FORMATS.has(name)) continue;
    ignoreFormat(ajv, name);
    options.log?.debug(
      { schema_id: entry.id, format: name },
      'identity schema format not checked (as in Kratos)',
    );
  }
  if (!ajv.validateSchema(document))
    throw fail(`is not a valid draft-07 JSON schema: ${describeMetaErrors(ajv)}`);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(document);
  } catch (error) {
    throw fail(describeCompileError(error as Error));
  }
  const traits = isPlainObject(document.properties) ? document.properties.traits : undefined;
  if (!isPlainObject(traits)) {
    options.log?.warn(
      { schema_id: entry.id, url: describeUrl(entry.url) },
      'identity schema has no properties.traits; traits are not checked',
    );
  }
  options.log?.info({ schema_id: entry.id, url: describeUrl(entry.url) }, 'identity schema loaded');
  return {
    schema: {
      id: entry.id,
      url: entry.url,
      selfserviceSelectable: entry.selfserviceSelectable ?? false,
      raw,
      document,
      annotations,
    },
    validate,
  };
}

/** The configured identity schemas: lookup, trait validation, identifier extraction. */
export class IdentitySchemas {
  private readonly byId: Map<string, CompiledSchema>;

  constructor(
    readonly defaultSchemaId: string,
    compiled: readonly CompiledSchema[],
  ) {
    this.byId = new Map(compiled.map((entry) => [entry.schema.id, entry]));
  }

  /** In configuration order. */
  list(): IdentitySchema[] {
    return [...this.byId.values()].map((entry) => entry.schema);
  }

  /**
   * The schema with this id, or with the id this base64url text (no padding) encodes, as
   * `schema_url` carries it. An empty id means the schema with id `default`, as in Kratos.
   */
  find(id: string): IdentitySchema | undefined {
    return this.compiled(id)?.schema;
  }

  has(id: string): boolean {
    return this.compiled(id) !== undefined;
  }

  /** Like find, but throws UnknownSchemaError. */
  get(id: string): IdentitySchema {
    return this.require(id).schema;
  }

  /**
   * Validates `{"traits": traits}` against the schema, then applies the checks Kratos' extensions
   * make (e-mail addresses, normalisable identifiers). Throws TraitsValidationError listing every
   * problem with its trait path, or UnknownSchemaError.
   */
  validate(schemaId: string, traits: unknown): void {
    const { schema, validate } = this.require(schemaId);
    // Kratos validates missing traits as an empty object.
    const document = { traits: traits === undefined ? {} : traits };
    const causes = validate(document) ? [] : causesFromAjv(validate.errors ?? [], document);
    causes.push(...extensionProblems(schema.annotations, document.traits));
    if (causes.length > 0) throw new TraitsValidationError(schema.id, causes);
  }

  /** What the schema's annotations make of traits; run `validate` first. */
  extract(schemaId: string, traits: unknown): TraitIdentifiers {
    return extractTraitIdentifiers(this.require(schemaId).schema.annotations, traits ?? {});
  }

  /** validate, then extract. */
  validateTraits(schemaId: string, traits: unknown): TraitIdentifiers {
    this.validate(schemaId, traits);
    return this.extract(schemaId, traits);
  }

  private require(id: string): CompiledSchema {
    const found = this.compiled(id);
    if (!found) throw new UnknownSchemaError(id);
    return found;
  }

  private compiled(id: string): CompiledSchema | undefined {
    // Kratos reads an empty id as "default", not as identity.default_schema_id.
    const wanted = id === '' ? 'default' : id;
    const direct = this.byId.get(wanted);
    if (direct) return direct;
    const decoded = decodeSchemaId(wanted);
    return decoded === undefined ? undefined : this.byId.get(decoded);
  }
}

/** base64url without padding, as in `schema_url`: `default` → `ZGVmYXVsdA`. */
export function encodeSchemaId(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeSchemaId(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(encoded) || encoded.length % 4 === 1) return undefined;
  return Buffer.from(encoded, 'base64url').toString('utf8');
}

/** A URL for messages and logs: a base64:// schema is shortened, never printed whole. */
export function describeUrl(url: string): string {
  if (!url.startsWith('base64://') || url.length <= 48) return url;
  return `${url.slice(0, 32)}… (${url.length} characters)`;
}

function formatsUsed(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) formatsUsed(item, found);
  else if (isPlainObject(value)) {
    if (typeof value.format === 'string') found.add(value.format);
    for (const child of Object.values(value)) formatsUsed(child, found);
  }
  return found;
}

/** The meta-schema's complaints, one per place in the document, alternatives' noise left out. */
function describeMetaErrors(ajv: Ajv): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const error of ajv.errors ?? []) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || seen.has(error.instancePath)) continue;
    seen.add(error.instancePath);
    lines.push(`#${error.instancePath} ${error.message ?? 'is invalid'}`);
  }
  return lines.join('; ');
}

function describeCompileError(error: Error): string {
  const message = error.message;
  if (message.startsWith("can't resolve reference")) {
    return `has a $ref that cannot be resolved (${message}); only references within the document are followed`;
  }
  if (/regular expression/i.test(message)) return `has an invalid pattern: ${message}`;
  return `cannot be compiled: ${message}`;
}
