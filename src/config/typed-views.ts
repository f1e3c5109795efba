import { hostname } from 'node:os';
import { parseDuration } from './duration.js';
import { getPath, type JsonObject } from './object-path.js';

/** Where one server listens and the URL it is reached at. */
export interface ListenConfig {
  host: string;
  port: number;
  /** The externally visible base URL, always ending in `/`. */
  baseUrl: URL;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal' | 'panic';

export interface LogConfig {
  level: LogLevel;
  format: 'json' | 'json_pretty' | 'text';
  leakSensitiveValues: boolean;
}

export function readLogConfig(document: JsonObject): LogConfig {
  return {
    level: (getPath(document, ['log', 'level']) as LogLevel | undefined) ?? 'info',
    format: (getPath(document, ['log', 'format']) as LogConfig['format'] | undefined) ?? 'text',
    leakSensitiveValues: getPath(document, ['log', 'leak_sensitive_values']) === true,
  };
}

export function readListenConfig(
  document: JsonObject,
  path: string[],
  defaults: { port: number; host: string },
  dev: boolean,
): ListenConfig {
  const host = (getPath(document, [...path, 'host']) as string | undefined) ?? defaults.host;
  const port = (getPath(document, [...path, 'port']) as number | undefined) ?? defaults.port;
  const configured = getPath(document, [...path, 'base_url']) as string | undefined;
  // As Kratos: without base_url, the URL is built from the machine's name (https unless in dev).
  const baseUrl = new URL(configured ?? `${dev ? 'http' : 'https'}://${hostname()}:${port}/`);
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  return { host, port, baseUrl };
}

export function readShutdownTimeout(document: JsonObject): number {
  return parseDuration((getPath(document, ['serve', 'shutdown_timeout']) as string | undefined) ?? '10s');
}
