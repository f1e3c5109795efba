import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type buildConnector, errors } from 'undici';

export interface UpstreamConnectorOptions {
  dialTimeoutMs: number;
  tlsHandshakeTimeoutMs: number;
}

export interface ConnectTarget {
  protocol: string;
  hostname: string;
  port: string | number;
}

export type ConnectCallback = buildConnector.Callback;

/**
 * Opens connections to upstreams with Go's two separate limits: one on the TCP dial and one on
 * the TLS handshake. Either running out fails with undici's ConnectTimeoutError
 * (`UND_ERR_CONNECT_TIMEOUT`), which the proxy answers with 504, as Oathkeeper does.
 */
export function createUpstreamConnector(options: UpstreamConnectorOptions) {
  return (target: ConnectTarget, callback: ConnectCallback): void => {
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const https = target.protocol === 'https:';
    const port = Number(target.port) || (https ? 443 : 80);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: Error | null, socket: Socket | TLSSocket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        socket.destroy();
        callback(error, null);
      } else {
        callback(null, socket);
      }
    };
    const socket = tcpConnect({ host, port, noDelay: true });
    socket.once('error', (error) => finish(error, socket));
    timer = setTimeout(
      () => finish(new errors.ConnectTimeoutError(`dialing ${host}:${port} timed out`), socket),
      options.dialTimeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      if (!https) return finish(null, socket);
      const secure = tlsConnect({
        socket,
        servername: isIP(host) === 0 ? host : undefined,
        ALPNProtocols: ['http/1.1'],
      });
      secure.once('error', (error) => finish(error, secure));
      timer = setTimeout(
        () => finish(new errors.ConnectTimeoutError(`TLS handshake with ${host}:${port} timed out`), secure),
        options.tlsHandshakeTimeoutMs,
      );
      secure.once('secureConnect', () => finish(null, secure));
    });
  };
}
