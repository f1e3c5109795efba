import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, PatternError } from '../../../../src/proxy/rule/matching/compile-pattern.js';
import { GLOB_CASES, GLOB_ERRORS } from './pattern-cases.js';

describe('glob matching (gobwas/glob with "." and "/" as separators)', () => {
  it.each(GLOB_CASES)('%j against %j matches: %s', (pattern, subject, expected) => {
    const result = compilePattern(pattern, 'glob').match(subject);
    expect(result.matched).toBe(expected);
  });

  it('gives no capture groups', () => {
    expect(compilePattern('http://h/<{a,b}>/<*>', 'glob').match('http://h/a/x')).toEqual({
      matched: true,
      captureGroups: [],
    });
  });

  it.each(GLOB_ERRORS)('%j does not compile: %s', (pattern, why) => {
    expect(() => compilePattern(pattern, 'glob')).toThrow(PatternError);
    expect(() => compilePattern(pattern, 'glob')).toThrow(why);
  });

  it('a compiled pattern gives the same answer on every call', () => {
    const pattern = compilePattern('http://oathkeeper:4455/<{,api/**,settings}>', 'glob');
    for (let i = 0; i < 3; i++) {
      expect(pattern.match('http://oathkeeper:4455/api/a/b').matched).toBe(true);
      expect(pattern.match('http://oathkeeper:4455/apix').matched).toBe(false);
    }
  });
});

// A glob and a JavaScript RegExp meaning the same, built side by side from one random tree.
interface Twin {
  glob: string;
  regexp: string;
}

const escapeRegexp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

const literal = fc.constantFrom('a', 'b', '.', '/', '-', '!', ',').map(
  (ch): Twin => ({
    // `,` would separate alternatives inside `{...}`: escape it, which works everywhere.
    glob: ch === ',' ? '\\,' : ch,
    regexp: escapeRegexp(ch),
  }),
);

const wildcard = fc.constantFrom<Twin>(
  { glob: '*', regexp: '[^./]*' },
  { glob: '**', regexp: '[^]*' },
  { glob: '?', regexp: '[^./]' },
  { glob: '[ab]', regexp: '[ab]' },
  { glob: '[!ab]', regexp: '[^ab]' },
  { glob: '[a-c]', regexp: '[a-c]' },
  { glob: '[!a-c]', regexp: '[^a-c]' },
  { glob: '[.,]', regexp: '[.,]' },
);

/** Concatenates, keeping `*` next to `*` from turning into `**`. */
function concat(parts: Twin[]): Twin {
  let glob = '';
  let regexp = '';
  for (const part of parts) {
    if (glob.endsWith('*') && part.glob.startsWith('*')) continue;
    glob += part.glob;
    regexp += part.regexp;
  }
  return { glob, regexp };
}

const { twin } = fc.letrec<{ twin: Twin; alternatives: Twin }>((tie) => ({
  twin: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    wildcard,
    fc.array(tie('twin'), { maxLength: 4 }).map(concat),
    tie('alternatives'),
  ),
  alternatives: fc.array(tie('twin'), { minLength: 1, maxLength: 3 }).map((alternatives) => ({
    glob: `{${alternatives.map((alt) => alt.glob).join(',')}}`,
    regexp: `(?:${alternatives.map((alt) => alt.regexp).join('|')})`,
  })),
}));

const subjectTail = fc.string({
  unit: fc.constantFrom('a', 'b', 'c', '.', '/', '-', '!', ','),
  maxLength: 8,
});

describe('glob semantics', () => {
  it('a glob matches exactly what the equivalent regular expression matches', () => {
    fc.assert(
      fc.property(twin, fc.array(subjectTail, { minLength: 1, maxLength: 6 }), (pattern, tails) => {
        const compiled = compilePattern(`http://h/<${pattern.glob}>`, 'glob');
        const reference = new RegExp(`^http://h/${pattern.regexp}$`);
        for (const tail of tails) {
          const subject = `http://h/${tail}`;
          expect(compiled.match(subject).matched, `${pattern.glob} against ${subject}`).toBe(
            reference.test(subject),
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it('`<prefix><**><suffix>`, decided without the automaton, agrees with the automaton', () => {
    // `<{**}>` means the same as `<**>` but is not the shape that skips the automaton.
    const part = fc.string({ unit: fc.constantFrom('a', 'b', '.', '/', '😀'), maxLength: 4 });
    fc.assert(
      fc.property(
        part,
        part,
        fc.array(fc.tuple(part, part, part), { maxLength: 6 }),
        (prefix, suffix, subjects) => {
          const shortcut = compilePattern(`${prefix}<**>${suffix}`, 'glob');
          const automaton = compilePattern(`${prefix}<{**}>${suffix}`, 'glob');
          // Overlaps of prefix and suffix (shorter than both together) are the edge to get right.
          const overlaps = Array.from({ length: suffix.length + 1 }, (_, k) => prefix + suffix.slice(k));
          for (const subject of [...overlaps, ...subjects.map((pieces) => pieces.join(''))]) {
            expect(shortcut.match(subject).matched, `${prefix}<**>${suffix} against ${subject}`).toBe(
              automaton.match(subject).matched,
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
