import { Pool } from 'undici';
import type { UpstreamConnections } from '../../config/proxy-config.js';
import { createUpstreamConnector } from './upstream-connector.js';

/**
 * One keep-alive connection pool per upstream origin, bounded by
 * `serve.proxy.upstream.max_connections`. Upstreams get as long as they need to answer, as in
 * Oathkeeper (Go's transport has no response timeout); the proxy's write timeout still ends a
 * response that takes too long.
 */
export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();
  readonly #connect: ReturnType<typeof createUpstreamConnector>;

  constructor(private readonly config: UpstreamConnections) {
    this.#connect = createUpstreamConnector(config);
  }

  get(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.config.maxConnections,
        pipelining: 1,
        headersTimeout: 0,
        bodyTimeout: 0,
        // Go's transport accepts response headers up to 10 MB; undici's default is 16 KiB.
        maxHeaderSize: 10 << 20,
        connect: this.#connect,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Closes every pool, cutting connections still in use. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}
