import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/clock.js';
import { loadProxyConfig } from '../../../src/config/proxy-config.js';
import { createProxyRegistry } from '../../../src/daemon/proxy-registry.js';
import { createProxyServers } from '../../../src/daemon/proxy-servers.js';
import { generateKeySet } from '../../../src/keys/generate-key-set.js';
import { formatKeySet, writeSecretFile } from '../../../src/keys/key-file.js';
import { silentLogger } from '../../../src/log/logger.js';
import { cryptoRandom } from '../../../src/random.js';
import { PORTAL } from '../../config/config-fixtures.js';

/**
 * The portal's oathkeeper.yml and access-rules.yml, unchanged except what points outside this
 * machine: file paths, upstream URLs, check_session_url and jwks_url. Match URLs stay as they are,
 * so requests carry `Host: oathkeeper:4455` and never resolve a container name.
 */
export async function portalProxy() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-portal-proxy-'));
  const keyFile = join(dir, 'id_token.jwks.json');
  writeSecretFile(keyFile, formatKeySet(await generateKeySet()));
  const rules = readFileSync(join(PORTAL, 'access-rules.yml'), 'utf8').replace(
    /url: "http:\/\/(kratos|dashboard|accounts):\d+"/g,
    'url: "http://127.0.0.1:9"',
  );
  writeFileSync(join(dir, 'access-rules.yml'), rules);
  const config = readFileSync(join(PORTAL, 'oathkeeper.yml'), 'utf8')
    .replace('file:///etc/config/oathkeeper/access-rules.yml', `file://${join(dir, 'access-rules.yml')}`)
    .replace('file:///etc/config/oathkeeper/id_token.jwks.json', `file://${keyFile}`)
    .replace('http://kratos:4433/sessions/whoami', 'http://127.0.0.1:9/sessions/whoami');
  writeFileSync(join(dir, 'oathkeeper.yml'), config);
  const registry = await createProxyRegistry({
    config: loadProxyConfig({ files: [join(dir, 'oathkeeper.yml')], env: {} }),
    log: silentLogger(),
    clock: systemClock,
    random: cryptoRandom,
    cwd: dir,
  });
  return { dir, registry, servers: createProxyServers(registry) };
}
