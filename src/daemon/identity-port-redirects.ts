import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

function redirect(base: URL, path: (request: FastifyRequest) => string) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.raw.url ?? '/';
    const queryAt = url.indexOf('?');
    const target = new URL(path(request).replace(/^\//, ''), base);
    // 307 keeps the method and body, so a client that used the wrong port still gets its answer.
    return reply
      .code(307)
      .header('location', `${target.toString()}${queryAt < 0 ? '' : url.slice(queryAt)}`)
      .send();
  };
}

/**
 * Kratos sends a request that came to the wrong port on with a 307: the public port forwards
 * admin paths to the admin base URL (always under `/admin`), the admin port forwards self-service,
 * schema and whoami paths to the public base URL.
 */
export function registerPortRedirects(
  publicApp: FastifyInstance,
  adminApp: FastifyInstance,
  urls: { publicBase: URL; adminBase: URL },
): void {
  const toAdmin = redirect(urls.adminBase, (request) => {
    const path = request.url.split('?')[0]!;
    return path.startsWith('/admin/') ? path : `/admin${path}`;
  });
  for (const url of ['/admin/*', '/identities', '/identities/*']) {
    publicApp.route({ method: [...ALL_METHODS], url, handler: toAdmin });
  }

  // The admin app sees every path with /admin in front (its rewrite), so these are matched there.
  const toPublic = redirect(urls.publicBase, (request) => request.url.split('?')[0]!.replace(/^\/admin/, ''));
  for (const url of ['/admin/self-service/*', '/admin/schemas', '/admin/schemas/*']) {
    adminApp.route({ method: [...ALL_METHODS], url, handler: toPublic });
  }
  adminApp.route({ method: ['GET'], url: '/admin/sessions/whoami', handler: toPublic });
  adminApp.route({ method: ['DELETE'], url: '/admin/sessions', handler: toPublic });
}
