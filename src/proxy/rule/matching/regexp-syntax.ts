import {
  CharClass,
  type CharClassSpec,
  complementRanges,
  emptySpec,
  toLowerCodePoint,
} from './char-class.js';
import { PatternError } from './pattern-error.js';
import {
  alternation,
  type CaptureNode,
  EMPTY,
  MAX_NESTING,
  type PatternNode,
  sequence,
} from './pattern-node.js';

// The regular expression dialect of dlclark/regexp2 (a port of .NET's engine) with its RE2 option,
// as Oathkeeper compiles rules. Followed here: .NET's parsing rules (`{` is literal unless it forms
// `{n}`, `{n,}` or `{n,m}`; a quantifier after a quantifier is an error; unnamed groups are numbered
// before named ones), and what the RE2 option changes: `(?P<name>...)`, POSIX classes such as
// `[[:digit:]]`, `$` only at the very end, ASCII `\d` `\s` `\w`, and unknown escapes of letters
// standing for the letter. Constructs a linear-time engine cannot run (backreferences, lookbehind,
// atomic groups, conditionals, balancing groups) are rejected with a PatternError; so are capture
// groups inside a positive lookahead (see program.ts).

const OPT_I = 1;
const OPT_M = 2;
const OPT_N = 4;
const OPT_S = 8;
const OPT_X = 16;

const OPTION_LETTERS: Record<string, number> = { i: OPT_I, m: OPT_M, n: OPT_N, s: OPT_S, x: OPT_X, d: 0 };

const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];

// RE2's named ASCII classes, which regexp2 accepts in RE2 mode.
const POSIX_CLASSES: Record<string, number[]> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: DIGIT,
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: WORD,
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

const ESCAPED_CLASSES: Record<string, number[]> = { d: DIGIT, w: WORD, s: SPACE };

/** .NET's RegexCharClass.IsWordChar, close enough: what group names and escapes call a word character. */
const WORD_CHAR = /^[\p{L}\p{Mn}\p{Nd}\p{Pc}]$/u;

function isWordChar(cp: number | undefined): boolean {
  return cp !== undefined && WORD_CHAR.test(String.fromCodePoint(cp));
}

function isDigit(cp: number | undefined): boolean {
  return cp !== undefined && cp >= 0x30 && cp <= 0x39;
}

function hexValue(cp: number | undefined): number {
  if (cp === undefined) return -1;
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  if (cp >= 0x61 && cp <= 0x66) return cp - 0x61 + 10;
  if (cp >= 0x41 && cp <= 0x46) return cp - 0x41 + 10;
  return -1;
}

const code = (ch: string) => ch.codePointAt(0)!;

/** Go's regexp.QuoteMeta, which Oathkeeper (through ory/ladon) applies to the literal parts. */
export function quoteRegexp(literal: string): string {
  return literal.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

export interface ParsedRegexp {
  node: PatternNode;
  groupCount: number;
}

/** Parses one regexp2 (RE2 option) expression. Throws PatternError. */
export function parseRegexp(source: string): ParsedRegexp {
  return new RegexpParser(source).parse();
}

class RegexpParser {
  private readonly cps: number[];
  private pos = 0;
  private depth = 0;
  private options = 0;
  private readonly unnamed: CaptureNode[] = [];
  private readonly named = new Map<string, CaptureNode[]>();
  /** `\NN` escapes with NN > 9, read as octal: each is a backreference instead if group NN exists. */
  private readonly decimalEscapes: number[] = [];

  constructor(private readonly source: string) {
    this.cps = Array.from(source, (ch) => ch.codePointAt(0)!);
  }

  parse(): ParsedRegexp {
    const node = this.parseAlternation();
    if (this.pos < this.cps.length) this.fail('unexpected ")"');
    // .NET numbering: unnamed groups left to right, then each distinct name in order of appearance.
    let group = 0;
    for (const capture of this.unnamed) capture.group = ++group;
    for (const captures of this.named.values()) {
      group++;
      for (const capture of captures) capture.group = group;
    }
    const reference = this.decimalEscapes.find((number) => number <= group);
    if (reference !== undefined) this.unsupported(`a backreference \\${reference}`);
    return { node, groupCount: group };
  }

  private fail(why: string): never {
    throw new PatternError(`invalid regular expression ${JSON.stringify(this.source)}: ${why}`);
  }

  private unsupported(what: string): never {
    throw new PatternError(
      `unsupported regular expression ${JSON.stringify(this.source)}: ${what} cannot be matched in linear time`,
    );
  }

  private text(start: number, end: number): string {
    let out = '';
    for (let i = start; i < end; i++) out += String.fromCodePoint(this.cps[i]!);
    return out;
  }

  private peek(offset = 0): number | undefined {
    return this.cps[this.pos + offset];
  }

  private get remaining(): number {
    return this.cps.length - this.pos;
  }

  private parseAlternation(): PatternNode {
    const alternatives = [this.parseSequence()];
    while (this.peek() === code('|')) {
      this.pos++;
      alternatives.push(this.parseSequence());
    }
    return alternation(alternatives);
  }

  private parseSequence(): PatternNode {
    const items: PatternNode[] = [];
    for (;;) {
      this.skipBlank();
      const next = this.peek();
      if (next === undefined || next === code('|') || next === code(')')) break;
      const atom = this.parseAtom();
      this.skipBlank();
      if (!this.atQuantifier()) {
        if (atom !== null) items.push(atom);
        continue;
      }
      if (atom === null) this.fail('a quantifier has nothing to repeat');
      items.push(this.parseQuantifier(atom));
      this.skipBlank();
      if (this.atQuantifier()) this.fail('nested quantifier');
    }
    return sequence(items);
  }

  /** `(?#...)` comments anywhere; with (?x) also white space and `#` comments. */
  private skipBlank(): void {
    for (;;) {
      if (this.options & OPT_X) {
        while (this.pos < this.cps.length && [9, 10, 11, 12, 13, 32].includes(this.cps[this.pos]!))
          this.pos++;
        if (this.peek() === code('#')) {
          while (this.pos < this.cps.length && this.cps[this.pos] !== 10) this.pos++;
          continue;
        }
      }
      if (this.peek() === code('(') && this.peek(1) === code('?') && this.peek(2) === code('#')) {
        while (this.pos < this.cps.length && this.cps[this.pos] !== code(')')) this.pos++;
        if (this.pos >= this.cps.length) this.fail('unterminated (?#...) comment');
        this.pos++;
        continue;
      }
      return;
    }
  }

  /** .NET's isTrueQuantifier: `*`, `+`, `?`, or `{` starting `{n}`, `{n,}`, `{n,m}`. */
  private atQuantifier(): boolean {
    const ch = this.peek();
    if (ch === code('*') || ch === code('+') || ch === code('?')) return true;
    if (ch !== code('{')) return false;
    let i = this.pos + 1;
    const start = i;
    while (isDigit(this.cps[i])) i++;
    if (i === start) return false;
    if (this.cps[i] === code('}')) return true;
    if (this.cps[i] !== code(',')) return false;
    i++;
    while (isDigit(this.cps[i])) i++;
    return this.cps[i] === code('}');
  }

  private parseQuantifier(body: PatternNode): PatternNode {
    const ch = this.cps[this.pos++]!;
    let min: number;
    let max: number;
    if (ch === code('*')) [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (ch === code('+')) [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (ch === code('?')) [min, max] = [0, 1];
    else {
      min = this.scanDecimal();
      max = min;
      if (this.peek() === code(',')) {
        this.pos++;
        max = this.peek() === code('}') ? Number.POSITIVE_INFINITY : this.scanDecimal();
      }
      this.pos++; // `}`
      if (min > max) this.fail(`invalid repeat count {${min},${max}}`);
    }
    this.skipBlank();
    let greedy = true;
    if (this.peek() === code('?')) {
      this.pos++;
      greedy = false;
    }
    return { kind: 'repeat', body, min, max, greedy };
  }

  private scanDecimal(): number {
    let value = 0;
    while (isDigit(this.peek())) {
      value = value * 10 + (this.cps[this.pos++]! - 0x30);
      if (value > 0x7fffffff) this.fail('number out of range');
    }
    return value;
  }

  /** One atom, or null for a construct that matches nothing and cannot be quantified (`(?i)`). */
  private parseAtom(): PatternNode | null {
    const ch = this.cps[this.pos++]!;
    switch (ch) {
      case code('('):
        return this.parseGroup();
      case code('['):
        return { kind: 'class', charClass: new CharClass(this.parseClass(Boolean(this.options & OPT_I))) };
      case code('\\'):
        return this.parseEscape();
      case code('^'):
        return { kind: 'assertion', assertion: this.options & OPT_M ? 'start-of-line' : 'start-of-text' };
      case code('$'):
        return { kind: 'assertion', assertion: this.options & OPT_M ? 'end-of-line' : 'end-of-text' };
      case code('.'):
        return { kind: 'any', newline: Boolean(this.options & OPT_S) };
      case code('*'):
      case code('+'):
      case code('?'):
        return this.fail('a quantifier has nothing to repeat');
      case code('{'):
        this.pos--;
        if (this.atQuantifier()) this.fail('a quantifier has nothing to repeat');
        this.pos++;
        return this.literal(ch);
      default:
        return this.literal(ch);
    }
  }

  private literal(cp: number): PatternNode {
    if (this.options & OPT_I) {
      const lower = toLowerCodePoint(cp);
      return { kind: 'char', codePoint: lower, fold: true };
    }
    return { kind: 'char', codePoint: cp, fold: false };
  }

  private parseGroup(): PatternNode | null {
    if (this.peek() !== code('?') || this.peek(1) === code(')')) {
      // `(?)` lands here too: its body starts with a quantifier, which fails as in .NET.
      if (this.options & OPT_N) return this.parseGroupBody();
      // Unnamed groups are numbered in the order of their `(`, so register before the body.
      const capture: CaptureNode = { kind: 'capture', group: 0, body: EMPTY };
      this.unnamed.push(capture);
      capture.body = this.parseGroupBody();
      return capture;
    }
    this.pos++;
    const start = this.pos;
    const ch = this.cps[this.pos++];
    switch (ch) {
      case undefined:
        return this.fail('unrecognized grouping construct "(?"');
      case code(':'):
        return this.parseGroupBody();
      case code('='):
        return { kind: 'lookahead', negate: false, body: this.parseGroupBody() };
      case code('!'):
        return { kind: 'lookahead', negate: true, body: this.parseGroupBody() };
      case code('>'):
        return this.unsupported('an atomic group (?>...)');
      case code('('):
        return this.unsupported('a conditional (?(...)...)');
      case code('<'):
      case code("'"): {
        const next = this.peek();
        if (next === code('=') || next === code('!')) {
          if (ch === code("'"))
            this.fail(`unrecognized grouping construct "(?'${String.fromCodePoint(next)}"`);
          return this.unsupported('lookbehind');
        }
        return this.parseNamedGroup(ch === code('<') ? code('>') : code("'"));
      }
      case code('P'):
        if (this.peek() !== code('<')) this.fail('unrecognized grouping construct "(?P"');
        this.pos++;
        return this.parseNamedGroup(code('>'));
      default: {
        this.pos = start;
        let options = this.options;
        let off = false;
        for (;;) {
          const letter = this.peek();
          if (letter === code('-')) off = true;
          else if (letter === code('+')) off = false;
          else {
            const option =
              letter === undefined ? undefined : OPTION_LETTERS[String.fromCodePoint(letter).toLowerCase()];
            if (option === undefined) break;
            options = off ? options & ~option : options | option;
          }
          this.pos++;
        }
        const end = this.cps[this.pos++];
        if (end === code(')')) {
          // (?imnsx-imnsx) holds until the enclosing group ends.
          this.options = options;
          return null;
        }
        if (end !== code(':')) {
          this.fail(`unrecognized grouping construct "(?${this.text(start, this.pos)}"`);
        }
        const saved = this.options;
        this.options = options;
        const body = this.parseGroupBody();
        this.options = saved;
        return body;
      }
    }
  }

  private parseNamedGroup(close: number): PatternNode {
    const first = this.peek();
    if (isDigit(first)) return this.unsupported('a numbered group (?<1>...)');
    if (first === code('-')) return this.unsupported('a balancing group (?<-name>...)');
    if (!isWordChar(first)) this.fail('invalid group name');
    const start = this.pos;
    while (isWordChar(this.peek())) this.pos++;
    const name = this.text(start, this.pos);
    if (this.peek() === code('-')) return this.unsupported('a balancing group (?<name-other>...)');
    if (this.peek() !== close) this.fail('invalid group name');
    this.pos++;
    const capture: CaptureNode = { kind: 'capture', group: 0, body: EMPTY };
    const list = this.named.get(name);
    if (list) list.push(capture);
    else this.named.set(name, [capture]);
    capture.body = this.parseGroupBody();
    return capture;
  }

  /** The rest of a group up to its `)`; options set inside end with it. */
  private parseGroupBody(): PatternNode {
    if (++this.depth > MAX_NESTING) this.fail(`groups nested more than ${MAX_NESTING} deep`);
    const saved = this.options;
    const body = this.parseAlternation();
    this.depth--;
    if (this.peek() !== code(')')) this.fail('missing ")"');
    this.pos++;
    this.options = saved;
    return body;
  }

  private parseEscape(): PatternNode {
    const ch = this.peek();
    if (ch === undefined) this.fail('illegal \\ at end of pattern');
    const letter = String.fromCodePoint(ch);
    switch (letter) {
      case 'b':
      case 'B':
      case 'A':
      case 'G':
      case 'Z':
      case 'z':
        this.pos++;
        return {
          kind: 'assertion',
          assertion: (
            {
              b: 'word-boundary',
              B: 'not-word-boundary',
              A: 'start-of-text',
              G: 'start-of-text',
              Z: 'end-of-text-or-final-newline',
              z: 'end-of-text',
            } as const
          )[letter],
        };
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S': {
        this.pos++;
        const spec = emptySpec();
        this.addEscapedClass(spec, letter);
        return { kind: 'class', charClass: new CharClass(spec) };
      }
      case 'p':
      case 'P': {
        this.pos++;
        const spec = emptySpec(Boolean(this.options & OPT_I));
        spec.properties.push({ regexp: this.parseProperty(), negate: letter === 'P' });
        return { kind: 'class', charClass: new CharClass(spec) };
      }
      case 'k':
        return this.unsupported('a backreference \\k<...>');
      case '<':
      case "'":
        if (this.looksLikeAngledReference(letter === '<' ? code('>') : code("'"))) {
          return this.unsupported('a backreference \\<...>');
        }
        this.pos++;
        return this.literal(ch);
      default:
        if (ch >= code('1') && ch <= code('9')) {
          // .NET reads `\N` as a backreference when group N exists (known once the whole pattern
          // is read), and as an octal escape when N > 9 names no group.
          const start = this.pos;
          const number = this.scanDecimal();
          if (number <= 9) this.unsupported(`a backreference \\${number}`);
          this.decimalEscapes.push(number);
          this.pos = start;
        }
        return this.literal(this.scanCharEscape());
    }
  }

  /** `\<name>` / `\<1>`: .NET reads these as backreferences (or fails on an unknown name). */
  private looksLikeAngledReference(close: number): boolean {
    let i = this.pos + 1;
    if (isDigit(this.cps[i])) {
      while (isDigit(this.cps[i])) i++;
    } else if (isWordChar(this.cps[i])) {
      while (isWordChar(this.cps[i])) i++;
    } else {
      return false;
    }
    return this.cps[i] === close;
  }

  private parseProperty(): RegExp {
    if (this.remaining < 3 || this.peek() !== code('{')) this.fail('malformed \\p{X} character escape');
    this.pos++;
    const start = this.pos;
    while (isWordChar(this.peek()) || this.peek() === code('-')) this.pos++;
    const name = this.text(start, this.pos);
    if (this.peek() !== code('}')) this.fail('incomplete \\p{X} character escape');
    this.pos++;
    // .NET knows general categories (shared with JavaScript) and named blocks (IsGreek...), which
    // JavaScript lacks: those are refused rather than guessed.
    if (!/^[A-Z][a-z]?$/.test(name)) return this.unsupported(`the Unicode property "${name}"`);
    try {
      return new RegExp(`^\\p{${name}}$`, 'u');
    } catch {
      return this.fail(`unknown Unicode category "${name}"`);
    }
  }

  private addEscapedClass(spec: CharClassSpec, letter: string): void {
    const ranges = ESCAPED_CLASSES[letter.toLowerCase()]!;
    spec.ranges.push(...(letter === letter.toLowerCase() ? ranges : complementRanges(ranges)));
  }

  /** .NET's scanCharEscape: one escaped character after `\`. */
  private scanCharEscape(): number {
    const ch = this.cps[this.pos++]!;
    if (ch >= code('0') && ch <= code('7')) {
      let value = ch - 0x30;
      for (let digits = 1; digits < 3; digits++) {
        const next = this.peek();
        if (next === undefined || next < code('0') || next > code('7')) break;
        value = value * 8 + (next - 0x30);
        this.pos++;
      }
      return value & 0xff;
    }
    switch (String.fromCodePoint(ch)) {
      case 'x':
        if (this.peek() === code('{')) {
          this.pos++;
          let value = 0;
          let digits = 0;
          for (;;) {
            const next = this.cps[this.pos++];
            if (next === undefined) this.fail('missing closing } in \\x{...}');
            if (next === code('}')) break;
            const digit = hexValue(next);
            if (digit < 0) this.fail('missing closing } in \\x{...}');
            value = value * 16 + digit;
            digits++;
            if (value > 0x10ffff) this.fail('hex values may not be larger than 0x10FFFF');
          }
          if (digits === 0) this.fail('insufficient hexadecimal digits');
          return value;
        }
        return this.scanHex(2);
      case 'u':
        return this.scanHex(4);
      case 'a':
        return 0x07;
      case 'b':
        return 0x08;
      case 'e':
        return 0x1b;
      case 'f':
        return 0x0c;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'v':
        return 0x0b;
      case 'c': {
        let control = this.cps[this.pos++];
        if (control === undefined) this.fail('missing control character');
        if (control >= code('a') && control <= code('z')) control -= 0x20;
        control -= 0x40;
        if (control < 0 || control >= 0x20) this.fail('unrecognized control character');
        return control;
      }
      default:
        // In RE2 mode regexp2 lets an unknown escape stand for the character itself (`\_`).
        return ch;
    }
  }

  private scanHex(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const digit = hexValue(this.peek());
      if (digit < 0) this.fail('insufficient hexadecimal digits');
      value = value * 16 + digit;
      this.pos++;
    }
    return value;
  }

  /** .NET's scanCharSet, after the `[`. */
  private parseClass(fold: boolean): CharClassSpec {
    const spec = emptySpec(fold);
    if (this.peek() === code('^')) {
      this.pos++;
      spec.negate = true;
    }
    let firstChar = true;
    let inRange = false;
    let rangeStart = 0;
    let closed = false;
    for (; this.pos < this.cps.length; firstChar = false) {
      let translated = false;
      let ch = this.cps[this.pos++]!;
      if (ch === code(']')) {
        if (!firstChar) {
          closed = true;
          break;
        }
      } else if (ch === code('\\') && this.pos < this.cps.length) {
        const letter = String.fromCodePoint(this.cps[this.pos++]!);
        if ('dDsSwW'.includes(letter)) {
          if (inRange) this.fail(`cannot include class \\${letter} in character range`);
          this.addEscapedClass(spec, letter);
          continue;
        }
        if (letter === 'p' || letter === 'P') {
          if (inRange) this.fail(`cannot include class \\${letter} in character range`);
          spec.properties.push({ regexp: this.parseProperty(), negate: letter === 'P' });
          continue;
        }
        if (letter === '-') {
          // .NET adds the dash and leaves a pending range pending.
          spec.ranges.push(code('-'), code('-'));
          continue;
        }
        this.pos--;
        ch = this.scanCharEscape();
        translated = true;
      } else if (ch === code('[') && this.peek() === code(':') && !inRange) {
        const save = this.pos;
        this.pos++;
        let negate = false;
        if (this.remaining > 1 && this.peek() === code('^')) {
          negate = true;
          this.pos++;
        }
        const start = this.pos;
        while (isWordChar(this.peek())) this.pos++;
        const name = this.text(start, this.pos);
        const ranges = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
        if (ranges === undefined) this.fail(`invalid character class range [:${name}:]`);
        spec.ranges.push(...(negate ? complementRanges(ranges) : ranges));
        if (this.remaining >= 2 && this.peek() === code(':') && this.peek(1) === code(']')) {
          this.pos += 2;
          continue;
        }
        // Not closed by `:]`: regexp2 keeps the class it added and reads `[` as a character.
        this.pos = save;
      }

      if (inRange) {
        inRange = false;
        if (ch === code('[') && !translated && !firstChar) {
          // `[a-[...]]`: what looked like a range is the character and a subtraction.
          spec.ranges.push(rangeStart, rangeStart);
          this.subtraction(spec, fold);
        } else {
          if (rangeStart > ch) this.fail('[x-y] range in reverse order');
          spec.ranges.push(rangeStart, ch);
        }
      } else if (this.remaining >= 2 && this.peek() === code('-') && this.peek(1) !== code(']')) {
        rangeStart = ch;
        inRange = true;
        this.pos++;
      } else if (
        this.remaining >= 1 &&
        ch === code('-') &&
        !translated &&
        this.peek() === code('[') &&
        !firstChar
      ) {
        this.pos++;
        this.subtraction(spec, fold);
      } else {
        spec.ranges.push(ch, ch);
      }
    }
    if (!closed) this.fail('unterminated [] set');
    return spec;
  }

  private subtraction(spec: CharClassSpec, fold: boolean): void {
    spec.subtract = this.parseClass(fold);
    if (this.remaining > 0 && this.peek() !== code(']')) {
      this.fail('a subtraction must be the last element in a character class');
    }
  }
}
