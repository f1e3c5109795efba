/** Go's path.Clean: collapses `//`, resolves `.` and `..`, drops a trailing slash (except for "/"). */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  // Most paths are clean already: no empty, "." or ".." segment and no trailing slash.
  if (
    path.startsWith('/') &&
    !path.includes('//') &&
    !path.includes('/.') &&
    (path.length === 1 || !path.endsWith('/'))
  ) {
    return path;
  }
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
    } else parts.push(part);
  }
  const joined = parts.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/** Go's path.Join: the non-empty elements joined with `/` and cleaned; "" when all are empty. */
export function joinPath(...elements: string[]): string {
  const joined = elements.filter((element) => element !== '').join('/');
  return joined === '' ? '' : cleanPath(joined);
}

const HEX = '0123456789ABCDEF';

/**
 * Bytes Go's url package leaves alone in a path (encodePath mode): unreserved characters and the
 * reserved ones it allows there, `$&+,/:;=@`. Everything else is percent-encoded, `?` included.
 */
function pathByteIsPlain(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d || // -
    byte === 0x5f || // _
    byte === 0x2e || // .
    byte === 0x7e || // ~
    byte === 0x24 || // $
    byte === 0x26 || // &
    byte === 0x2b || // +
    byte === 0x2c || // ,
    byte === 0x2f || // /
    byte === 0x3a || // :
    byte === 0x3b || // ;
    byte === 0x3d || // =
    byte === 0x40 //    @
  );
}

/** Go's escape(path, encodePath): how a decoded path goes on the wire when no raw form is kept. */
export function escapePath(path: string): string {
  let plain = true;
  for (let index = 0; index < path.length; index++) {
    if (!pathByteIsPlain(path.charCodeAt(index))) {
      plain = false;
      break;
    }
  }
  if (plain) return path;
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    out += pathByteIsPlain(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/**
 * Go's validEncoded(raw, encodePath): whether a client's raw path may be sent as it came. Besides
 * what escapePath leaves alone, `!'()*[]` and `%` are accepted as written.
 */
export function isValidEncodedPath(raw: string): boolean {
  for (let index = 0; index < raw.length; index++) {
    const byte = raw.charCodeAt(index);
    if (pathByteIsPlain(byte)) continue;
    if ("!'()*[]%".includes(raw[index]!)) continue;
    return false;
  }
  return true;
}

/** Percent-decodes a path as Go's url.PathUnescape does; undefined for a malformed escape. */
export function unescapePath(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return undefined;
  // Go keeps bytes that are not valid UTF-8; decodeURIComponent would throw on them.
  const bytes: number[] = [];
  for (let index = 0; index < raw.length; index++) {
    const char = raw.charCodeAt(index);
    if (char === 0x25) {
      bytes.push(Number.parseInt(raw.slice(index + 1, index + 3), 16));
      index += 2;
    } else if (char < 0x80) bytes.push(char);
    else for (const byte of Buffer.from(raw[index]!, 'utf8')) bytes.push(byte);
  }
  return Buffer.from(bytes).toString('utf8');
}
