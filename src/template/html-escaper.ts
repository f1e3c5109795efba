import type { Node } from './ast.js';
import { formatValue } from './go-format.js';
import { goJson } from './go-json.js';
import { TemplateError } from './template-error.js';
import type { GoValue } from './values.js';

/**
 * html/template's contextual escaping, for the HTML that email bodies use: each action is
 * escaped for where it stands (element text, an attribute name or value, a URL and which part of
 * it, a script value or string, a style), and HTML comments are dropped. The context of each
 * action is worked out once, at parse time, from the template text before it, as Go does.
 */
export interface HtmlContext {
  state: 'text' | 'tag' | 'attr' | 'script' | 'style' | 'comment';
  /** The element whose start tag is being read (`script` and `style` change what follows). */
  element: string;
  attr: 'normal' | 'url' | 'js' | 'css';
  quote: '"' | "'" | '';
  /** In a URL attribute: nothing yet, before `?`/`#`, or in the query or fragment. */
  urlPart: 'none' | 'preQuery' | 'query';
  /** Inside a JS string literal (script body or event handler). */
  jsQuote: '"' | "'" | '';
}

const TEXT: HtmlContext = {
  state: 'text',
  element: '',
  attr: 'normal',
  quote: '',
  urlPart: 'none',
  jsQuote: '',
};

const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'cite',
  'poster',
  'background',
  'longdesc',
  'usemap',
  'codebase',
  'data',
  'manifest',
  'icon',
  'profile',
  'classid',
  'archive',
]);

function attrKind(name: string): HtmlContext['attr'] {
  if (URL_ATTRIBUTES.has(name)) return 'url';
  if (name.startsWith('on')) return 'js';
  if (name === 'style') return 'css';
  return 'normal';
}

function sameContext(a: HtmlContext, b: HtmlContext): boolean {
  return (
    a.state === b.state &&
    a.attr === b.attr &&
    a.quote === b.quote &&
    a.jsQuote === b.jsQuote &&
    a.element === b.element
  );
}

/**
 * Walks a template's nodes: records each action's context, removes HTML comments from the text,
 * drops trailing `html` escapers (contextual escaping replaces them), and refuses templates
 * whose branches end in different contexts or that end inside a tag or attribute.
 */
export function prepareHtml(
  nodes: Node[],
  name: string,
): { index: Map<Node, number>; contexts: HtmlContext[] } {
  const index = new Map<Node, number>();
  const contexts: HtmlContext[] = [];
  const walk = (list: Node[], start: HtmlContext): HtmlContext => {
    let context = start;
    for (const node of list) {
      if (node.type === 'text') {
        const result = advance(context, node.text);
        node.text = result.output;
        context = result.context;
      } else if (node.type === 'action') {
        const last = node.pipe.commands[node.pipe.commands.length - 1];
        if (
          node.pipe.commands.length > 1 &&
          last?.args.length === 1 &&
          last.args[0]!.type === 'function' &&
          last.args[0]!.name === 'html'
        ) {
          node.pipe.commands.pop();
        }
        index.set(node, contexts.length);
        contexts.push(context);
        if (context.state === 'attr' && context.attr === 'url' && context.urlPart === 'none') {
          context = { ...context, urlPart: 'preQuery' };
        }
      } else if (node.type === 'if' || node.type === 'range' || node.type === 'with') {
        const after = walk(node.list, context);
        const otherwise = node.elseList ? walk(node.elseList, context) : context;
        if (!sameContext(after, otherwise)) {
          throw new TemplateError(
            `html/template:${name}: {{${node.type}}} branches end in different contexts`,
          );
        }
        context = after;
      }
    }
    return context;
  };
  const end = walk(nodes, TEXT);
  if (end.state !== 'text' && end.state !== 'script' && end.state !== 'style') {
    throw new TemplateError(`html/template:${name}: ends in a non-text context: ${end.state}`);
  }
  return { index, contexts };
}

function advance(start: HtmlContext, text: string): { context: HtmlContext; output: string } {
  let context = start;
  let output = '';
  let at = 0;
  while (at < text.length) {
    switch (context.state) {
      case 'comment': {
        const close = text.indexOf('-->', at);
        if (close < 0) return { context, output };
        at = close + 3;
        context = TEXT;
        break;
      }
      case 'text': {
        const open = text.indexOf('<', at);
        if (open < 0) {
          output += text.slice(at);
          return { context, output };
        }
        output += text.slice(at, open);
        if (text.startsWith('<!--', open)) {
          at = open + 4;
          context = { ...TEXT, state: 'comment' };
          break;
        }
        const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(text.slice(open));
        if (!tag) {
          output += '<';
          at = open + 1;
          break;
        }
        output += tag[0];
        at = open + tag[0].length;
        context = { ...TEXT, state: 'tag', element: tag[1] ? '' : tag[2]!.toLowerCase() };
        break;
      }
      case 'tag': {
        const rest = text.slice(at);
        const close = /^\s*\/?>/.exec(rest);
        if (close) {
          output += close[0];
          at += close[0].length;
          context =
            context.element === 'script'
              ? { ...TEXT, state: 'script' }
              : context.element === 'style'
                ? { ...TEXT, state: 'style' }
                : TEXT;
          break;
        }
        const attribute = /^\s*([^\s=>/]+)(\s*=\s*(["']?))?/.exec(rest);
        if (!attribute) {
          output += rest[0];
          at++;
          break;
        }
        output += attribute[0];
        at += attribute[0].length;
        if (attribute[2]) {
          context = {
            ...context,
            state: 'attr',
            attr: attrKind(attribute[1]!.toLowerCase()),
            quote: (attribute[3] ?? '') as HtmlContext['quote'],
            urlPart: 'none',
            jsQuote: '',
          };
        }
        break;
      }
      case 'attr': {
        const rest = text.slice(at);
        const end = context.quote === '' ? rest.search(/[\s>]/) : rest.indexOf(context.quote);
        const value = end < 0 ? rest : rest.slice(0, end);
        context = scanValue(context, value);
        output += value;
        if (end < 0) return { context, output };
        at += end;
        if (context.quote !== '') {
          output += context.quote;
          at++;
        }
        context = { ...context, state: 'tag', quote: '', urlPart: 'none', jsQuote: '' };
        break;
      }
      case 'script':
      case 'style': {
        const close = text.toLowerCase().indexOf(`</${context.state}`, at);
        const body = close < 0 ? text.slice(at) : text.slice(at, close);
        if (context.state === 'script') context = scanValue(context, body);
        output += body;
        if (close < 0) return { context, output };
        at = close;
        context = TEXT;
        break;
      }
    }
  }
  return { context, output };
}

/** Follows a URL's parts and JS string quotes through literal text. */
function scanValue(context: HtmlContext, value: string): HtmlContext {
  let next = context;
  if (context.state === 'attr' && context.attr === 'url') {
    if (/[?#]/.test(value)) next = { ...next, urlPart: 'query' };
    else if (value !== '' && next.urlPart === 'none') next = { ...next, urlPart: 'preQuery' };
  }
  if (context.state === 'script' || context.attr === 'js') {
    let quote = next.jsQuote;
    for (let i = 0; i < value.length; i++) {
      const char = value[i]!;
      if (quote !== '') {
        if (char === '\\') i++;
        else if (char === quote) quote = '';
      } else if (char === '"' || char === "'") quote = char;
    }
    next = { ...next, jsQuote: quote };
  }
  return next;
}

const HTML_TABLE: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '>': '&gt;',
};
const HTML_NOSPACE_TABLE: Record<string, string> = {
  ...HTML_TABLE,
  '\t': '&#9;',
  '\n': '&#10;',
  '\v': '&#11;',
  '\f': '&#12;',
  '\r': '&#13;',
  ' ': '&#32;',
  '=': '&#61;',
  '`': '&#96;',
};
const JS_STRING_TABLE: Record<string, string> = {
  '\0': '\\u0000',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\u000b',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\u0022',
  '&': '\\u0026',
  "'": '\\u0027',
  '+': '\\u002b',
  '/': '\\/',
  '<': '\\u003c',
  '>': '\\u003e',
  '\\': '\\\\',
};

function replaceWith(text: string, table: Record<string, string>): string {
  let out = '';
  for (const char of text) {
    if (Object.hasOwn(table, char)) out += table[char];
    else if (table === JS_STRING_TABLE && char.charCodeAt(0) < 0x20)
      out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return out;
}

function stringOf(value: GoValue): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : formatValue(value);
}

/** Escapes one action's value for its context. */
export function escapeForContext(value: GoValue, context: HtmlContext): string {
  switch (context.state) {
    case 'comment':
      return '';
    case 'tag': {
      // A value standing where an attribute name goes may only be a plain name.
      const name = stringOf(value).toLowerCase();
      return /^[0-9a-z]+$/.test(name) && attrKind(name) === 'normal' ? name : 'ZgotmplZ';
    }
    case 'script':
      return context.jsQuote ? replaceWith(stringOf(value), JS_STRING_TABLE) : jsValue(value);
    case 'style':
      return cssValue(stringOf(value));
    case 'attr': {
      let text: string;
      if (context.attr === 'url') {
        const raw = stringOf(value);
        if (context.urlPart === 'none' && /^[^:/?#]*:/.test(raw) && !/^(https?|mailto):/i.test(raw))
          text = '#ZgotmplZ';
        else text = urlProcess(raw, context.urlPart !== 'query');
      } else if (context.attr === 'js') {
        text = context.jsQuote ? replaceWith(stringOf(value), JS_STRING_TABLE) : jsValue(value);
      } else if (context.attr === 'css') {
        text = cssValue(stringOf(value));
      } else text = stringOf(value);
      return replaceWith(text, context.quote === '' ? HTML_NOSPACE_TABLE : HTML_TABLE);
    }
    default:
      return replaceWith(stringOf(value), HTML_TABLE);
  }
}

function cssValue(text: string): string {
  return /^[\w\s.#%,-]*$/.test(text) ? text : 'ZgotmplZ';
}

/**
 * Go's URL processor: unreserved characters pass; reserved ones pass only when normalising a
 * whole URL or path (not in a query value); everything else is %-encoded in lower-case hex.
 */
function urlProcess(text: string, normalize: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(char) || (normalize && /[!#$&*+,/:;=?@[\]%]/.test(char))) out += char;
    else out += `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** A value in script: JSON (with <, >, & escaped); padded with spaces where it would join an identifier. */
function jsValue(value: GoValue): string {
  let json: string;
  try {
    json = value === undefined ? 'null' : goJson(value);
  } catch {
    json = 'null';
  }
  return /^[\w$]/.test(json) || /[\w$]$/.test(json) ? ` ${json} ` : json;
}
