import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { describeFileError } from '../file-error.js';
import type { Logger } from '../log/logger.js';
import { type JsonWebKeySet, parseKeySetJson } from './json-web-key.js';
import type { KeySetLocation } from './key-set-location.js';

export interface KeySetSourceOptions {
  location: KeySetLocation;
  /** Re-read at least this often, even without a change notice (Oathkeeper's `jwks_ttl`, 30 s). */
  ttlMs: number;
  /** Validates a freshly read set (e.g. loadSigningKeySet); a set that throws is not taken. */
  check: (set: JsonWebKeySet, source: string) => void;
  log: Logger;
  /** Longest wait for an HTTP source (Oathkeeper's `jwks_max_wait`, 1 s). */
  maxWaitMs?: number;
}

/**
 * One key set, kept current: a file is re-read when it changes and at least every `ttlMs`; a URL is
 * fetched every `ttlMs`. A read that fails (missing, unparsable, invalid) is logged, without key
 * material, and the last good set stays in use, so a half-copied or corrupted file on one node
 * never stops it signing.
 */
export class KeySetSource {
  private good: { set: JsonWebKeySet; loadedAt: Date } | undefined;
  private lastError: string | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;

  constructor(private readonly options: KeySetSourceOptions) {}

  get url(): string {
    return this.options.location.url;
  }

  /** The last set that loaded, if any. */
  current(): JsonWebKeySet | undefined {
    return this.good?.set;
  }

  /** Why the most recent read failed, or undefined when it succeeded. */
  error(): string | undefined {
    return this.lastError;
  }

  /** Reads now; concurrent calls share one read, and a change during a read triggers one more. */
  refresh(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        void this.refresh();
      }
    });
    return this.reading;
  }

  /** First read, then watching and periodic re-reads. */
  async start(): Promise<void> {
    await this.refresh();
    const { location } = this.options;
    if (location.kind === 'file') {
      // The folder is watched, not the file: an atomic replace (write + rename) gives the file a
      // new inode, which a watch on the old one would never report.
      try {
        const name = basename(location.path);
        this.watcher = watch(dirname(location.path), { persistent: false }, (_event, changed) => {
          if (changed === null || changed === name) void this.refresh();
        });
        this.watcher.on('error', () => {});
      } catch (error) {
        this.options.log.warn(
          { source: location.url, error: (error as Error).message },
          'cannot watch key file; re-reading it periodically',
        );
      }
    }
    this.timer = setInterval(() => void this.refresh(), this.options.ttlMs);
    this.timer.unref();
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }

  private async read(): Promise<void> {
    const { location, log } = this.options;
    try {
      const text = await this.fetchText();
      const set = parseKeySetJson(text, location.url);
      this.options.check(set, location.url);
      const changed = JSON.stringify(set) !== JSON.stringify(this.good?.set);
      this.good = { set, loadedAt: new Date() };
      if (this.lastError !== undefined || changed)
        log.info({ source: location.url, keys: set.keys.length }, 'key set loaded');
      this.lastError = undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) {
        log.error(
          { source: location.url, error: message },
          this.good ? 'cannot load key set; keeping the last good one' : 'cannot load key set',
        );
      }
      this.lastError = message;
    }
  }

  private async fetchText(): Promise<string> {
    const { location } = this.options;
    if (location.kind === 'file') {
      try {
        return await readFile(location.path, 'utf8');
      } catch (error) {
        throw new Error(`${location.path}: ${describeFileError(error)}`);
      }
    }
    const response = await fetch(location.url, {
      signal: AbortSignal.timeout(this.options.maxWaitMs ?? 1000),
    });
    if (!response.ok) throw new Error(`${location.url} answered ${response.status}`);
    return response.text();
  }
}
