import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFileError } from '../../file-error.js';
import type { Logger } from '../../log/logger.js';
import { type AccessRule, parseRuleDocument } from './access-rule.js';

/** Where rules come from, one entry of `access_rules.repositories`. */
export type RuleLocation =
  | { kind: 'file'; url: string; path: string }
  | { kind: 'http'; url: string }
  | { kind: 'inline'; url: string; text: string };

export function parseRuleLocation(url: string, cwd: string): RuleLocation {
  if (/^https?:\/\//i.test(url)) return { kind: 'http', url };
  if (url.startsWith('inline://')) {
    return {
      kind: 'inline',
      url,
      text: Buffer.from(url.slice('inline://'.length), 'base64').toString('utf8'),
    };
  }
  if (url.startsWith('file://')) {
    const rest = url.slice('file://'.length);
    return {
      kind: 'file',
      url,
      path: rest.startsWith('/') ? fileURLToPath(url) : resolve(cwd, decodeURIComponent(rest)),
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(
      `access_rules.repositories: unsupported scheme in "${url}"; use file://, http(s):// or inline://`,
    );
  }
  return { kind: 'file', url, path: isAbsolute(url) ? url : resolve(cwd, url) };
}

export interface RuleSource {
  url: string;
  rules: AccessRule[];
}

/**
 * Reads every rule repository and keeps them current. Files are watched and re-read when they
 * change; content that does not parse is logged and that file's previous rules stay active (so
 * do a deleted file's, as in Oathkeeper). HTTP repositories are read once, at start, and a
 * failure there stops the start; a missing or broken file at start is only logged.
 */
export class RuleRepositories {
  private readonly sources = new Map<string, RuleSource>();
  private readonly watchers: FSWatcher[] = [];
  private readonly locations: RuleLocation[];

  constructor(
    urls: readonly string[],
    private readonly options: { cwd: string; log: Logger; onChange: () => void; fetchTimeoutMs?: number },
  ) {
    this.locations = urls.map((url) => parseRuleLocation(url, options.cwd));
  }

  /** The rules of every repository that loaded, in repository order. */
  current(): RuleSource[] {
    return this.locations
      .map((location) => this.sources.get(location.url))
      .filter((source): source is RuleSource => !!source);
  }

  async start(): Promise<void> {
    for (const location of this.locations) {
      if (location.kind === 'inline') {
        this.sources.set(location.url, {
          url: location.url,
          rules: parseRuleDocument(location.text, 'inline rules'),
        });
      } else if (location.kind === 'http') {
        const response = await fetch(location.url, {
          signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 10_000),
        }).catch((error: Error) => {
          throw new Error(`access rules ${location.url}: ${error.message}`);
        });
        if (response.status !== 200)
          throw new Error(`access rules ${location.url}: answered ${response.status}, expected 200`);
        this.sources.set(location.url, {
          url: location.url,
          rules: parseRuleDocument(await response.text(), location.url),
        });
      } else {
        await this.readFile(location);
        this.watchFile(location);
      }
    }
  }

  stop(): void {
    for (const watcher of this.watchers) watcher.close();
  }

  private watchFile(location: Extract<RuleLocation, { kind: 'file' }>): void {
    try {
      const name = basename(location.path);
      let timer: NodeJS.Timeout | undefined;
      const watcher = watch(dirname(location.path), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed !== name) return;
        // Editors write in several steps; read once things settle.
        clearTimeout(timer);
        timer = setTimeout(() => {
          void this.readFile(location).then((changedRules) => {
            if (changedRules) this.options.onChange();
          });
        }, 25);
      });
      watcher.on('error', () => {});
      this.watchers.push(watcher);
    } catch (error) {
      this.options.log.warn(
        { source: location.url, error: (error as Error).message },
        'cannot watch access rule file',
      );
    }
  }

  /** Reads one file; returns whether its rules changed. */
  private async readFile(location: Extract<RuleLocation, { kind: 'file' }>): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(location.path, 'utf8');
    } catch (error) {
      this.options.log.error(
        { source: location.url, error: describeFileError(error) },
        this.sources.has(location.url)
          ? 'cannot read access rules; keeping the previous ones'
          : 'cannot read access rules',
      );
      return false;
    }
    try {
      const rules = parseRuleDocument(text, location.path);
      const previous = this.sources.get(location.url);
      if (previous && JSON.stringify(previous.rules) === JSON.stringify(rules)) return false;
      this.sources.set(location.url, { url: location.url, rules });
      this.options.log.info({ source: location.url, rules: rules.length }, 'access rules loaded');
      return true;
    } catch (error) {
      this.options.log.error(
        { source: location.url, error: (error as Error).message },
        'access rules do not parse; keeping the previous ones',
      );
      return false;
    }
  }
}
