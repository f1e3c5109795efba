import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));

/** Writes a config file into this test run's temporary folder and returns its path. */
export function writeConfig(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export const PORTAL = new URL('../../../shared/reference/portal/', import.meta.url).pathname;
