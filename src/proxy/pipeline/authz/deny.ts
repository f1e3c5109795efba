import type { AuthorizerHandler } from '../handler.js';
import { pipelineErrors } from '../pipeline-error.js';

/** Refuses every request with 403. */
export const deny: AuthorizerHandler = {
  name: 'deny',
  prepare: () => ({
    authorize: () => {
      throw pipelineErrors.forbidden();
    },
  }),
};
