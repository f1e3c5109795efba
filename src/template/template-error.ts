/**
 * Any failure to parse or render a template. Parse errors name the template and the position
 * (`template: main:3:14: ...`) as Go's do; render errors name the action that failed.
 */
export class TemplateError extends Error {
  override name = 'TemplateError';
}
