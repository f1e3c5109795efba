import type { IncomingHttpHeaders } from 'node:http';

interface AcceptEntry {
  type: string;
  q: number;
}

/** The media ranges of an Accept header with their weights (q defaults to 1). */
function parseAccept(header: string | undefined): AcceptEntry[] {
  if (!header) return [];
  const entries: AcceptEntry[] = [];
  for (const part of header.split(',')) {
    const [range, ...parameters] = part.split(';');
    const type = range!.trim().toLowerCase();
    if (type === '') continue;
    let q = 1;
    for (const parameter of parameters) {
      const [name, value] = parameter.split('=').map((piece) => piece.trim());
      if (name?.toLowerCase() === 'q') q = Number.parseFloat(value ?? '');
    }
    entries.push({ type, q: Number.isFinite(q) ? q : 0 });
  }
  return entries;
}

// Kratos negotiates among these four, in this order, with text/html as the default.
const OFFERS = ['text/html', 'text/*', '*/*', 'application/json'];

/**
 * The offer an Accept header prefers, as Kratos' negotiation picks it: the highest weight wins;
 * at equal weight the more specific match (exact, then `type/*`, then `*\/*`); at equal
 * specificity the earlier offer. So `Accept: *\/*` alone means HTML.
 */
export function negotiatedType(accept: string | undefined): string {
  let best = 'text/html';
  let bestQ = -1;
  let bestSpecificity = 3; // 0 exact, 1 type/*, 2 */*, 3 nothing matched yet
  const entries = parseAccept(accept);
  for (const offer of OFFERS) {
    for (const { type, q } of entries) {
      if (q === 0 || q < bestQ) continue;
      if (type === '*/*') {
        if (q > bestQ || bestSpecificity > 2) [best, bestQ, bestSpecificity] = [offer, q, 2];
      } else if (type.endsWith('/*')) {
        if (offer.startsWith(type.slice(0, -1)) && (q > bestQ || bestSpecificity > 1))
          [best, bestQ, bestSpecificity] = [offer, q, 1];
      } else if (type === offer && (q > bestQ || bestSpecificity > 0)) {
        [best, bestQ, bestSpecificity] = [offer, q, 0];
      }
    }
  }
  return best;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether a request wants JSON answers rather than redirects: its Accept header prefers
 * `application/json`, or its Content-Type is exactly `application/json` (a value with
 * parameters, such as `; charset=utf-8`, does not count — as in Kratos).
 */
export function wantsJson(headers: IncomingHttpHeaders): boolean {
  return (
    negotiatedType(single(headers.accept)) === 'application/json' ||
    headers['content-type'] === 'application/json'
  );
}
