import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { describeFileError } from '../../file-error.js';

/** The fetch an HTTP source uses; tests pass one bound to a local server. */
export type FetchFunction = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

export interface SchemaSourceOptions {
  /** What `file://relative/path` and bare paths are resolved against. */
  cwd: string;
  fetch?: FetchFunction;
  /** Longest wait for an HTTP source; 10 s by default. */
  timeoutMs?: number;
}

// Kratos refuses identity schema documents over 1 MiB (Kratos source: schema/prevalidate.go).
export const MAX_SCHEMA_BYTES = 1024 * 1024;

/**
 * Reads an identity schema's text from `identity.schemas[].url` as Kratos' loaders do:
 * `file://<path>` (the rest taken as a path, relative ones against `cwd`), a bare path,
 * `http(s)://` (status 200 only) and `base64://<standard base64>`. Throws an Error saying what
 * went wrong, without the content.
 */
export async function readSchemaSource(url: string, options: SchemaSourceOptions): Promise<string> {
  if (url.startsWith('base64://')) return decodeBase64(url.slice('base64://'.length));
  if (/^https?:\/\//i.test(url)) return fetchText(url, options);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('file://')) {
    throw new Error(`unsupported URL scheme; use file://, http://, https:// or base64://`);
  }
  const rest = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const path = isAbsolute(rest) ? rest : resolve(options.cwd, rest);
  try {
    if ((await stat(path)).size > MAX_SCHEMA_BYTES) throw new TooLarge();
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof TooLarge) throw new Error(`${path} is larger than ${MAX_SCHEMA_BYTES} bytes`);
    throw new Error(`${path}: ${describeFileError(error)}`);
  }
}

class TooLarge extends Error {}

function decodeBase64(encoded: string): string {
  // Go's decoder skips line breaks; padding is optional here, Kratos requires it.
  const compact = encoded.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
    throw new Error('is not valid base64 (standard alphabet, as in `base64 -w0 identity.schema.json`)');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > MAX_SCHEMA_BYTES) throw new Error(`decodes to more than ${MAX_SCHEMA_BYTES} bytes`);
  return bytes.toString('utf8');
}

async function fetchText(url: string, options: SchemaSourceOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch: FetchFunction = options.fetch ?? ((target, init) => fetch(target, init));
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await doFetch(url, { signal });
  } catch (error) {
    throw new Error(fetchFailure(error, timeoutMs));
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`answered HTTP ${response.status}, not 200`);
  }
  try {
    return await readCapped(response);
  } catch (error) {
    if (error instanceof TooLarge) throw new Error(`answered with more than ${MAX_SCHEMA_BYTES} bytes`);
    throw new Error(fetchFailure(error, timeoutMs));
  }
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_SCHEMA_BYTES) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function fetchFailure(error: unknown, timeoutMs: number): string {
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `gave no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `cannot be fetched (${cause?.code ?? cause?.message ?? (error as Error).message})`;
}
