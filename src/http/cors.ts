import type { IncomingMessage, ServerResponse } from 'node:http';

/** `serve.<listener>.cors` with Oathkeeper's defaults. */
export interface CorsConfig {
  enabled: boolean;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposedHeaders: string[];
  allowCredentials: boolean;
  maxAge: number;
}

export function readCorsConfig(raw: Record<string, unknown> | undefined): CorsConfig {
  const list = (value: unknown, fallback: string[]) => (Array.isArray(value) ? value.map(String) : fallback);
  return {
    enabled: raw?.enabled === true,
    allowedOrigins: list(raw?.allowed_origins, ['*']),
    allowedMethods: list(raw?.allowed_methods, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).map((method) =>
      method.toUpperCase(),
    ),
    allowedHeaders: list(raw?.allowed_headers, ['Authorization', 'Content-Type']),
    exposedHeaders: list(raw?.exposed_headers, ['Content-Type']),
    allowCredentials: raw?.allow_credentials === true,
    maxAge: typeof raw?.max_age === 'number' ? raw.max_age : 0,
  };
}

/** What CORS adds to one request: the headers, and whether it is a preflight answered with 204. */
export interface CorsAnswer {
  preflight: boolean;
  headers: [string, string][];
}

const NO_CORS: CorsAnswer = { preflight: false, headers: [] };

/**
 * CORS as Oathkeeper (rs/cors) does it. A preflight (OPTIONS with Access-Control-Request-Method) is
 * answered with 204 and never reaches rules; every other response gets `Vary: Origin`, and, when
 * the origin and method are allowed, the request's Origin echoed back. A disallowed origin gets
 * no CORS headers but is still served.
 */
export function corsAnswer(config: CorsConfig, request: IncomingMessage): CorsAnswer {
  if (!config.enabled) return NO_CORS;
  const origin = request.headers.origin;
  const method = request.method?.toUpperCase() ?? 'GET';
  const preflightMethod = request.headers['access-control-request-method'];
  if (method === 'OPTIONS' && typeof preflightMethod === 'string') {
    const headers: [string, string][] = [
      ['Vary', 'Origin'],
      ['Vary', 'Access-Control-Request-Method'],
      ['Vary', 'Access-Control-Request-Headers'],
    ];
    const requestedHeaders = splitList(request.headers['access-control-request-headers']);
    const allowedHeaders = config.allowedHeaders.map((header) => header.toLowerCase());
    if (
      origin &&
      originAllowed(config, origin) &&
      config.allowedMethods.includes(preflightMethod.toUpperCase()) &&
      (allowedHeaders.includes('*') ||
        requestedHeaders.every(
          (header) => header.toLowerCase() === 'origin' || allowedHeaders.includes(header.toLowerCase()),
        ))
    ) {
      headers.push(['Access-Control-Allow-Origin', origin]);
      headers.push(['Access-Control-Allow-Methods', preflightMethod.toUpperCase()]);
      if (requestedHeaders.length > 0)
        headers.push(['Access-Control-Allow-Headers', requestedHeaders.join(', ')]);
      if (config.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
      if (config.maxAge > 0) headers.push(['Access-Control-Max-Age', String(config.maxAge)]);
    }
    return { preflight: true, headers };
  }
  const headers: [string, string][] = [['Vary', 'Origin']];
  if (origin && originAllowed(config, origin) && config.allowedMethods.includes(method)) {
    headers.push(['Access-Control-Allow-Origin', origin]);
    if (config.exposedHeaders.length > 0)
      headers.push(['Access-Control-Expose-Headers', config.exposedHeaders.join(', ')]);
    if (config.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
  }
  return { preflight: false, headers };
}

/**
 * corsAnswer for a server that builds its response with setHeader (the API port): sets the
 * headers, answers a preflight with 204, and returns true when it answered the request itself.
 */
export function applyCors(config: CorsConfig, request: IncomingMessage, response: ServerResponse): boolean {
  const answer = corsAnswer(config, request);
  for (const [name, value] of answer.headers) response.appendHeader(name, value);
  if (!answer.preflight) return false;
  response.writeHead(204);
  response.end();
  return true;
}

function splitList(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function originAllowed(config: CorsConfig, origin: string): boolean {
  const lower = origin.toLowerCase();
  return config.allowedOrigins.some((allowed) => {
    const pattern = allowed.toLowerCase();
    if (pattern === '*') return true;
    const star = pattern.indexOf('*');
    if (star < 0) return pattern === lower;
    // One wildcard inside an origin: https://*.example.com matches any subdomain.
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    return (
      lower.length >= prefix.length + suffix.length && lower.startsWith(prefix) && lower.endsWith(suffix)
    );
  });
}
