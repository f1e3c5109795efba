import type { Command, Node, Operand, Pipeline } from './ast.js';
import { lex, position, type Token } from './lexer.js';
import { TemplateError } from './template-error.js';

export interface ParsedTemplates {
  /** The main template's nodes. */
  root: Node[];
  /** Templates made by `define` and `block`, by name. */
  defined: Map<string, Node[]>;
}

/**
 * Parses a template as Go's text/template/parse does. `functions` is the set of function names
 * the template may call: an unknown function is a parse error, as in Go.
 */
export function parseTemplate(input: string, name: string, functions: ReadonlySet<string>): ParsedTemplates {
  return new Parser(input, name, functions).parseAll();
}

type Stop = 'end' | 'else' | 'eof';

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private readonly defined = new Map<string, Node[]>();
  /** Variables in scope, innermost last; `$` is always there. */
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly input: string,
    private readonly name: string,
    private readonly functions: ReadonlySet<string>,
  ) {
    this.tokens = lex(input, name);
  }

  parseAll(): ParsedTemplates {
    const { nodes, stop } = this.parseList(true);
    if (stop.kind !== 'eof') this.fail(stop.pos, `unexpected {{${stop.kind}}}`);
    return { root: nodes, defined: this.defined };
  }

  private fail(pos: number, message: string): never {
    throw new TemplateError(`template: ${this.name}:${position(this.input, pos)}: ${message}`);
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    return this.tokens[this.index++]!;
  }

  private skipSpace(): void {
    while (this.peek().kind === 'space') this.index++;
  }

  private nextNonSpace(): Token {
    this.skipSpace();
    return this.next();
  }

  private peekNonSpace(): Token {
    this.skipSpace();
    return this.peek();
  }

  private expectRightDelim(context: string): void {
    const token = this.nextNonSpace();
    if (token.kind !== 'rightDelim') this.fail(token.pos, `unexpected "${token.value}" in ${context}`);
  }

  /** Nodes until `{{end}}`, `{{else ...}}` or the end of input; says which stopped it. */
  private parseList(topLevel: boolean): { nodes: Node[]; stop: { kind: Stop; pos: number } } {
    const nodes: Node[] = [];
    for (;;) {
      const token = this.next();
      switch (token.kind) {
        case 'eof':
          return { nodes, stop: { kind: 'eof', pos: token.pos } };
        case 'text':
          nodes.push({ type: 'text', text: token.value });
          break;
        case 'comment':
          break;
        case 'leftDelim': {
          const keyword = this.peekNonSpace();
          if (keyword.kind === 'keyword') {
            if (keyword.value === 'end' || keyword.value === 'else') {
              this.next();
              return { nodes, stop: { kind: keyword.value, pos: keyword.pos } };
            }
            const node = this.parseKeyword(topLevel);
            if (node) nodes.push(node);
          } else {
            const pipe = this.parsePipeline('command', false);
            nodes.push({ type: 'action', pos: pipe.pos, pipe });
          }
          break;
        }
        default:
          this.fail(token.pos, `unexpected ${token.value}`);
      }
    }
  }

  private parseKeyword(topLevel: boolean): Node | undefined {
    const keyword = this.next();
    switch (keyword.value) {
      case 'if':
      case 'with':
        return this.parseControl(keyword.value, keyword.pos);
      case 'range':
        return this.parseControl('range', keyword.pos);
      case 'template':
        return this.parseTemplateCall(keyword.pos);
      case 'define':
        if (!topLevel) this.fail(keyword.pos, 'unexpected <define> in command');
        this.parseDefinition(keyword.pos, false);
        return undefined;
      case 'block': {
        const name = this.parseDefinition(keyword.pos, true);
        return { type: 'template', pos: keyword.pos, name: name.name, pipe: name.pipe };
      }
      case 'break':
      case 'continue':
        if (this.rangeDepth === 0) this.fail(keyword.pos, `{{${keyword.value}}} outside {{range}}`);
        this.expectRightDelim(keyword.value);
        return { type: keyword.value, pos: keyword.pos };
      default:
        return this.fail(keyword.pos, `unexpected ${keyword.value}`);
    }
  }

  private parseControl(kind: 'if' | 'with' | 'range', pos: number): Node {
    const scope = this.vars.length;
    const pipe = this.parsePipeline(kind, kind === 'range');
    if (kind === 'range') this.rangeDepth++;
    const body = this.parseList(false);
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.stop.kind === 'eof')
      this.fail(body.stop.pos, `unexpected EOF: {{${kind}}} at ${position(this.input, pos)} has no {{end}}`);
    if (body.stop.kind === 'else') {
      const after = this.peekNonSpace();
      if (kind === 'if' && after.kind === 'keyword' && after.value === 'if') {
        // `{{else if x}}` is `{{else}}{{if x}}...{{end}}` sharing the outer `{{end}}`.
        this.next();
        elseList = [this.parseControl('if', after.pos)];
      } else {
        this.expectRightDelim('else');
        const rest = this.parseList(false);
        if (rest.stop.kind !== 'end')
          this.fail(
            rest.stop.pos,
            rest.stop.kind === 'eof' ? 'unexpected EOF' : 'expected end; found {{else}}',
          );
        this.expectRightDelim('end');
        elseList = rest.nodes;
      }
    } else {
      this.expectRightDelim('end');
    }
    this.vars.length = scope;
    return { type: kind, pos, pipe, list: body.nodes, elseList };
  }

  private parseTemplateCall(pos: number): Node {
    const nameToken = this.nextNonSpace();
    const name = this.templateName(nameToken, 'template clause');
    const after = this.peekNonSpace();
    let pipe: Pipeline | undefined;
    if (after.kind !== 'rightDelim') pipe = this.parsePipeline('template clause', false);
    else this.next();
    return { type: 'template', pos, name, pipe };
  }

  /** `define "name"` or `block "name" pipeline`: parses the body into `defined`. */
  private parseDefinition(pos: number, isBlock: boolean): { name: string; pipe?: Pipeline } {
    const context = isBlock ? 'block clause' : 'define clause';
    const name = this.templateName(this.nextNonSpace(), context);
    let pipe: Pipeline | undefined;
    if (isBlock) pipe = this.parsePipeline(context, false);
    else this.expectRightDelim(context);
    const outerVars = this.vars;
    this.vars = ['$'];
    const body = this.parseList(false);
    this.vars = outerVars;
    if (body.stop.kind !== 'end')
      this.fail(body.stop.pos, body.stop.kind === 'eof' ? 'unexpected EOF' : 'unexpected {{else}}');
    this.expectRightDelim('end');
    // Within one text a name may be defined once (an empty body may be replaced), as in Go.
    const isEmpty = (nodes: Node[]) => nodes.every((node) => node.type === 'text' && node.text.trim() === '');
    const existing = this.defined.get(name);
    if (existing && !isEmpty(existing) && !isEmpty(body.nodes)) {
      this.fail(pos, `template: multiple definition of template "${name}"`);
    }
    if (!existing || isEmpty(existing)) this.defined.set(name, body.nodes);
    return { name, pipe };
  }

  private templateName(token: Token, context: string): string {
    if (token.kind !== 'string' && token.kind !== 'rawString') {
      this.fail(token.pos, `unexpected "${token.value}" in ${context}`);
    }
    return unquote(token, (pos, message) => this.fail(pos, message));
  }

  /** A pipeline up to `}}` (or `)` when `inParens`). */
  private parsePipeline(context: string, allowTwoVars: boolean, inParens = false): Pipeline {
    const start = this.peekNonSpace().pos;
    const decl: string[] = [];
    let isAssign = false;
    // Declarations: `$x :=`, `$x =`, and in range `$i, $v :=`.
    const save = this.index;
    const first = this.nextNonSpace();
    if (first.kind === 'variable') {
      const after = this.nextNonSpace();
      if (after.kind === 'declare' || after.kind === 'assign') {
        decl.push(first.value);
        isAssign = after.kind === 'assign';
        if (isAssign && !this.vars.includes(first.value))
          this.fail(first.pos, `undefined variable "${first.value}"`);
      } else if (after.kind === 'comma' && allowTwoVars) {
        const second = this.nextNonSpace();
        const operator = this.nextNonSpace();
        if (second.kind !== 'variable' || (operator.kind !== 'declare' && operator.kind !== 'assign')) {
          this.fail(second.pos, `range can only initialize variables`);
        }
        decl.push(first.value, second.value);
        isAssign = operator.kind === 'assign';
      } else if (after.kind === 'comma') {
        this.fail(after.pos, `too many declarations in ${context}`);
      } else {
        this.index = save;
      }
    } else {
      this.index = save;
    }

    const commands: Command[] = [];
    for (;;) {
      const token = this.peekNonSpace();
      if (token.kind === 'rightDelim' || (inParens && token.kind === 'rightParen')) {
        this.next();
        break;
      }
      if (token.kind === 'eof') this.fail(token.pos, `unclosed action`);
      commands.push(this.parseCommand());
      const separator = this.peekNonSpace();
      if (separator.kind === 'pipe') {
        this.next();
        continue;
      }
      if (separator.kind !== 'rightDelim' && !(inParens && separator.kind === 'rightParen')) {
        this.fail(separator.pos, `unexpected "${separator.value}" in operand`);
      }
    }
    if (commands.length === 0) this.fail(start, `missing value for ${context}`);
    commands.forEach((command, index) => {
      const head = command.args[0]!;
      if (index > 0 && !['field', 'function', 'variable', 'pipe'].includes(head.type)) {
        this.fail(head.pos, `non executable command in pipeline stage ${index + 1}`);
      }
      if (head.type === 'nil' && command.args.length === 1 && index === 0)
        this.fail(head.pos, 'nil is not a command');
    });
    // Declared variables are visible from here to the end of the enclosing block.
    if (!isAssign) this.vars.push(...decl);
    const end = this.tokens[this.index - 1]!.pos;
    return { pos: start, source: this.input.slice(start, end).trim(), decl, isAssign, commands };
  }

  private parseCommand(): Command {
    const pos = this.peekNonSpace().pos;
    const args: Operand[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'space') {
        this.next();
        continue;
      }
      if (['rightDelim', 'pipe', 'rightParen', 'eof'].includes(token.kind)) break;
      args.push(this.parseOperand());
      const after = this.peek();
      if (!['space', 'rightDelim', 'pipe', 'rightParen'].includes(after.kind)) {
        this.fail(after.pos, `unexpected "${after.value}" in operand`);
      }
    }
    if (args.length === 0) this.fail(pos, 'empty command');
    return { pos, args };
  }

  private parseOperand(): Operand {
    const token = this.next();
    let operand: Operand;
    switch (token.kind) {
      case 'field':
        operand = { type: 'field', pos: token.pos, names: [token.value.slice(1)] };
        break;
      case 'variable':
        if (!this.vars.includes(token.value)) this.fail(token.pos, `undefined variable "${token.value}"`);
        operand = { type: 'variable', pos: token.pos, name: token.value, names: [] };
        break;
      case 'dot':
        operand = { type: 'dot', pos: token.pos };
        break;
      case 'nil':
        operand = { type: 'nil', pos: token.pos };
        break;
      case 'bool':
        operand = { type: 'bool', pos: token.pos, value: token.value === 'true' };
        break;
      case 'string':
      case 'rawString':
        operand = {
          type: 'string',
          pos: token.pos,
          value: unquote(token, (pos, message) => this.fail(pos, message)),
        };
        break;
      case 'char':
      case 'number':
        operand = parseNumber(token, (pos, message) => this.fail(pos, message));
        break;
      case 'identifier':
        if (!this.functions.has(token.value)) this.fail(token.pos, `function "${token.value}" not defined`);
        operand = { type: 'function', pos: token.pos, name: token.value };
        break;
      case 'leftParen': {
        const pipe = this.parsePipeline('parenthesized pipeline', false, true);
        operand = { type: 'pipe', pos: token.pos, pipe, names: [] };
        break;
      }
      default:
        return this.fail(token.pos, `unexpected "${token.value}" in operand`);
    }
    // Field chains written directly after an operand: `.a.b`, `$x.y`, `(index . 0).z`.
    while (this.peek().kind === 'field') {
      const field = this.next();
      if (operand.type === 'field' || operand.type === 'variable' || operand.type === 'pipe') {
        operand.names.push(field.value.slice(1));
      } else if (operand.type === 'dot') {
        operand = { type: 'field', pos: operand.pos, names: [field.value.slice(1)] };
      } else {
        this.fail(field.pos, `unexpected . after term "${token.value}"`);
      }
    }
    return operand;
  }
}

function unquote(token: Token, fail: (pos: number, message: string) => never): string {
  if (token.kind === 'rawString') return token.value.slice(1, -1).replace(/\r/g, '');
  try {
    return goUnquote(token.value);
  } catch {
    return fail(token.pos, `invalid syntax: ${token.value}`);
  }
}

/** Go string literal → string: the escapes Go allows, including \xNN bytes and \u/\U runes. */
export function goUnquote(literal: string): string {
  const body = literal.slice(1, -1);
  const bytes: number[] = [];
  const pushString = (text: string) => bytes.push(...Buffer.from(text, 'utf8'));
  for (let at = 0; at < body.length; ) {
    const char = body[at]!;
    if (char !== '\\') {
      const codePoint = body.codePointAt(at)!;
      pushString(String.fromCodePoint(codePoint));
      at += codePoint > 0xffff ? 2 : 1;
      continue;
    }
    const escaped = body[at + 1];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (escaped !== undefined && Object.hasOwn(simple, escaped)) {
      pushString(simple[escaped]!);
      at += 2;
    } else if (escaped === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(at + 2, at + 4))) {
      bytes.push(Number.parseInt(body.slice(at + 2, at + 4), 16));
      at += 4;
    } else if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(at + 2, at + 6))) {
      pushString(String.fromCodePoint(Number.parseInt(body.slice(at + 2, at + 6), 16)));
      at += 6;
    } else if (escaped === 'U' && /^[0-9a-fA-F]{8}$/.test(body.slice(at + 2, at + 10))) {
      pushString(String.fromCodePoint(Number.parseInt(body.slice(at + 2, at + 10), 16)));
      at += 10;
    } else if (
      escaped !== undefined &&
      /[0-7]/.test(escaped) &&
      /^[0-7]{3}$/.test(body.slice(at + 1, at + 4))
    ) {
      bytes.push(Number.parseInt(body.slice(at + 1, at + 4), 8));
      at += 4;
    } else {
      throw new Error('bad escape');
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseNumber(token: Token, fail: (pos: number, message: string) => never): Operand {
  const text = token.value;
  if (token.kind === 'char') {
    let rune: string;
    try {
      rune = goUnquote(`"${text.slice(1, -1).replace(/"/g, '\\"')}"`);
    } catch {
      return fail(token.pos, `malformed character constant: ${text}`);
    }
    if ([...rune].length !== 1) fail(token.pos, `malformed character constant: ${text}`);
    return {
      type: 'number',
      pos: token.pos,
      text,
      value: BigInt(rune.codePointAt(0)!),
      isInt: true,
      isChar: true,
    };
  }
  const clean = text.replace(/_/g, '');
  if (clean.endsWith('i')) {
    const imag = Number(clean.slice(0, -1));
    if (Number.isNaN(imag)) return fail(token.pos, `bad number syntax: "${text}"`);
    return { type: 'number', pos: token.pos, text, value: 0, complex: imag, isInt: false, isChar: false };
  }
  const negative = clean.startsWith('-');
  const unsigned = clean.replace(/^[+-]/, '');
  if (
    /^0[xX][0-9a-fA-F]+$/.test(unsigned) ||
    /^0[bB][01]+$/.test(unsigned) ||
    /^0[oO]?[0-7]+$/.test(unsigned) ||
    /^[1-9][0-9]*$|^0$/.test(unsigned)
  ) {
    const normalized = /^0[0-7]+$/.test(unsigned) ? `0o${unsigned.slice(1)}` : unsigned;
    const value = BigInt(normalized) * (negative ? -1n : 1n);
    if (value > 18446744073709551615n || value < -9223372036854775808n) {
      return fail(token.pos, `integer overflow: "${text}"`);
    }
    return { type: 'number', pos: token.pos, text, value, isInt: true, isChar: false };
  }
  if (/^0[xX]/.test(unsigned)) {
    const match = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(unsigned);
    if (!match) return fail(token.pos, `bad number syntax: "${text}"`);
    const mantissa =
      Number.parseInt(`${match[1] || '0'}${match[2] ?? ''}`, 16) / 16 ** (match[2]?.length ?? 0);
    const value = mantissa * 2 ** Number(match[3]) * (negative ? -1 : 1);
    return { type: 'number', pos: token.pos, text, value, isInt: false, isChar: false };
  }
  const value = Number(clean);
  if (Number.isNaN(value) || clean === '' || clean === '+' || clean === '-')
    return fail(token.pos, `bad number syntax: "${text}"`);
  // `1e3` and `1.0` are floating-point constants (float64 where any type is accepted), as in Go.
  return { type: 'number', pos: token.pos, text, value, isInt: false, isChar: false };
}
