import type { ErrorHandlerHandler } from '../handler.js';
import { compileWhen, type WhenCondition } from './when-conditions.js';

/** 401 with `WWW-Authenticate: Basic realm=...`; the realm is not quoted, as Oathkeeper writes it. */
export const wwwAuthenticate: ErrorHandlerHandler = {
  name: 'www_authenticate',
  prepare(config) {
    const realm = typeof config.realm === 'string' ? config.realm : 'Please authenticate.';
    return {
      isResponsible: compileWhen(config.when as WhenCondition[] | undefined),
      handle: () => ({
        status: 401,
        headers: {
          'www-authenticate': `Basic realm=${realm}`,
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
        },
        body: 'Unauthorized\n',
      }),
    };
  },
};
