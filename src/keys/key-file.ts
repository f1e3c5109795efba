import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeFileError } from '../file-error.js';
import { type JsonWebKeySet, parseKeySetJson } from './json-web-key.js';
import { KeySetError } from './key-set-error.js';

/**
 * Writes a secret file atomically with mode 0600: a temporary file in the same folder is written,
 * flushed and renamed over the target, so a reader never sees half a key and a crash leaves
 * either the old file or the new one. Refuses to replace an existing file unless `overwrite`.
 */
export function writeSecretFile(path: string, content: string, options: { overwrite?: boolean } = {}): void {
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (!options.overwrite) {
      // Opening with O_EXCL on the target decides the race with another writer, not just a stat.
      closeSync(openSync(path, 'wx', 0o600));
    }
    renameSync(temporary, path);
  } catch (error) {
    unlinkSync(temporary);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${path} exists already; pass --force to replace it`);
    }
    throw error;
  }
}

/** Reads a key-set file; problems (missing, unreadable, not a JWKS) are KeySetErrors without key material. */
export function readKeySetFile(path: string): JsonWebKeySet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new KeySetError(`${path}: ${describeFileError(error)}`);
  }
  return parseKeySetJson(text, path);
}

/** Formats a key set as Oathkeeper writes it: two-space indented JSON and a newline. */
export function formatKeySet(set: JsonWebKeySet): string {
  return `${JSON.stringify(set, null, 2)}\n`;
}
