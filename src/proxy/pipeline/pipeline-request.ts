import type { IncomingHttpHeaders } from 'node:http';

/**
 * The request a rule decides on, as the proxy or the decisions API rebuilt it: method, the URL
 * matched (scheme, host, cleaned path) with the query kept separately, and the client's headers.
 */
export interface PipelineRequest {
  method: string;
  /** `scheme://host/path?query`; the path is decoded and cleaned as Oathkeeper matches it. */
  url: URL;
  headers: IncomingHttpHeaders;
  remoteAddress: string;
}

/** First value of a header, `undefined` when absent. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
