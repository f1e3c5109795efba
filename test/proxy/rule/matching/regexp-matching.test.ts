import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, PatternError } from '../../../../src/proxy/rule/matching/compile-pattern.js';
import { REGEXP_CASES, REGEXP_ERRORS } from './pattern-cases.js';

describe('regexp matching (regexp2 with the RE2 option, as Oathkeeper compiles rules)', () => {
  it.each(REGEXP_CASES)('%j against %j gives %j', (pattern, subject, expected) => {
    const result = compilePattern(pattern, 'regexp').match(subject);
    if (expected === false) expect(result).toEqual({ matched: false });
    else expect(result).toEqual({ matched: true, captureGroups: expected });
  });

  it.each(REGEXP_ERRORS)('%j does not compile: %s', (pattern, why) => {
    expect(() => compilePattern(pattern, 'regexp')).toThrow(PatternError);
    expect(() => compilePattern(pattern, 'regexp')).toThrow(why);
  });

  it('each capture group array belongs to its match', () => {
    const pattern = compilePattern('http://x/<[a-z]+>', 'regexp');
    const first = pattern.match('http://x/abc');
    const second = pattern.match('http://x/def');
    expect(first).toEqual({ matched: true, captureGroups: ['abc'] });
    expect(second).toEqual({ matched: true, captureGroups: ['def'] });
  });

  it('an unknown strategy is a PatternError', () => {
    expect(() => compilePattern('http://x/', 'regex' as 'regexp')).toThrow(PatternError);
  });
});

// Random expressions in the part of the syntax where JavaScript's RegExp and regexp2 agree.
// Captures are compared only when no group sits under a quantifier: ECMAScript clears a group's
// capture at each iteration, .NET keeps the last one.
interface Expression {
  source: string;
  quantifiedCapture: boolean;
}

const atom = fc.constantFrom('a', 'b', 'c', '/', '.', '[ab]', '[^a]', '[a-c]', '[/b]', '^', '$');
const quantifier = fc.constantFrom('*', '+', '?', '{1,2}', '{2}', '{0,3}', '*?', '+?', '??', '{1,3}?');

const { expression } = fc.letrec<{ expression: Expression; plain: string }>((tie) => ({
  expression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom.map((source) => ({ source, quantifiedCapture: false })),
    fc.tuple(tie('expression'), tie('expression')).map(([x, y]) => ({
      source: x.source + y.source,
      quantifiedCapture: x.quantifiedCapture || y.quantifiedCapture,
    })),
    fc.tuple(tie('expression'), tie('expression')).map(([x, y]) => ({
      source: `(?:${x.source}|${y.source})`,
      quantifiedCapture: x.quantifiedCapture || y.quantifiedCapture,
    })),
    tie('expression').map((x) => ({ source: `(${x.source})`, quantifiedCapture: x.quantifiedCapture })),
    fc.tuple(tie('expression'), quantifier).map(([x, q]) => ({
      source: `(?:${x.source})${q}`,
      quantifiedCapture: x.quantifiedCapture || x.source.includes('('),
    })),
    fc.tuple(fc.constantFrom('=', '!'), tie('plain')).map(([kind, body]) => ({
      source: `(?${kind}${body})`,
      quantifiedCapture: false,
    })),
  ),
  // No capture groups: for lookahead bodies.
  plain: fc.oneof(
    { depthSize: 'small' },
    atom,
    fc.tuple(tie('plain'), tie('plain')).map(([x, y]) => `${x}${y}`),
    fc.tuple(tie('plain'), tie('plain')).map(([x, y]) => `(?:${x}|${y})`),
    fc.tuple(tie('plain'), quantifier).map(([x, q]) => `(?:${x})${q}`),
  ),
}));

const path = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '/'), maxLength: 7 });

describe('regexp semantics', () => {
  it('matches and captures what a backtracking engine does', () => {
    fc.assert(
      fc.property(expression, fc.array(path, { minLength: 1, maxLength: 6 }), (expr, paths) => {
        const compiled = compilePattern(`http://h/<${expr.source}>`, 'regexp');
        const reference = new RegExp(`^http://h/(${expr.source})$`);
        for (const tail of paths) {
          const subject = `http://h/${tail}`;
          const expected = reference.exec(subject);
          const actual = compiled.match(subject);
          expect(actual.matched, `${expr.source} against ${subject}`).toBe(expected !== null);
          if (actual.matched && expected !== null && !expr.quantifiedCapture) {
            expect(actual.captureGroups, `${expr.source} against ${subject}`).toEqual(
              expected.slice(1).map((group) => group ?? ''),
            );
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
