import type { AuthorizerHandler } from '../handler.js';

/** Allows every request. */
export const allow: AuthorizerHandler = {
  name: 'allow',
  prepare: () => ({ synchronous: true, authorize: () => {} }),
};
