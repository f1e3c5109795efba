import type { ServerResponse } from 'node:http';
import type { ErrorResponse } from '../pipeline/handler.js';

/** Writes what an error handler answered, with the request id and any extra headers (CORS). */
export function writeErrorResponse(
  response: ServerResponse,
  answer: ErrorResponse,
  requestId: string,
  extra: readonly [string, string][] = [],
): void {
  const headers: string[] = [];
  for (const [name, value] of extra) headers.push(name, value);
  for (const name in answer.headers) headers.push(name, String(answer.headers[name]));
  headers.push('content-length', String(Buffer.byteLength(answer.body)), 'x-request-id', requestId);
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}
