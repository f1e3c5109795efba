import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as an upstream received it. */
export interface ReceivedRequest {
  method: string;
  /** The request target exactly as it arrived (path and query, still encoded). */
  target: string;
  /** Header lines as sent: name spelling, order and duplicates kept. */
  rawHeaders: string[];
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface StubUpstream {
  url: string;
  port: number;
  server: Server;
  received: ReceivedRequest[];
  /** How the next requests are answered; the default echoes 200 "upstream". */
  answer: (request: IncomingMessage, response: ServerResponse, body: Buffer) => void;
  close(): Promise<void>;
}

/** A real HTTP server on a loopback port that records what reaches it. */
export async function startStubUpstream(): Promise<StubUpstream> {
  const stub: StubUpstream = {
    url: '',
    port: 0,
    // Large enough for the proxy's own 1 MiB header limit to be the one tested.
    server: createServer({ maxHeaderSize: 2 << 20 }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        stub.received.push({
          method: request.method!,
          target: request.url!,
          rawHeaders: request.rawHeaders,
          headers: request.headers,
          body,
        });
        stub.answer(request, response, body);
      });
    }),
    received: [],
    answer: (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('upstream');
    },
    async close() {
      stub.server.closeAllConnections();
      await new Promise((resolve) => stub.server.close(resolve));
    },
  };
  await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
  stub.port = (stub.server.address() as AddressInfo).port;
  stub.url = `http://127.0.0.1:${stub.port}`;
  return stub;
}

/** Header values by lower-cased name from a raw header list (duplicates kept in order). */
export function headerLines(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let index = 0; index < rawHeaders.length; index += 2)
    if (rawHeaders[index]!.toLowerCase() === name) values.push(rawHeaders[index + 1]!);
  return values;
}
