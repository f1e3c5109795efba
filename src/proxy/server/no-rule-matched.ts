import type { ServerResponse } from 'node:http';
import { getPath, type JsonObject } from '../../config/object-path.js';
import { HttpError } from '../../http/http-error.js';

/**
 * Oathkeeper's answer when no access rule matches the request: 404 through the fallback `json`
 * error handler, whose `verbose` setting decides between the specific and the generic message.
 */
export function writeNoRuleMatched(response: ServerResponse, document: JsonObject, requestId: string): void {
  const verbose = getPath(document, ['errors', 'handlers', 'json', 'config', 'verbose']) === true;
  const error = new HttpError({
    code: 404,
    message: verbose ? 'Requested url does not match any rules' : 'The requested resource could not be found',
  });
  const body = `${JSON.stringify(error.toJSON(requestId))}\n`;
  response.writeHead(404, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  });
  response.end(body);
}
