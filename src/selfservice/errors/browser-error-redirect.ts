import type { HttpError } from '../../http/http-error.js';
import type { SelfServiceErrorRepository } from './error-repository.js';

export interface ErrorUiTarget {
  errors: SelfServiceErrorRepository;
  /** `selfservice.flows.error.ui_url`. */
  errorUiUrl: string;
  /** The browser's CSRF token (cookie value, or masked); empty when it has none. */
  csrfToken: string;
}

/**
 * Stores an error a browser cannot be shown on a flow and gives the URL to 303 it to: the error
 * UI with `?id=<error id>`. Whether to redirect at all is the caller's choice: Kratos answers JSON
 * requests with the error itself and stores nothing for them.
 */
export async function redirectToErrorUi(
  error: HttpError | Record<string, unknown>,
  target: ErrorUiTarget,
): Promise<string> {
  const id = await target.errors.create(error, target.csrfToken);
  return withQueryParameter(target.errorUiUrl, 'id', id);
}

/**
 * `url` with `name` set to `value`, as Kratos builds it (Go's url.Values round trip): the query
 * is parsed, an earlier `name` replaced, and the whole query written anew — parameters sorted by
 * name, each escaped as url.QueryEscape does. So `?lang=de&id=old` becomes `?id=<new>&lang=de`,
 * and pairs Go cannot parse (a `;`, a broken `%` escape) are dropped. The rest of the URL is kept.
 */
export function withQueryParameter(url: string, name: string, value: string): string {
  const hashAt = url.indexOf('#');
  const fragment = hashAt < 0 ? '' : url.slice(hashAt);
  const beforeFragment = hashAt < 0 ? url : url.slice(0, hashAt);
  const queryAt = beforeFragment.indexOf('?');
  const base = queryAt < 0 ? beforeFragment : beforeFragment.slice(0, queryAt);
  const values = parseGoQuery(queryAt < 0 ? '' : beforeFragment.slice(queryAt + 1));
  values.set(toBytes(name), [toBytes(value)]);
  const query = [...values.keys()]
    .sort()
    .flatMap((key) => values.get(key)!.map((one) => `${escapeGoQuery(key)}=${escapeGoQuery(one)}`))
    .join('&');
  return `${base}?${query}${fragment}`;
}

// Go strings are bytes: the query is handled as a byte string (one char per byte, latin1), so that
// escapes of non-UTF-8 bytes survive and keys sort byte-wise as Go's sort.Strings does.
function toBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** url.ParseQuery, keeping the pairs it accepts in order. */
function parseGoQuery(raw: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const pair of toBytes(raw).split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const equals = pair.indexOf('=');
    const key = unescapeGoQuery(equals < 0 ? pair : pair.slice(0, equals));
    const value = unescapeGoQuery(equals < 0 ? '' : pair.slice(equals + 1));
    if (key === undefined || value === undefined) continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

function unescapeGoQuery(bytes: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(bytes)) return undefined;
  return bytes
    .replaceAll('+', ' ')
    .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** url.QueryEscape of a byte string: unreserved bytes stay, a space becomes `+`, the rest %XX. */
function escapeGoQuery(bytes: string): string {
  let out = '';
  for (const char of bytes) {
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (char === ' ') out += '+';
    else out += `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
