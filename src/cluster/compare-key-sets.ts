import type { JsonWebKeySet } from '../keys/json-web-key.js';
import { publicKeySet } from '../keys/public-key-set.js';
import { jwkThumbprint } from '../keys/thumbprint.js';

/** kid → RFC 7638 thumbprint of each published key. */
export function publishedKeys(set: JsonWebKeySet): Map<string, string> {
  return new Map(publicKeySet([set]).keys.map((jwk) => [jwk.kid ?? '(no kid)', jwkThumbprint(jwk)]));
}

/** What differs between two published key sets, one line per kid; empty when they agree. */
export function compareKeySets(
  left: Map<string, string>,
  right: Map<string, string>,
  names: { left: string; right: string },
): string[] {
  const lines: string[] = [];
  for (const [kid, thumbprint] of left) {
    const other = right.get(kid);
    if (other === undefined)
      lines.push(`- key "${kid}" (${thumbprint}) is in ${names.left} but not in ${names.right}`);
    else if (other !== thumbprint) {
      lines.push(`- key "${kid}" differs: ${names.left} has ${thumbprint}, ${names.right} has ${other}`);
    }
  }
  for (const [kid, thumbprint] of right) {
    if (!left.has(kid))
      lines.push(`- key "${kid}" (${thumbprint}) is in ${names.right} but not in ${names.left}`);
  }
  return lines;
}
