import type { Logger } from '../log/logger.js';
import type { JsonWebKeySet } from './json-web-key.js';
import { parseKeySetLocation } from './key-set-location.js';
import { KeySetSource } from './key-set-source.js';
import { loadSigningKeySet } from './signing-key-set.js';

/** Every key set the proxy signs with, one source per distinct `jwks_url`. */
export class KeySetSources {
  private readonly sources = new Map<string, KeySetSource>();

  constructor(private readonly options: { cwd: string; ttlMs: number; log: Logger }) {}

  /** The source for a signing key set's URL, created on first use. */
  signing(url: string): KeySetSource {
    let source = this.sources.get(url);
    if (!source) {
      source = new KeySetSource({
        location: parseKeySetLocation(url, this.options.cwd),
        ttlMs: this.options.ttlMs,
        check: (set: JsonWebKeySet, name: string) => void loadSigningKeySet(set, name),
        log: this.options.log,
      });
      this.sources.set(url, source);
    }
    return source;
  }

  all(): KeySetSource[] {
    return [...this.sources.values()];
  }

  async start(): Promise<void> {
    await Promise.all(this.all().map((source) => source.start()));
  }

  stop(): void {
    for (const source of this.all()) source.stop();
  }
}
