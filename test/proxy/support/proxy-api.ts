import { renameSync, writeFileSync } from 'node:fs';
import { Server as HttpsServer } from 'node:https';
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
 * The proxy (data plane) and its API for `configFile`, each listening on a free loopback port,
 * with the JSON log lines collected in `logLines`.
 */
export async function startProxy(configFile: string, cwd: string, logLines: string[] = []) {
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
  const { api, proxy, upstreams } = createProxyServers(registry);
  await api.listen({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const scheme = proxy instanceof HttpsServer ? 'https' : 'http';
  return {
    url: `${api.server instanceof HttpsServer ? 'https' : 'http'}://127.0.0.1:${(api.server.address() as AddressInfo).port}`,
    proxyUrl: `${scheme}://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    proxy,
    async stop() {
      await api.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await upstreams.close();
      registry.stop();
    },
  };
}
