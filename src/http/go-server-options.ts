import type { ServerOptions } from 'node:http';
import type { ServerTimeouts } from '../config/proxy-config.js';

/**
 * node:http settings that make a server accept what Go's http.Server accepts and time out as it
 * does: request headers up to 1 MiB (plus Go's slack; Node's default is 16 KiB), a read timeout
 * covering the whole request body included (Node's requestTimeout), and the idle keep-alive limit.
 * The write timeout has no node:http equivalent; the proxy enforces it per response.
 */
export function goServerOptions(timeouts: ServerTimeouts): ServerOptions {
  return {
    maxHeaderSize: (1 << 20) + 4096,
    requestTimeout: timeouts.readMs,
    headersTimeout: timeouts.readMs,
    keepAliveTimeout: timeouts.idleMs,
    // Node checks the two request timeouts only this often (every 30 s by default).
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeouts.readMs / 4))),
  };
}
