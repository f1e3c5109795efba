import type { CharClass } from './char-class.js';

/** Zero-width assertions. */
export type Assertion =
  | 'start-of-text' // ^ without (?m), \A, \G
  | 'start-of-line' // ^ with (?m)
  | 'end-of-text' // $ without (?m) in RE2 mode, \z
  | 'end-of-text-or-final-newline' // \Z
  | 'end-of-line' // $ with (?m)
  | 'word-boundary'
  | 'not-word-boundary';

/** The syntax tree both pattern languages (glob and regexp) are parsed into, and compiled from. */
export type PatternNode =
  | { kind: 'empty' }
  | { kind: 'char'; codePoint: number; fold: boolean }
  | { kind: 'class'; charClass: CharClass }
  /** One code point; `newline: false` excludes "\n" (regexp `.` without (?s)). */
  | { kind: 'any'; newline: boolean }
  | { kind: 'sequence'; items: PatternNode[] }
  | { kind: 'alternation'; alternatives: PatternNode[] }
  /** `max` is Infinity when unbounded. `greedy: false` for lazy quantifiers. */
  | { kind: 'repeat'; body: PatternNode; min: number; max: number; greedy: boolean }
  | CaptureNode
  | { kind: 'assertion'; assertion: Assertion }
  | { kind: 'lookahead'; negate: boolean; body: PatternNode };

export interface CaptureNode {
  kind: 'capture';
  /** 1-based group number, assigned once the whole pattern is parsed (.NET numbers named groups last). */
  group: number;
  body: PatternNode;
}

/** Groups nested deeper are refused: parsing and compiling recurse once per level. */
export const MAX_NESTING = 500;

export const EMPTY: PatternNode = { kind: 'empty' };

export function sequence(items: PatternNode[]): PatternNode {
  if (items.length === 0) return EMPTY;
  if (items.length === 1) return items[0]!;
  return { kind: 'sequence', items };
}

export function alternation(alternatives: PatternNode[]): PatternNode {
  return alternatives.length === 1 ? alternatives[0]! : { kind: 'alternation', alternatives };
}
