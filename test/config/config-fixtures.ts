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

/** The smallest identity (Kratos) config that loads, for a given DSN. */
export function minimalIdentityYaml(dsn = 'memory'): string {
  return `dsn: ${dsn}
selfservice:
  default_browser_return_url: http://127.0.0.1/
identity:
  default_schema_id: default
  schemas:
    - id: default
      url: file://${PORTAL}identity.schema.json
`;
}
