import { renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../src/clock.js';
import { loadProxyConfig } from '../../../src/config/proxy-config.js';
import { createProxyRegistry } from '../../../src/daemon/proxy-registry.js';
import { createProxyServers } from '../../../src/daemon/proxy-servers.js';
import { createLogger } from '../../../src/log/logger.js';
import { cryptoRandom } from '../../../src/random.js';

/** Replaces a file atomically, as an operator's deploy does: watchers never see half a file. */
export function replaceFile(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

/**
 * The proxy's API server for `configFile`, listening on a free loopback port, with its JSON log
 * lines collected in `logLines`.
 */
export async function startProxyApi(configFile: string, cwd: string, logLines: string[]) {
  const registry = await createProxyRegistry({
    config: loadProxyConfig({ files: [configFile], env: {} }),
    log: createLogger(
      { level: 'info', format: 'json', leakSensitiveValues: false },
      { destination: { write: (line: string) => logLines.push(line) } as unknown as NodeJS.WritableStream },
    ),
    clock: systemClock,
    random: cryptoRandom,
    cwd,
    env: {},
  });
  const { api } = createProxyServers(registry);
  await api.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`,
    async stop() {
      await api.close();
      registry.stop();
    },
  };
}
