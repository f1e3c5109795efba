import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

// A client's id is kept only when it is short and plain, so it cannot inject into log lines.
const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The request id to use: the caller's `X-Request-Id` when acceptable, else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE.test(value) ? value : randomUUID();
}
