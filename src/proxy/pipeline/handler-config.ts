import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { formatPath } from '../../config/env-overlay.js';
import type { SchemaNode } from '../../config/json-schema-walk.js';
import { getPath, type JsonObject } from '../../config/object-path.js';
import { describeSchemaErrors } from '../../config/schema-validation.js';
import type { HandlerKind } from './handler.js';

const addFormats = addFormatsModule.default;

/**
 * Validates a handler's merged config against the handler's part of Oathkeeper's config schema,
 * filling schema defaults (`preserve_query: true`, `subject_from: sub`, ...) as live values.
 * Each handler's validator is compiled once, on first use.
 */
export class HandlerConfigValidator {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor(private readonly schema: SchemaNode) {
    this.ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true, allowUnionTypes: true });
    addFormats(this.ajv);
    this.ajv.addSchema(schema, 'oathkeeper');
  }

  /** The global `{enabled, config}` entry of a handler in the proxy config. */
  static globalEntry(
    document: JsonObject,
    kind: HandlerKind,
    name: string,
  ): { enabled: boolean; config: JsonObject } {
    const path = kind === 'errors' ? ['errors', 'handlers', name] : [kind, name];
    const entry = getPath(document, path) as { enabled?: unknown; config?: unknown } | undefined;
    return { enabled: entry?.enabled === true, config: (entry?.config as JsonObject | undefined) ?? {} };
  }

  /** Checks (and completes with defaults) a merged config; returns the problems, empty when valid. */
  validate(kind: HandlerKind, name: string, config: JsonObject): string[] {
    const validate = this.validatorFor(kind, name);
    if (!validate) {
      return Object.keys(config).length > 0 ? [`${name} takes no configuration`] : [];
    }
    if (validate(config)) return [];
    return describeSchemaErrors(validate.errors ?? []).map(
      (problem) => `${formatPath(problem.path) || 'config'}: ${problem.message}`,
    );
  }

  private validatorFor(kind: HandlerKind, name: string): ValidateFunction | null {
    const key = `${kind}.${name}`;
    if (!this.validators.has(key)) {
      const reference = this.configReference(kind, name);
      this.validators.set(key, reference ? (this.ajv.getSchema(`oathkeeper${reference}`) ?? null) : null);
    }
    return this.validators.get(key) ?? null;
  }

  /** Finds `#/definitions/...` of the handler's config in the schema (beside `enabled`, or in a oneOf branch). */
  private configReference(kind: HandlerKind, name: string): string | undefined {
    const path =
      kind === 'errors'
        ? ['properties', 'errors', 'properties', 'handlers', 'properties', name]
        : ['properties', kind, 'properties', name];
    const node = getPath(this.schema, path) as SchemaNode | undefined;
    if (!node) return undefined;
    const candidates: SchemaNode[] = [
      node,
      ...(node.oneOf ?? []),
      ...(node.anyOf ?? []),
      ...(node.allOf ?? []),
      ...(node.then ? [node.then] : []),
    ];
    for (const candidate of candidates) {
      const config = candidate.properties?.config;
      if (config?.$ref?.startsWith('#/definitions/')) return config.$ref;
    }
    return undefined;
  }
}
