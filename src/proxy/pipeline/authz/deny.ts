import type { AuthorizerHandler } from '../handler.js';
import { pipelineErrors } from '../pipeline-error.js';

/** Refuses every request with 403. */
export const deny: AuthorizerHandler = {
  name: 'deny',
  prepare: () => ({
    synchronous: true,
    authorize: () => {
      throw pipelineErrors.forbidden();
    },
  }),
};
