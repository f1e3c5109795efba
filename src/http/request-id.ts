import { randomBytes } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

// A client's id is kept only when it is short and plain, so it cannot inject into log lines.
const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

const COUNTER_LIMIT = 2 ** 48;
let prefix = '';
let counter = COUNTER_LIMIT;

/**
 * A new request id: a UUID in form (RFC 9562 version 8, "custom"), made of 74 random bits drawn
 * once per 2^48 ids and a 48-bit counter. Unique across processes and nodes like a random UUID,
 * but without drawing randomness per request: at proxy rates `randomUUID()` cost 3 % of the
 * /decisions throughput (bench/README.md). Request ids are for correlating log lines, not
 * secrets, so that they are sequential within a process does no harm.
 */
export function newRequestId(): string {
  if (counter >= COUNTER_LIMIT) {
    const hex = randomBytes(10).toString('hex');
    // Version 8 in the 13th digit, the RFC variant (10xx) in the 17th.
    const variant = ((Number.parseInt(hex[15]!, 16) & 0x3) | 0x8).toString(16);
    prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(12, 15)}-${variant}${hex.slice(16, 19)}-`;
    counter = 0;
  }
  const count = (counter++).toString(16);
  return prefix + '000000000000'.slice(count.length) + count;
}

/** The request id to use: the caller's `X-Request-Id` when acceptable, else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE.test(value) ? value : newRequestId();
}
