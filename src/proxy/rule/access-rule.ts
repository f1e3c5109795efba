import { parse as parseYaml } from 'yaml';
import type { JsonObject } from '../../config/object-path.js';

export interface HandlerReference {
  handler: string;
  config?: JsonObject;
}

/** An access rule as written in a rule file (Oathkeeper's format; unknown fields are ignored). */
export interface AccessRule {
  id: string;
  version?: string;
  description?: string;
  match: { url: string; methods: string[] };
  upstream: { url: string; preserve_host: boolean; strip_path: string };
  authenticators: HandlerReference[];
  authorizer: HandlerReference;
  mutators: HandlerReference[];
  errors: HandlerReference[];
}

export class RuleDocumentError extends Error {
  override name = 'RuleDocumentError';
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Reads one rule document: JSON when the bytes are valid JSON, YAML otherwise; it must be a list
 * of rules (empty is fine). A rule whose `version` is not semver rejects the whole document, as in
 * Oathkeeper. Throws RuleDocumentError saying what is wrong and where.
 */
export function parseRuleDocument(text: string, source: string): AccessRule[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    try {
      data = parseYaml(text);
    } catch (error) {
      const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      throw new RuleDocumentError(
        `${source}${line ? `:${line}` : ''}: not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}`,
      );
    }
  }
  if (data === null || data === undefined || (typeof data === 'string' && data.trim() === '')) return [];
  if (!Array.isArray(data)) throw new RuleDocumentError(`${source}: expected a list of rules`);
  return data.map((entry, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new RuleDocumentError(`${source}: rule #${index + 1} is not a map`);
    }
    const raw = entry as Record<string, unknown>;
    if (raw.version !== undefined && raw.version !== '' && !SEMVER.test(String(raw.version))) {
      throw new RuleDocumentError(
        `${source}: rule #${index + 1} has version "${String(raw.version)}", which is not semver`,
      );
    }
    const match = (raw.match ?? {}) as Record<string, unknown>;
    const upstream = (raw.upstream ?? {}) as Record<string, unknown>;
    const handler = (value: unknown): HandlerReference => {
      const object = (value ?? {}) as Record<string, unknown>;
      return {
        handler: String(object.handler ?? ''),
        config: (object.config as JsonObject | undefined) ?? undefined,
      };
    };
    return {
      id: String(raw.id ?? ''),
      version: raw.version === undefined ? undefined : String(raw.version),
      description: raw.description === undefined ? undefined : String(raw.description),
      match: {
        url: String(match.url ?? ''),
        methods: Array.isArray(match.methods) ? match.methods.map(String) : [],
      },
      upstream: {
        url: String(upstream.url ?? ''),
        preserve_host: upstream.preserve_host === true,
        strip_path: String(upstream.strip_path ?? ''),
      },
      authenticators: Array.isArray(raw.authenticators) ? raw.authenticators.map(handler) : [],
      authorizer: handler(raw.authorizer),
      mutators: Array.isArray(raw.mutators) ? raw.mutators.map(handler) : [],
      errors: Array.isArray(raw.errors) ? raw.errors.map(handler) : [],
    };
  });
}
