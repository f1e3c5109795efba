import { GoTemplate } from '../../../template/go-template.js';
import { TemplateError } from '../../../template/template-error.js';
import type { MutatorHandler } from '../handler.js';
import { pipelineErrors } from '../pipeline-error.js';

/**
 * Sets each configured header to its rendered template. An empty result still sets the header,
 * replacing a client-sent header of that name, as Oathkeeper does.
 */
export const header: MutatorHandler = {
  name: 'header',
  prepare(config) {
    const headers = Object.entries((config.headers ?? {}) as Record<string, string>).map(([name, text]) => ({
      name,
      // Parsed when the rule loads; a template that does not parse makes the rule invalid.
      template: GoTemplate.parse(text, { name, functions: 'oathkeeper', missingKey: 'zero' }),
    }));
    return {
      synchronous: true,
      mutate(_request, session) {
        for (const { name, template } of headers) {
          try {
            session.setHeader(name, template.render(session));
          } catch (error) {
            if (error instanceof TemplateError)
              throw pipelineErrors.internal('The header mutator could not render a template', error.message);
            throw error;
          }
        }
      },
    };
  },
};
