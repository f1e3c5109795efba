/** Go's path.Clean: collapses `//`, resolves `.` and `..`, drops a trailing slash (except for "/"). */
export function cleanPath(path: string): string {
  if (path === '') return '.';
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
