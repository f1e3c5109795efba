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
