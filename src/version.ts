import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** gatehouse's version, `v` + package.json's version, as Ory reports versions. */
export function gatehouseVersion(): string {
  cached ??= `v${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;
  return cached;
}
