import { TemplateError } from './template-error.js';

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'comment'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'declare'
  | 'assign'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'comma'
  | 'dot'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'eof';

export interface Token {
  kind: TokenKind;
  value: string;
  /** Offset in the template text, for line:column in messages. */
  pos: number;
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);
const SPACE = /[ \t\r\n]/;

/**
 * Splits a template into tokens as Go's text/template lexer does, including trim markers:
 * `{{- ` drops the white space before the action, ` -}}` the white space after it.
 */
export function lex(input: string, name: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const fail = (pos: number, message: string): never => {
    throw new TemplateError(`template: ${name}:${position(input, pos)}: ${message}`);
  };

  while (at < input.length) {
    const open = input.indexOf('{{', at);
    if (open < 0) {
      tokens.push({ kind: 'text', value: input.slice(at), pos: at });
      break;
    }
    let textEnd = open;
    const trimLeft = input[open + 2] === '-' && SPACE.test(input[open + 3] ?? '');
    if (trimLeft) while (textEnd > at && SPACE.test(input[textEnd - 1]!)) textEnd--;
    if (textEnd > at) tokens.push({ kind: 'text', value: input.slice(at, textEnd), pos: at });
    at = open + 2 + (trimLeft ? 2 : 0);

    // A comment fills the whole action: {{/* ... */}} or {{- /* ... */ -}}.
    if (input.startsWith('/*', at)) {
      const close = input.indexOf('*/', at + 2);
      if (close < 0) fail(at, 'unclosed comment');
      at = close + 2;
      const trimRight =
        input.startsWith(' -}}', at) || input.startsWith('\t-}}', at) || input.startsWith('\n-}}', at);
      if (!trimRight && !input.startsWith('}}', at)) fail(at, 'comment ends before closing delimiter');
      at += trimRight ? 4 : 2;
      if (trimRight) while (at < input.length && SPACE.test(input[at]!)) at++;
      tokens.push({ kind: 'comment', value: '', pos: open });
      continue;
    }

    tokens.push({ kind: 'leftDelim', value: '{{', pos: open });
    let parenDepth = 0;
    for (;;) {
      if (at >= input.length) fail(open, 'unclosed action');
      const char = input[at]!;
      if (SPACE.test(char)) {
        const start = at;
        while (at < input.length && SPACE.test(input[at]!)) at++;
        // ` -}}` closes the action and trims what follows.
        if (input.startsWith('-}}', at) && start < at) {
          at += 3;
          while (at < input.length && SPACE.test(input[at]!)) at++;
          tokens.push({ kind: 'rightDelim', value: '}}', pos: start });
          break;
        }
        tokens.push({ kind: 'space', value: input.slice(start, at), pos: start });
        continue;
      }
      if (input.startsWith('}}', at)) {
        if (parenDepth > 0) fail(at, 'unclosed left paren');
        tokens.push({ kind: 'rightDelim', value: '}}', pos: at });
        at += 2;
        break;
      }
      const start = at;
      if (char === '|') {
        tokens.push({ kind: 'pipe', value: '|', pos: at++ });
      } else if (char === '(') {
        parenDepth++;
        tokens.push({ kind: 'leftParen', value: '(', pos: at++ });
      } else if (char === ')') {
        parenDepth--;
        if (parenDepth < 0) fail(at, 'unexpected right paren');
        tokens.push({ kind: 'rightParen', value: ')', pos: at++ });
      } else if (char === ',') {
        tokens.push({ kind: 'comma', value: ',', pos: at++ });
      } else if (input.startsWith(':=', at)) {
        tokens.push({ kind: 'declare', value: ':=', pos: at });
        at += 2;
      } else if (char === '=') {
        tokens.push({ kind: 'assign', value: '=', pos: at++ });
      } else if (char === '"') {
        at++;
        while (at < input.length && input[at] !== '"') {
          if (input[at] === '\n') fail(start, 'unterminated quoted string');
          at += input[at] === '\\' ? 2 : 1;
        }
        if (at >= input.length) fail(start, 'unterminated quoted string');
        at++;
        tokens.push({ kind: 'string', value: input.slice(start, at), pos: start });
      } else if (char === '`') {
        const close = input.indexOf('`', at + 1);
        if (close < 0) fail(start, 'unterminated raw quoted string');
        at = close + 1;
        tokens.push({ kind: 'rawString', value: input.slice(start, at), pos: start });
      } else if (char === "'") {
        at++;
        while (at < input.length && input[at] !== "'") {
          if (input[at] === '\n') fail(start, 'unterminated character constant');
          at += input[at] === '\\' ? 2 : 1;
        }
        if (at >= input.length) fail(start, 'unterminated character constant');
        at++;
        tokens.push({ kind: 'char', value: input.slice(start, at), pos: start });
      } else if (char === '$') {
        at++;
        while (at < input.length && /[\p{L}\p{Nd}_]/u.test(input[at]!)) at++;
        tokens.push({ kind: 'variable', value: input.slice(start, at), pos: start });
      } else if (char === '.') {
        if (/[0-9]/.test(input[at + 1] ?? '')) {
          at = readNumber(input, at);
          tokens.push({ kind: 'number', value: input.slice(start, at), pos: start });
        } else if (/[\p{L}_]/u.test(input[at + 1] ?? '')) {
          at++;
          while (at < input.length && /[\p{L}\p{Nd}_]/u.test(input[at]!)) at++;
          tokens.push({ kind: 'field', value: input.slice(start, at), pos: start });
        } else {
          tokens.push({ kind: 'dot', value: '.', pos: at++ });
        }
      } else if (/[0-9+-]/.test(char)) {
        at = readNumber(input, at);
        if (at === start) fail(start, `unexpected "${char}" in command`);
        tokens.push({ kind: 'number', value: input.slice(start, at), pos: start });
      } else if (/[\p{L}_]/u.test(char)) {
        while (at < input.length && /[\p{L}\p{Nd}_]/u.test(input[at]!)) at++;
        const word = input.slice(start, at);
        const kind: TokenKind = KEYWORDS.has(word)
          ? 'keyword'
          : word === 'true' || word === 'false'
            ? 'bool'
            : word === 'nil'
              ? 'nil'
              : 'identifier';
        tokens.push({ kind, value: word, pos: start });
      } else {
        fail(at, `unrecognized character in action: ${JSON.stringify(char)}`);
      }
    }
  }
  tokens.push({ kind: 'eof', value: '', pos: input.length });
  return tokens;
}

function readNumber(input: string, start: number): number {
  const match =
    /^[+-]?(0[xX][0-9a-fA-F_]+(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9]+)?|0[bB][01_]+|0[oO]?[0-7_]+|([0-9][0-9_]*)?(\.[0-9_]*)?([eE][+-]?[0-9_]+)?)i?/.exec(
      input.slice(start),
    );
  const length = match?.[0].length ?? 0;
  // "+" or "-" alone, or followed by nothing numeric, is not a number.
  return /[0-9]/.test(match?.[0] ?? '') ? start + length : start;
}

/** `line:column` of an offset, 1-based, as Go reports positions. */
export function position(input: string, offset: number): string {
  const before = input.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${column}`;
}
