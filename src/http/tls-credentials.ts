import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { getPath, type JsonObject } from '../config/object-path.js';

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/**
 * A listener's `tls` section (`serve.<listener>.tls`): `cert` and `key`, each a PEM file `path`
 * or the whole PEM file `base64`-encoded. Neither set: undefined (plain HTTP). One without the
 * other, an unreadable file or a pair that does not load: an Error naming the key, since a
 * listener that was meant to be HTTPS must not start as plain HTTP.
 */
export function readTlsCredentials(
  document: JsonObject,
  path: readonly string[],
  cwd: string,
): TlsCredentials | undefined {
  const where = path.join('.');
  const source = (part: 'cert' | 'key'): Buffer | undefined => {
    const file = getPath(document, [...path, part, 'path']) as string | undefined;
    const base64 = getPath(document, [...path, part, 'base64']) as string | undefined;
    if (file) {
      try {
        return readFileSync(resolve(cwd, file));
      } catch (error) {
        throw new Error(
          `${where}.${part}.path: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }
    if (base64) return Buffer.from(base64, 'base64');
    return undefined;
  };
  const cert = source('cert');
  const key = source('key');
  if (!cert && !key) return undefined;
  if (!cert) throw new Error(`${where}: key is set but cert is not; set both or neither`);
  if (!key) throw new Error(`${where}: cert is set but key is not; set both or neither`);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    // The message is OpenSSL's reason (e.g. "key values mismatch"); it never contains key material.
    throw new Error(`${where}: the certificate and key do not load: ${(error as Error).message}`);
  }
  return { cert, key };
}
