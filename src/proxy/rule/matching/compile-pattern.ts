/**
 * Compiles an access rule's `match.url` into a matcher, as Oathkeeper's glob and regexp matching
 * engines do (docs: compat-proxy.md §4).
 *
 * Both strategies split the pattern at its outermost `<`…`>` pairs (unbalanced ones are an error),
 * escape the literal text between them for the engine and insert the sections raw:
 * - `glob`: gobwas/glob syntax with `.` and `/` as separators, matched against the whole subject;
 *   no capture groups (glob-syntax.ts).
 * - `regexp`: `^lit(section)lit...$` in regexp2's dialect with its RE2 option; each section must
 *   also compile alone as `^section$`. Capture groups are every group but group 0, in .NET's
 *   numbering, "" for a group that did not take part (regexp-syntax.ts).
 *
 * Bounding: Oathkeeper runs regexp2, a backtracking engine, with a 250 ms timeout per match
 * (exceeding it is a 500). JavaScript's RegExp cannot be interrupted, and patterns such as
 * `<(a+)+b>` take exponential time in it (`<.*-.*x>` quadratic), so gatehouse does not use it
 * here. Both strategies compile to one automaton run by a Pike VM (pike-vm.ts): each code point of
 * the subject is read once and each instruction runs at most once per position, so a match costs
 * at most instructions × (length + 1) steps, whatever the pattern. A lazily built DFA
 * (lazy-dfa.ts) answers yes or no first, in one table lookup per character once warm; glob rules
 * need nothing more, regexp rules run the Pike VM for their capture groups only when they match.
 * Limits, all answered with PatternError (a 500, like Oathkeeper's timeout, never a hang):
 * - a pattern of more than MAX_INSTRUCTIONS (10,000) instructions after expanding counted
 *   repetitions, or with groups nested more than MAX_NESTING (500) deep, is refused when compiled;
 * - a match is stopped after MAX_STEPS (2^23, steps.ts) steps, about 200 ms on a slow machine:
 *   a count, not a clock, so the same request gets the same answer everywhere. The portal's
 *   patterns take 2-6 steps per character of the URL, so they decide any URL of up to a megabyte;
 *   only patterns with hundreds of live alternatives (`<(.*a){60}>` against 64 KiB) reach it;
 * - a pattern whose capture slots × instructions exceed MAX_CAPTURE_CELLS (2^21) is refused when
 *   compiled (the Pike VM keeps a row of slots per instruction);
 * - what a linear-time automaton cannot express is refused when compiled: backreferences,
 *   lookbehind, atomic groups, conditionals, balancing and numbered groups, `\p{IsBlock}`, and
 *   capture groups inside a positive lookahead (.NET would report what they captured). Lookahead
 *   itself is supported and stays linear: it is decided for all positions of the subject at once.
 *   Lookbehind and atomic groups cannot pass Oathkeeper's delimiter check anyway (`(?<=` and `(?>`
 *   unbalance the `<`…`>` count).
 *
 * Known differences from regexp2 beyond those refusals: case-insensitive matching uses simple
 * one-to-one case mappings; `\b` uses ASCII word characters (as `\w` does in RE2 mode); `\p{..}`
 * follows JavaScript's Unicode tables; and a quantified group that can match the empty string
 * may report another capture in corner cases (an iteration matching nothing ends the loop, as in
 * RE2), e.g. `(a|)*`.
 */
import { delimitedPattern } from './delimited-pattern.js';
import { parseGlob, quoteGlob } from './glob-syntax.js';
import { PatternError } from './pattern-error.js';
import { PikeVm } from './pike-vm.js';
import { compileProgram } from './program.js';
import { parseRegexp, quoteRegexp } from './regexp-syntax.js';

export { PatternError };

export type MatchingStrategy = 'glob' | 'regexp';

export type PatternMatch = { matched: false } | { matched: true; captureGroups: string[] };

export interface CompiledPattern {
  /** Tests the whole string (scheme://host/path, already built by the caller). */
  match(subject: string): PatternMatch;
}

const NO_MATCH: PatternMatch = Object.freeze({ matched: false });

/** Compiles `pattern` once; `match` then runs per request. Throws PatternError. */
export function compilePattern(pattern: string, strategy: MatchingStrategy): CompiledPattern {
  if (strategy === 'glob') return compileGlobPattern(pattern);
  if (strategy === 'regexp') return compileRegexpPattern(pattern);
  throw new PatternError(`unknown matching strategy ${JSON.stringify(strategy)}: use "glob" or "regexp"`);
}

function compileGlobPattern(pattern: string): CompiledPattern {
  const { literals, sections } = delimitedPattern(pattern);
  // The most common rule shape, `<prefix><**><suffix>` (`**` matches any run of characters,
  // separators included), needs no automaton: a prefix and a suffix test decide it.
  if (sections.length === 1 && sections[0] === '**') return prefixSuffixPattern(literals[0]!, literals[1]!);
  let glob = '';
  sections.forEach((section, i) => {
    glob += quoteGlob(literals[i]!) + section;
  });
  glob += quoteGlob(literals[sections.length]!);
  const vm = new PikeVm(compileProgram(parseGlob(glob), 0));
  return {
    match(subject) {
      return vm.exec(subject) === null ? NO_MATCH : { matched: true, captureGroups: [] };
    },
  };
}

function prefixSuffixPattern(prefix: string, suffix: string): CompiledPattern {
  // One answer object for every match: a glob has no capture groups.
  const matched: PatternMatch = Object.freeze({ matched: true, captureGroups: [] });
  const shortest = prefix.length + suffix.length;
  return {
    match(subject) {
      return subject.length >= shortest && subject.startsWith(prefix) && subject.endsWith(suffix)
        ? matched
        : NO_MATCH;
    },
  };
}

function compileRegexpPattern(pattern: string): CompiledPattern {
  const { literals, sections } = delimitedPattern(pattern);
  // As ory/ladon's CompileRegex: each section alone first, so a group opened in one section and
  // closed in another is an error even though the joined expression would be well-formed.
  for (const section of sections) parseRegexp(`^${section}$`);
  let source = '^';
  sections.forEach((section, i) => {
    source += `${quoteRegexp(literals[i]!)}(${section})`;
  });
  source += `${quoteRegexp(literals[sections.length]!)}$`;
  const { node, groupCount } = parseRegexp(source);
  const vm = new PikeVm(compileProgram(node, groupCount));
  return {
    match(subject) {
      const slots = vm.exec(subject);
      if (slots === null) return NO_MATCH;
      const captureGroups = new Array<string>(groupCount);
      for (let g = 0; g < groupCount; g++) {
        const start = slots[2 * g]!;
        const end = slots[2 * g + 1]!;
        captureGroups[g] = start >= 0 && end >= 0 ? subject.slice(start, end) : '';
      }
      return { matched: true, captureGroups };
    },
  };
}
