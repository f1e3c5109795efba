import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { PipelineError } from '../pipeline-error.js';
import { headerValue, type PipelineRequest } from '../pipeline-request.js';

export interface WhenCondition {
  error?: string[];
  request?: { header?: { accept?: string[]; content_type?: string[] }; cidr?: string[] };
}

/** A compiled `when` list: responsible when any condition holds (none given: always). */
export type WhenMatcher = (error: PipelineError, request: PipelineRequest) => boolean;

/**
 * Oathkeeper's `when` semantics: conditions are OR'ed, the parts of one condition AND'ed. A missing
 * Accept or Content-Type counts as application/octet-stream. A configured `*∕*` or `type/*` matches
 * widely, but a wildcard sent by the client matches only the identical configured value.
 * `request.cidr` is applied (Oathkeeper accepts and ignores it; see docs/migrating-from-ory.md).
 */
export function compileWhen(conditions: WhenCondition[] | undefined): WhenMatcher {
  if (!conditions || conditions.length === 0) return () => true;
  const compiled = conditions.map((condition) => {
    const errors = condition.error ?? [];
    const accept = condition.request?.header?.accept ?? [];
    const contentType = condition.request?.header?.content_type ?? [];
    const cidrs = condition.request?.cidr ?? [];
    const blocks = cidrs.length > 0 ? blockList(cidrs) : undefined;
    return (error: PipelineError, request: PipelineRequest) =>
      (errors.length === 0 || errors.includes(error.condition)) &&
      (accept.length === 0 || mediaMatches(accept, mediaRanges(headerValue(request.headers, 'accept')))) &&
      (contentType.length === 0 ||
        mediaMatches(contentType, mediaRanges(headerValue(request.headers, 'content-type')).slice(0, 1))) &&
      (!blocks || addressIn(blocks, request.remoteAddress));
  });
  return (error, request) => compiled.some((condition) => condition(error, request));
}

function mediaRanges(header: string | undefined): string[] {
  if (header === undefined || header.trim() === '') return ['application/octet-stream'];
  return header
    .split(',')
    .map((range) => range.split(';')[0]!.trim().toLowerCase())
    .filter((range) => range !== '');
}

function mediaMatches(configured: string[], requested: string[]): boolean {
  return configured.some((want) => {
    const lower = want.toLowerCase();
    return requested.some(
      (got) =>
        lower === '*/*' ||
        lower === got ||
        (lower.endsWith('/*') && got.startsWith(lower.slice(0, -1)) && !got.endsWith('/*')),
    );
  });
}

function blockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(prefix ?? (type === 'ipv6' ? 128 : 32)), type);
  }
  return list;
}

function addressIn(list: BlockList, address: string): boolean {
  const plain = address.replace(/^::ffff:/, '');
  if (isIPv4(plain)) return list.check(plain, 'ipv4');
  return isIPv6(plain) && list.check(plain, 'ipv6');
}
