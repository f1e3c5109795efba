import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompiledPattern,
  compilePattern,
  type MatchingStrategy,
  PatternError,
} from '../../../../src/proxy/rule/matching/compile-pattern.js';
import { GLOB_CASES, PORTAL, REGEXP_CASES } from './pattern-cases.js';

type Outcome = 'matched' | 'no match' | 'PatternError';

/** What a match answered; anything thrown but a PatternError fails the test. */
function outcome(pattern: CompiledPattern, subject: string): Outcome {
  try {
    return pattern.match(subject).matched ? 'matched' : 'no match';
  } catch (error) {
    if (error instanceof PatternError) return 'PatternError';
    throw error;
  }
}

const piece = fc.constantFrom(
  '<',
  '>',
  '*',
  '**',
  '?',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  '/',
  'a',
  'b',
  'x',
  '(',
  ')',
  '|',
  '+',
  '\\',
  '!',
  '-',
  '^',
  '$',
  ':',
  '(?',
  '(?=',
  '(?!',
  '(?i)',
  '(?P<n>',
  '[[:digit:]]',
  '{2}',
  '{1,3}',
  '\\d',
  '\\1',
  'http://h/',
);

const pattern = fc.oneof(
  fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join('')),
  fc.string({ maxLength: 30 }),
);

const subject = fc.oneof(
  fc
    .array(fc.constantFrom('http://h/', 'a', 'b', 'x', '.', '/', '1', ',', '-', '*', '😀'), { maxLength: 20 })
    .map((pieces) => pieces.join('')),
  fc.string({ maxLength: 20, unit: 'binary' }),
);

describe('arbitrary patterns and URLs', () => {
  it.each<MatchingStrategy>(['glob', 'regexp'])(
    '%s: a pattern compiles or throws PatternError, and its match answers or throws PatternError',
    (strategy) => {
      fc.assert(
        fc.property(pattern, fc.array(subject, { maxLength: 5 }), (source, subjects) => {
          let compiled: CompiledPattern;
          try {
            compiled = compilePattern(source, strategy);
          } catch (error) {
            expect(error).toBeInstanceOf(PatternError);
            return;
          }
          for (const url of subjects) {
            try {
              const result = compiled.match(url);
              if (result.matched)
                expect(result.captureGroups.every((group) => typeof group === 'string')).toBe(true);
              else expect(result).toEqual({ matched: false });
            } catch (error) {
              expect(error).toBeInstanceOf(PatternError);
            }
          }
        }),
        { numRuns: 3000 },
      );
    },
  );
});

const KIB_64 = 65536;

/** Long tails built to make backtracking engines explode on these patterns. */
const TAILS = [
  'a'.repeat(KIB_64),
  '/'.repeat(KIB_64),
  '.'.repeat(KIB_64),
  'a.'.repeat(KIB_64 / 2),
  `${'a/'.repeat(KIB_64 / 2)}!`,
  `${'ab'.repeat(KIB_64 / 2)}x`,
];

/**
 * The case's URL (so the tail is a near miss after a match), the part up to its last "/" (so the
 * tail is what the wildcards must chew on) and the portal's base, each with every tail.
 */
function adversarialSubjects(url: string): string[] {
  const bases = new Set([url, url.slice(0, url.lastIndexOf('/') + 1), 'http://oathkeeper:4455/']);
  return [...bases].flatMap((base) => TAILS.map((tail) => base + tail));
}

function casesByPattern(cases: [string, string, unknown][]): Map<string, string> {
  const byPattern = new Map<string, string>();
  for (const [source, url] of cases) if (!byPattern.has(source)) byPattern.set(source, url);
  return byPattern;
}

describe('64 KiB URLs built to hurt the pattern', () => {
  const globs = casesByPattern(GLOB_CASES);
  for (const source of Object.values(PORTAL)) if (!globs.has(source)) globs.set(source, source);

  it.each([...globs])('glob %j decides every one', (source, url) => {
    const compiled = compilePattern(source, 'glob');
    for (const long of adversarialSubjects(url)) {
      expect(outcome(compiled, long), `${source} against ${long.slice(0, 40)}…`).not.toBe('PatternError');
    }
  });

  it.each([...casesByPattern(REGEXP_CASES)])('regexp %j decides every one', (source, url) => {
    const compiled = compilePattern(source, 'regexp');
    for (const long of adversarialSubjects(url)) {
      expect(outcome(compiled, long), `${source} against ${long.slice(0, 40)}…`).not.toBe('PatternError');
    }
  });

  it('the portal patterns still match a 64 KiB URL they cover', () => {
    const tail = 'a/'.repeat(KIB_64 / 2);
    expect(
      compilePattern(PORTAL.kratosPublic, 'glob').match(`http://oathkeeper:4455/.ory/kratos/public/${tail}`),
    ).toEqual({ matched: true, captureGroups: [] });
    expect(
      compilePattern(PORTAL.dashboardAnonymous, 'glob').match(`http://oathkeeper:4455/_next/${tail}`),
    ).toEqual({
      matched: true,
      captureGroups: [],
    });
  });
});

describe('patterns that backtrack catastrophically elsewhere', () => {
  const as = 'a'.repeat(KIB_64);

  it.each<[string, string, ReturnType<CompiledPattern['match']>]>([
    ['http://x/<(a+)+b>', `http://x/${as}`, { matched: false }],
    ['http://x/<(a|a)*c>', `http://x/${as}`, { matched: false }],
    ['http://x/<(a|aa)+$>', `http://x/${as}`, { matched: true, captureGroups: [as, 'a'] }],
    ['http://x/<(a|aa)+$>', `http://x/${as}b`, { matched: false }],
    ['http://x/<((a*)*)*b>', `http://x/${as}`, { matched: false }],
    ['http://x/<(x+x+)+y>', `http://x/${'x'.repeat(KIB_64)}`, { matched: false }],
    ['http://x/<(.*a){20}>', `http://x/${as}b`, { matched: false }],
    ['http://x/<.*-.*-.*x>', `http://x/${'-'.repeat(KIB_64)}`, { matched: false }],
    ['http://x/<(?:(?!.*x).)*>', `http://x/${as}`, { matched: true, captureGroups: [as] }],
  ])('regexp %j answers without backtracking', (source, url, expected) => {
    expect(compilePattern(source, 'regexp').match(url)).toEqual(expected);
  });

  it.each([
    ['http://x/<{**a,**b,**c,**d}{**a,**b}{**a,**b}**x>', `http://x/${'ab'.repeat(KIB_64 / 2)}`],
    ['http://x/<**a**a**a**a**a**a**a**a**a**b>', `http://x/${as}`],
    ['http://x/<{*,**}{*,**}{*,**}{*,**}x>', `http://x/${'a.'.repeat(KIB_64 / 2)}`],
  ])('glob %j answers without backtracking', (source, url) => {
    expect(compilePattern(source, 'glob').match(url)).toEqual({ matched: false });
  });

  it('a match beyond the step limit is a PatternError, as a regexp2 timeout is a 500', () => {
    const compiled = compilePattern('http://x/<(.*a){60}>', 'regexp');
    expect(() => compiled.match(`http://x/${as}`)).toThrow(/exceeds the limit of \d+ steps/);
    expect(outcome(compiled, `http://x/${as}`)).toBe('PatternError');
    // The same pattern still answers a URL of ordinary length.
    expect(compiled.match(`http://x/${'a'.repeat(200)}`).matched).toBe(true);
  });

  it('a pattern that would expand beyond the instruction limit does not compile', () => {
    expect(() => compilePattern('http://x/<(?:(?:a{100}){100}){100}>', 'regexp')).toThrow(PatternError);
  });
});
