import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../http/http-error.js';
import type { KeySetSources } from '../../keys/key-set-sources.js';
import { JWKS_MAX_AGE_SECONDS, publicKeySet } from '../../keys/public-key-set.js';

/**
 * `GET /.well-known/jwks.json`: the public half of every id_token signing key set, kids exactly
 * as in the files. 500 when no key set is configured or none has loaded, as Oathkeeper answers.
 */
export function registerJwksRoute(app: FastifyInstance, keySets: KeySetSources): void {
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    const sources = keySets.all();
    if (sources.length === 0) {
      throw new HttpError({
        code: 500,
        message: 'No key set is configured: set mutators.id_token.config.jwks_url.',
      });
    }
    const sets = sources.map((source) => source.current()).filter((set) => set !== undefined);
    if (sets.length === 0) {
      throw new HttpError({ code: 500, message: 'No key set could be loaded; see the proxy log.' });
    }
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
      .send(publicKeySet(sets));
  });
}
