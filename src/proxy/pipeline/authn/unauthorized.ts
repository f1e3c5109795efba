import type { AuthenticatorHandler } from '../handler.js';
import { pipelineErrors } from '../pipeline-error.js';

/** Refuses every request with 401. */
export const unauthorized: AuthenticatorHandler = {
  name: 'unauthorized',
  prepare: () => ({
    synchronous: true,
    authenticate: () => ({ kind: 'failed', error: pipelineErrors.unauthorized() }),
  }),
};
