import { CharClass } from './char-class.js';
import { PatternError } from './pattern-error.js';
import { alternation, MAX_NESTING, type PatternNode, sequence } from './pattern-node.js';

// gobwas/glob v0.2.3 (Oathkeeper's version) as Oathkeeper calls it: glob.Compile(pattern, '.', '/').
// The lexer and parser below follow its syntax/lexer and syntax/ast packages token for token,
// including what they let through: an unclosed `{` closes itself at the end, `}` and `,` outside
// `{...}` and `]` outside `[...]` are literal, a trailing `\` is dropped, and `[...]` holds either
// one range (`[a-z]`, `[!a-z]`) or a list of characters (`[abc]`, `[a,b]`, `[abc-z]`), never both.

const SEPARATORS = ['.'.codePointAt(0)!, '/'.codePointAt(0)!];

/** One character that is not a separator: `?`, and what `*` repeats. */
const NOT_SEPARATOR = new CharClass({
  ranges: SEPARATORS.flatMap((cp) => [cp, cp]),
  properties: [],
  negate: true,
  fold: false,
});

const ANY_RUN: PatternNode = {
  kind: 'repeat',
  body: { kind: 'class', charClass: NOT_SEPARATOR },
  min: 0,
  max: Number.POSITIVE_INFINITY,
  greedy: true,
};

const SUPER_RUN: PatternNode = {
  kind: 'repeat',
  body: { kind: 'any', newline: true },
  min: 0,
  max: Number.POSITIVE_INFINITY,
  greedy: true,
};

const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const BRACKET_OPEN = 0x5b;
const BRACKET_CLOSE = 0x5d;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;
const COMMA = 0x2c;
const BANG = 0x21;
const DASH = 0x2d;

type Token =
  | { type: 'text'; codePoints: number[] }
  | { type: 'any' | 'super' | 'single' | 'not' | 'separator' | 'between' }
  | { type: 'range-open' | 'range-close' | 'terms-open' | 'terms-close' }
  | { type: 'range-lo' | 'range-hi'; codePoint: number };

const TEXT_BREAKERS = [QUESTION, STAR, BRACKET_OPEN, BRACE_OPEN];
const TERMS_BREAKERS = [...TEXT_BREAKERS, BRACE_CLOSE, COMMA];
const RANGE_BREAKERS = [BRACKET_CLOSE];

/** Every meta character gobwas' QuoteMeta escapes (`,` `!` `-` are special only inside those). */
const META = new Set([STAR, QUESTION, BACKSLASH, BRACKET_OPEN, BRACKET_CLOSE, BRACE_OPEN, BRACE_CLOSE]);

/** gobwas' glob.QuoteMeta: a backslash before each meta character. */
export function quoteGlob(literal: string): string {
  let out = '';
  for (const ch of literal) out += META.has(ch.codePointAt(0)!) ? `\\${ch}` : ch;
  return out;
}

function lex(pattern: string): Token[] {
  const cps = Array.from(pattern, (ch) => ch.codePointAt(0)!);
  const tokens: Token[] = [];
  let pos = 0;
  let termsLevel = 0;
  const fail = (why: string): never => {
    throw new PatternError(`invalid glob ${JSON.stringify(pattern)}: ${why}`);
  };

  const fetchText = (breakers: number[]) => {
    const text: number[] = [];
    let escaped = false;
    while (pos < cps.length) {
      const r = cps[pos++]!;
      if (!escaped) {
        if (r === BACKSLASH) {
          escaped = true;
          continue;
        }
        if (breakers.includes(r)) {
          pos--;
          break;
        }
      }
      escaped = false;
      text.push(r);
    }
    if (text.length > 0) tokens.push({ type: 'text', codePoints: text });
  };

  const fetchRange = () => {
    let wantHi = false;
    let wantClose = false;
    let seenNot = false;
    for (;;) {
      if (pos >= cps.length) fail('unexpected end of input inside "[...]"');
      const r = cps[pos++]!;
      if (wantClose) {
        if (r !== BRACKET_CLOSE) fail('expected "]" to close the character range');
        tokens.push({ type: 'range-close' });
        return;
      }
      if (wantHi) {
        tokens.push({ type: 'range-hi', codePoint: r });
        wantClose = true;
        continue;
      }
      if (!seenNot && r === BANG) {
        tokens.push({ type: 'not' });
        seenNot = true;
        continue;
      }
      if (pos < cps.length && cps[pos] === DASH) {
        pos++;
        tokens.push({ type: 'range-lo', codePoint: r }, { type: 'between' });
        wantHi = true;
        continue;
      }
      pos--;
      fetchText(RANGE_BREAKERS);
      wantClose = true;
    }
  };

  while (pos < cps.length) {
    const r = cps[pos++]!;
    if (r === BRACE_OPEN) {
      termsLevel++;
      tokens.push({ type: 'terms-open' });
    } else if (r === COMMA && termsLevel > 0) {
      tokens.push({ type: 'separator' });
    } else if (r === BRACE_CLOSE && termsLevel > 0) {
      tokens.push({ type: 'terms-close' });
      termsLevel--;
    } else if (r === BRACKET_OPEN) {
      tokens.push({ type: 'range-open' });
      fetchRange();
    } else if (r === QUESTION) {
      tokens.push({ type: 'single' });
    } else if (r === STAR) {
      if (cps[pos] === STAR) {
        pos++;
        tokens.push({ type: 'super' });
      } else {
        tokens.push({ type: 'any' });
      }
    } else {
      pos--;
      fetchText(termsLevel > 0 ? TERMS_BREAKERS : TEXT_BREAKERS);
    }
  }
  return tokens;
}

interface Alternatives {
  alternatives: PatternNode[][];
  parent: PatternNode[];
}

/** Parses a whole glob (delimiters already resolved) into a tree that must match the whole subject. */
export function parseGlob(pattern: string): PatternNode {
  const tokens = lex(pattern);
  const root: PatternNode[] = [];
  let current = root;
  // The `{...}` groups open around `current`, innermost last.
  const open: Alternatives[] = [];
  const fail = (why: string): never => {
    throw new PatternError(`invalid glob ${JSON.stringify(pattern)}: ${why}`);
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    switch (token.type) {
      case 'text':
        for (const codePoint of token.codePoints) current.push({ kind: 'char', codePoint, fold: false });
        break;
      case 'any':
        current.push(ANY_RUN);
        break;
      case 'super':
        current.push(SUPER_RUN);
        break;
      case 'single':
        current.push({ kind: 'class', charClass: NOT_SEPARATOR });
        break;
      case 'terms-open': {
        if (open.length >= MAX_NESTING) fail(`"{...}" nested more than ${MAX_NESTING} deep`);
        const first: PatternNode[] = [];
        open.push({ alternatives: [first], parent: current });
        current = first;
        break;
      }
      case 'separator': {
        const next: PatternNode[] = [];
        open[open.length - 1]!.alternatives.push(next);
        current = next;
        break;
      }
      case 'terms-close': {
        const group = open.pop()!;
        group.parent.push(alternation(group.alternatives.map(sequence)));
        current = group.parent;
        break;
      }
      case 'range-open': {
        let negate = false;
        let lo = 0;
        let hi = 0;
        let chars: number[] = [];
        for (i++; ; i++) {
          const part = tokens[i];
          if (part === undefined) return fail('unexpected end of input inside "[...]"');
          if (part.type === 'not') negate = true;
          else if (part.type === 'range-lo') lo = part.codePoint;
          else if (part.type === 'range-hi') {
            hi = part.codePoint;
            if (hi < lo) fail(`range "${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}" is reversed`);
          } else if (part.type === 'text') chars = part.codePoints;
          else if (part.type === 'range-close') break;
        }
        const isRange = lo !== 0 && hi !== 0;
        if (isRange === chars.length > 0) fail('could not parse the character range');
        const ranges = isRange ? [lo, hi] : chars.flatMap((cp) => [cp, cp]);
        current.push({
          kind: 'class',
          charClass: new CharClass({ ranges, properties: [], negate, fold: false }),
        });
        break;
      }
      default:
        fail(`unexpected ${token.type}`);
    }
  }
  // gobwas accepts an unclosed `{`: whatever was read so far forms the alternatives.
  while (open.length > 0) {
    const group = open.pop()!;
    group.parent.push(alternation(group.alternatives.map(sequence)));
  }
  return sequence(root);
}
