import type { AuthenticatorHandler } from '../handler.js';

/** Lets every request through with an empty subject. */
export const noop: AuthenticatorHandler = {
  name: 'noop',
  prepare: () => ({ synchronous: true, authenticate: () => ({ kind: 'authenticated' }) }),
};
