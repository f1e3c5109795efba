import type { FastifyInstance } from 'fastify';

const NO_CACHE = 'private, no-cache, no-store, must-revalidate';

/**
 * Marks every GET answer of `app` as not cacheable, unless a route chose otherwise: identity
 * answers carry sessions, traits and flow state, which no shared cache may keep. Kratos sends
 * the same header on its GET routes.
 */
export function preventCachingOfGets(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    if (request.method === 'GET' && !reply.hasHeader('cache-control'))
      reply.header('cache-control', NO_CACHE);
  });
}
