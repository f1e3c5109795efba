import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a key set is read from: a local file (watched) or an HTTP(S) URL (polled). */
export type KeySetLocation = { kind: 'file'; path: string; url: string } | { kind: 'http'; url: string };

/**
 * Reads `jwks_url` as Oathkeeper does: `file:///abs`, `file://relative` (to the working
 * directory), a bare path, or `http(s)://`. Object-store URLs are not supported.
 */
export function parseKeySetLocation(url: string, cwd: string): KeySetLocation {
  if (/^https?:\/\//i.test(url)) return { kind: 'http', url };
  if (url.startsWith('file://')) {
    const rest = url.slice('file://'.length);
    const path = rest.startsWith('/') ? fileURLToPath(url) : resolve(cwd, decodeURIComponent(rest));
    return { kind: 'file', path, url };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(`unsupported key set URL scheme in "${url}": use file://, a path, or http(s)://`);
  }
  return { kind: 'file', path: isAbsolute(url) ? url : resolve(cwd, url), url };
}
