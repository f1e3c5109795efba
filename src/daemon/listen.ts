import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** One server to run: a Fastify app or a bare node:http server. */
export interface ListenSpec {
  name: string;
  host: string;
  port: number;
  server: Server | FastifyInstance;
}

export interface Listening {
  name: string;
  /** The address actually bound (the port is real even when 0 was asked for). */
  host: string;
  port: number;
  close(timeoutMs: number): Promise<void>;
}

export class ListenError extends Error {
  override name = 'ListenError';
}

export async function listen(spec: ListenSpec): Promise<Listening> {
  const host = spec.host === '' ? undefined : spec.host;
  const shown = `${spec.host === '' ? '*' : spec.host}:${spec.port}`;
  try {
    if (isFastify(spec.server)) {
      await spec.server.listen({
        host: host ?? '::',
        port: spec.port,
        listenTextResolver: (address) => `${spec.name} listening on ${address}`,
      });
    } else {
      const server = spec.server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(spec.port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the address is in use (is another gatehouse or Ory process running?)'
        : code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : code === 'EADDRNOTAVAIL'
            ? 'no such address on this machine'
            : (error as Error).message;
    throw new ListenError(`${spec.name}: cannot listen on ${shown}: ${why}`);
  }
  const httpServer = isFastify(spec.server) ? spec.server.server : spec.server;
  const address = httpServer.address() as AddressInfo;
  return {
    name: spec.name,
    host: spec.host,
    port: address.port,
    close: (timeoutMs) => closeGracefully(spec.server, timeoutMs),
  };
}

/**
 * Stops accepting connections, lets requests in flight finish, and cuts whatever is still open
 * after `timeoutMs`. Idle keep-alive connections are closed as soon as they are idle, so that a
 * client holding one does not keep the process alive.
 */
async function closeGracefully(server: Server | FastifyInstance, timeoutMs: number): Promise<void> {
  const httpServer = isFastify(server) ? server.server : server;
  const closed = isFastify(server)
    ? server.close()
    : new Promise<void>((resolve) => httpServer.close(() => resolve()));
  const sweeper = setInterval(() => httpServer.closeIdleConnections(), 50);
  const deadline = setTimeout(() => httpServer.closeAllConnections(), timeoutMs);
  httpServer.closeIdleConnections();
  try {
    await closed;
  } finally {
    clearInterval(sweeper);
    clearTimeout(deadline);
  }
}

function isFastify(server: Server | FastifyInstance): server is FastifyInstance {
  return typeof (server as FastifyInstance).inject === 'function';
}
