import { Agent } from 'undici';
import { systemClock } from '../../../src/clock.js';
import { KeySetSources } from '../../../src/keys/key-set-sources.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { HandlerDependencies } from '../../../src/proxy/pipeline/handler.js';
import { cryptoRandom } from '../../../src/random.js';

/** What the proxy prepares handlers with, for tests that prepare one directly. */
export function handlerDependencies(overrides: Partial<HandlerDependencies> = {}): HandlerDependencies {
  const log = overrides.log ?? silentLogger();
  const cwd = overrides.cwd ?? process.cwd();
  return {
    log,
    clock: systemClock,
    random: cryptoRandom,
    keySets: new KeySetSources({ cwd, ttlMs: 30_000, log }),
    cwd,
    dispatcher: new Agent(),
    ...overrides,
  };
}
