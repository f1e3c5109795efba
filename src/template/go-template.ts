import type { Node } from './ast.js';
import { goBuiltins, oathkeeperFunctions } from './builtins.js';
import type { FunctionTable, TemplateFunction } from './functions.js';
import { escapeForContext, type HtmlContext, prepareHtml } from './html-escaper.js';
import { parseTemplate } from './parser.js';
import { type MissingKey, type RenderContext, renderNodes } from './render.js';
import { type SprigOptions, sprigFunctions } from './sprig.js';
import { TemplateError } from './template-error.js';
import type { GoValue } from './values.js';

/** Which functions a template may call. */
export type FunctionSet =
  /** Go's builtins only. */
  | 'go'
  /** Go's builtins and sprig: Kratos' builtin templates. */
  | 'sprig'
  /** Builtins and sprig without env, clock or randomness: Kratos' template overrides. */
  | 'sprig-hermetic'
  /** Builtins, sprig, and Oathkeeper's `print` and `printIndex`: mutator and authorizer templates. */
  | 'oathkeeper';

export interface GoTemplateOptions {
  /** Names the template in error messages. */
  name?: string;
  functions?: FunctionSet;
  /** What a missing map key gives: `<no value>` (default), the zero value (Oathkeeper), or an error. */
  missingKey?: MissingKey;
  /** `html`: html/template's contextual escaping, for HTML email bodies. */
  mode?: 'text' | 'html';
  /** Further templates parsed into the same set, reachable with `{{template "name"}}`. */
  templates?: Record<string, string>;
  sprig?: SprigOptions;
}

/** Builds a function table; callers keep it, so that parsing many templates builds it once. */
export function functionTable(set: FunctionSet, options: SprigOptions = {}): FunctionTable {
  const table = new Map<string, TemplateFunction>(goBuiltins());
  if (set === 'go') return table;
  for (const [name, spec] of sprigFunctions({ ...options, hermetic: set === 'sprig-hermetic' }))
    table.set(name, spec);
  if (set === 'oathkeeper') for (const [name, spec] of oathkeeperFunctions()) table.set(name, spec);
  return table;
}

/**
 * A parsed Go template: parse once, render many times. Rendering never mutates the template,
 * so one instance serves concurrent requests.
 */
export class GoTemplate {
  private constructor(
    private readonly source: string,
    private readonly name: string,
    private readonly root: Node[],
    private readonly templates: ReadonlyMap<string, Node[]>,
    private readonly functions: FunctionTable,
    private readonly missingKey: MissingKey,
    private readonly html?: { index: Map<Node, number>; contexts: HtmlContext[] },
  ) {}

  static parse(
    text: string,
    options: GoTemplateOptions & { functionTable?: FunctionTable } = {},
  ): GoTemplate {
    return withStackGuard(options.name ?? 'main', () => GoTemplate.parseUnguarded(text, options));
  }

  private static parseUnguarded(
    text: string,
    options: GoTemplateOptions & { functionTable?: FunctionTable },
  ): GoTemplate {
    const name = options.name ?? 'main';
    const functions = options.functionTable ?? functionTable(options.functions ?? 'go', options.sprig);
    const names = new Set(functions.keys());
    const templates = new Map<string, Node[]>();
    const parsed = parseTemplate(text, name, names);
    for (const [defined, body] of parsed.defined) templates.set(defined, body);
    templates.set(name, parsed.root);
    // Further templates are parsed after the main one, so their definitions replace its blocks.
    for (const [extraName, extraText] of Object.entries(options.templates ?? {})) {
      const extra = parseTemplate(extraText, extraName, names);
      templates.set(extraName, extra.root);
      for (const [defined, body] of extra.defined) templates.set(defined, body);
    }
    let html: { index: Map<Node, number>; contexts: HtmlContext[] } | undefined;
    if (options.mode === 'html') {
      const prepared: { index: Map<Node, number>; contexts: HtmlContext[] } = {
        index: new Map(),
        contexts: [],
      };
      for (const [templateName, body] of templates) {
        const one = prepareHtml(body, templateName);
        for (const [node, position] of one.index)
          prepared.index.set(node, prepared.contexts.length + position);
        prepared.contexts.push(...one.contexts);
      }
      html = prepared;
    }
    return new GoTemplate(
      text,
      name,
      parsed.root,
      templates,
      functions,
      options.missingKey ?? 'default',
      html,
    );
  }

  /** Renders with `data` as dot; throws TemplateError. */
  // Built once: rendering is on the proxy's per-request path.
  private context?: RenderContext;

  render(data: GoValue): string {
    const html = this.html;
    this.context ??= {
      source: this.source,
      name: this.name,
      templates: this.templates,
      functions: this.functions,
      missingKey: this.missingKey,
      escape: html ? (value, index) => escapeForContext(value, html.contexts[index]!) : undefined,
      actionIndex: html?.index,
    };
    try {
      return renderNodes(this.context, this.root, data);
    } catch (error) {
      if (error instanceof RangeError) throw new TemplateError(`template: ${this.name}: too deeply nested`);
      throw error;
    }
  }
}

/**
 * Turns running out of stack (absurdly nested parentheses or data) into a TemplateError, so that
 * a template can never fail with anything else.
 */
function withStackGuard<T>(name: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError) throw new TemplateError(`template: ${name}: too deeply nested`);
    throw error;
  }
}
