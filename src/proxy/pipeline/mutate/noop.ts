import type { MutatorHandler } from '../handler.js';
import { headerValue } from '../pipeline-request.js';

/**
 * Oathkeeper's noop mutator makes the session headers the whole request header set (first values
 * only), with headers set earlier re-applied on top: that is why `/decisions` with noop echoes
 * every request header. Host is not among them: Go keeps it outside the header map.
 */
export const noop: MutatorHandler = {
  name: 'noop',
  prepare: () => ({
    synchronous: true,
    mutate(request, session) {
      const earlier = Object.entries(session.Header).map(
        ([name, values]) => [name, (values as string[])[0] ?? ''] as const,
      );
      for (const name of Object.keys(request.headers)) {
        if (name === 'host') continue;
        const value = headerValue(request.headers, name);
        if (value !== undefined) session.setHeader(name, value);
      }
      for (const [name, value] of earlier) session.setHeader(name, value);
    },
  }),
};
