import type { Node } from './ast.js';
import { formatValue } from './go-format.js';
import { goJson } from './go-json.js';
import type { GoValue } from './values.js';

/**
 * The subset of html/template's contextual escaping that email bodies need: each action is
 * escaped for where it stands in the HTML around it (element text, a quoted or unquoted
 * attribute, a URL attribute, a script). The context is found from the template's own text
 * before the action, as Go does at parse time.
 */
export type HtmlContext =
  | { kind: 'text' }
  | { kind: 'tag' }
  | { kind: 'attr'; quote: '"' | "'" | ''; attr: 'normal' | 'url' | 'js' | 'css'; start: boolean }
  | { kind: 'script' }
  | { kind: 'style' };

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

/** Removes HTML comments from template text, as html/template does. */
export function stripHtmlComments(nodes: Node[]): void {
  for (const node of nodes) {
    if (node.type === 'text') node.text = node.text.replace(/<!--[\s\S]*?-->/g, '');
    else if ('list' in node) {
      stripHtmlComments(node.list);
      if (node.elseList) stripHtmlComments(node.elseList);
    }
  }
}

/** The context of every action, in document order (walking branches in sequence). */
export function actionContexts(nodes: Node[]): { index: Map<Node, number>; contexts: HtmlContext[] } {
  const index = new Map<Node, number>();
  const contexts: HtmlContext[] = [];
  const walk = (list: Node[], start: HtmlContext): HtmlContext => {
    let context = start;
    for (const node of list) {
      if (node.type === 'text') context = advance(context, node.text);
      else if (node.type === 'action') {
        index.set(node, contexts.length);
        contexts.push(context);
        if (context.kind === 'attr') context = { ...context, start: false };
      } else if (node.type === 'if' || node.type === 'range' || node.type === 'with') {
        const after = walk(node.list, context);
        if (node.elseList) walk(node.elseList, context);
        context = after;
      }
    }
    return context;
  };
  walk(nodes, { kind: 'text' });
  return { index, contexts };
}

function advance(start: HtmlContext, text: string): HtmlContext {
  let context = start;
  let at = 0;
  while (at < text.length) {
    switch (context.kind) {
      case 'text': {
        const open = text.indexOf('<', at);
        if (open < 0) return context;
        const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(text.slice(open));
        if (!tag) {
          at = open + 1;
          continue;
        }
        at = open + tag[0].length;
        const name = tag[2]!.toLowerCase();
        context = { kind: 'tag' };
        pendingElement = tag[1] ? '' : name;
        break;
      }
      case 'tag': {
        const rest = text.slice(at);
        const close = /^\s*\/?>/.exec(rest);
        if (close) {
          at += close[0].length;
          context =
            pendingElement === 'script'
              ? { kind: 'script' }
              : pendingElement === 'style'
                ? { kind: 'style' }
                : { kind: 'text' };
          break;
        }
        const attribute = /^\s*([^\s=>/]+)(\s*=\s*(["']?))?/.exec(rest);
        if (!attribute) {
          at++;
          break;
        }
        at += attribute[0].length;
        if (!attribute[2]) break;
        const name = attribute[1]!.toLowerCase();
        const kind = URL_ATTRIBUTES.has(name)
          ? 'url'
          : name.startsWith('on')
            ? 'js'
            : name === 'style'
              ? 'css'
              : 'normal';
        context = { kind: 'attr', quote: (attribute[3] ?? '') as '"' | "'" | '', attr: kind, start: true };
        break;
      }
      case 'attr': {
        const end = context.quote === '' ? text.slice(at).search(/[\s>]/) : text.indexOf(context.quote, at);
        if (end < 0) {
          return { ...context, start: context.start && text.length === at };
        }
        at = context.quote === '' ? at + end : end + 1;
        context = { kind: 'tag' };
        break;
      }
      case 'script':
      case 'style': {
        const close = text.toLowerCase().indexOf(`</${context.kind}`, at);
        if (close < 0) return context;
        at = close;
        context = { kind: 'text' };
        break;
      }
    }
  }
  return context;
}

// The element whose start tag is being read (to know that <script> opens a script body).
let pendingElement = '';

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

function htmlEscape(text: string, table: Record<string, string>): string {
  let out = '';
  for (const char of text) out += Object.hasOwn(table, char) ? table[char] : char;
  return out;
}

function stringOf(value: GoValue): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : formatValue(value);
}

/** Escapes one action's value for its context. */
export function escapeForContext(value: GoValue, context: HtmlContext): string {
  switch (context.kind) {
    case 'script':
      return jsValue(value);
    case 'attr': {
      let text: string;
      if (context.attr === 'url') text = urlValue(stringOf(value), context.start);
      else if (context.attr === 'js') text = jsValue(value);
      else if (context.attr === 'css')
        text = /^[\w\s.#%,-]*$/.test(stringOf(value)) ? stringOf(value) : 'ZgotmplZ';
      else text = stringOf(value);
      return htmlEscape(text, context.quote === '' ? HTML_NOSPACE_TABLE : HTML_TABLE);
    }
    case 'style':
      return /^[\w\s.#%,-]*$/.test(stringOf(value)) ? stringOf(value) : 'ZgotmplZ';
    default:
      return htmlEscape(stringOf(value), HTML_TABLE);
  }
}

/** A URL value: unsafe schemes are replaced (`#ZgotmplZ`), the rest is normalised. */
function urlValue(text: string, atStart: boolean): string {
  if (atStart) {
    const scheme = /^([^:/?#]*):/.exec(text);
    if (scheme && !['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase())) return '#ZgotmplZ';
    return normalizeUrl(text);
  }
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function normalizeUrl(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/.test(char)) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A value in a script: JSON, with HTML-significant characters escaped; numbers padded with spaces. */
function jsValue(value: GoValue): string {
  if (value === undefined || value === null) return ' null ';
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean')
    return ` ${goJson(value)} `;
  try {
    return goJson(value).replace(/'/g, '\\u0027').replace(/\+/g, '\\u002b');
  } catch {
    return ' null ';
  }
}
