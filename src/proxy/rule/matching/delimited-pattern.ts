import { PatternError } from './pattern-error.js';

/** A `match.url` split at its outermost `<`…`>` pairs: `literals` has one more entry than `sections`. */
export interface DelimitedPattern {
  literals: string[];
  sections: string[];
}

/**
 * Splits at the outermost `<`…`>` pairs, tracking nesting the way Oathkeeper's delimiterIndices
 * does: no escapes, so `\<` counts too; a `>` without an open `<`, or a `<` never closed, is an error.
 */
export function delimitedPattern(pattern: string): DelimitedPattern {
  const literals: string[] = [];
  const sections: string[] = [];
  let level = 0;
  let literalStart = 0;
  let sectionStart = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charCodeAt(i);
    if (ch === 0x3c /* < */) {
      level++;
      if (level === 1) sectionStart = i;
    } else if (ch === 0x3e /* > */) {
      level--;
      if (level === 0) {
        literals.push(pattern.slice(literalStart, sectionStart));
        sections.push(pattern.slice(sectionStart + 1, i));
        literalStart = i + 1;
      } else if (level < 0) {
        throw new PatternError(
          `unbalanced "<" and ">" in ${JSON.stringify(pattern)}: ">" at ${i} closes nothing`,
        );
      }
    }
  }
  if (level !== 0) {
    throw new PatternError(`unbalanced "<" and ">" in ${JSON.stringify(pattern)}: a "<" is never closed`);
  }
  literals.push(pattern.slice(literalStart));
  return { literals, sections };
}
